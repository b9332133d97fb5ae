"""The test helper that runs servers keeps them answering however much they log."""

from __future__ import annotations

import sys

import httpx

from tests.conftest import serving

# A server in the shape of `blogarchive serve`: it prints "Serving ... at URL", then logs a
# 200-byte line on stderr for every request, as Datasette does.
CHATTY_SERVER = """
import http.server, sys

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format, *args):
        sys.stderr.write("x" * 199 + "\\n")

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"Serving chatty at http://127.0.0.1:{server.server_port}/", flush=True)
server.serve_forever()
"""


def test_a_server_that_logs_every_request_keeps_answering_past_the_pipe_buffer() -> None:
    # 600 requests log 120 KB, about twice a pipe's 64 KB buffer: undrained, the server blocks
    # in its log write and the requests after the first ~330 time out.
    with serving([sys.executable, "-c", CHATTY_SERVER]) as url, httpx.Client() as client:
        statuses = [client.get(url, timeout=5).status_code for _ in range(600)]
    assert statuses == [200] * 600
