"""Serve a generated blog network on 127.0.0.1, one port per site, from its own process.

``python -m benchmarks.throughput.server --posts 1000`` prints one JSON line (each site's
base URL and the control URL) once every port listens, then serves until SIGTERM. With
``--validators`` pages carry ETag and Last-Modified and conditional requests get a 304;
without, every page comes back whole, as WordPress serves its HTML.
``GET /stats`` on the control port answers what was served and the CPU seconds used;
``GET /validators/off`` (or ``/on``) switches validators without changing a page or a port.
Pages are rendered on request (a pure function of the network's size, the site and the path),
so a 100,000-post network costs the server no more memory than a 1,000-post one.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import hashlib
import json
import resource
import signal
import sys
from email.utils import format_datetime

from benchmarks.throughput.network import Network, Page

REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found", 400: "Bad Request"}


class Served:
    """Counts of what the server answered."""

    def __init__(self) -> None:
        self.requests = 0
        self.bytes = 0
        self.not_modified = 0

    def as_json(self) -> dict[str, float]:
        """Return the counts and this process's CPU seconds so far."""
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "requests": self.requests,
            "bytes": self.bytes,
            "not_modified": self.not_modified,
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "max_rss_kb": usage.ru_maxrss,
        }


class Answers:
    """The network's pages with their validators, each rendered when it is asked for.

    A page costs about 0.6 ms of CPU to render (a 64 KB post page), against 30 ms or more
    that a crawler spends on it, so nothing is kept: the server's memory does not grow with
    the network, and its CPU is reported beside the crawl's.
    """

    def __init__(self, network: Network, validators: bool) -> None:
        self.network = network
        self.validators = validators

    def get(self, site: int, path: str) -> tuple[Page, str]:
        """Return the page at ``path`` of site ``site`` and its ETag."""
        page = self.network.sites[site].render(path)
        return page, etag(page.body)


def etag(body: bytes) -> str:
    """Return a strong ETag for a body."""
    return '"' + hashlib.md5(body, usedforsecurity=False).hexdigest()[:20] + '"'


class SiteProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive for one site: GET and HEAD, conditional requests."""

    def __init__(self, site: int, answers: Answers, served: Served) -> None:
        self.site = site
        self.answers = answers
        self.served = served
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.answer(head)

    def answer(self, head: bytes) -> None:
        assert self.transport is not None
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if len(parts) != 3 or parts[0] not in ("GET", "HEAD"):
            self.send(400, [], b"bad request\n", close=True)
            return
        page, tag = self.answers.get(self.site, parts[1])
        extra = [("Content-Type", page.content_type)]
        status = page.status
        if self.answers.validators and status == 200 and page.modified is not None:
            modified = format_datetime(page.modified, usegmt=True)
            extra += [("ETag", tag), ("Last-Modified", modified)]
            match = headers.get("if-none-match")
            if (match is not None and tag in match) or (
                match is None and headers.get("if-modified-since") == modified
            ):
                status = 304
        body = b"" if status == 304 or parts[0] == "HEAD" else page.body
        close = headers.get("connection", "").lower() == "close"
        self.send(
            status, extra, body, close=close, length=len(page.body) if status == 200 else None
        )

    def send(self, status: int, extra: list[tuple[str, str]], body: bytes, *, close: bool = False,
             length: int | None = None) -> None:  # fmt: skip
        assert self.transport is not None
        lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'OK')}", "Server: throughput-bench"]
        if status != 304:
            lines.append(f"Content-Length: {len(body) if length is None else length}")
        lines += [f"{name}: {value}" for name, value in extra]
        if close:
            lines.append("Connection: close")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        self.transport.write(data)
        self.served.requests += 1
        self.served.bytes += len(data)
        self.served.not_modified += status == 304
        if close:
            self.transport.close()


class ControlProtocol(asyncio.Protocol):
    """Answer ``GET /stats`` with the server's counts as JSON."""

    def __init__(self, served: Served, answers: Answers) -> None:
        self.served = served
        self.answers = answers

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        # GET /validators/on|off switches ETag and Last-Modified for the next requests.
        path = data.split(b" ", 2)[1] if data.count(b" ") >= 2 else b"/stats"
        if path.startswith(b"/validators/"):
            self.answers.validators = path.endswith(b"/on")
        body = json.dumps({**self.served.as_json(), "validators": self.answers.validators}).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        assert isinstance(self.transport, asyncio.Transport)
        self.transport.write(head.encode() + body)
        self.transport.close()


async def serve(
    posts: int, validators: bool, name: str = "127.0.0.1", *, light: bool = False
) -> None:
    """Listen on one port per site, print the URLs as one JSON line, serve until SIGTERM."""
    loop = asyncio.get_running_loop()
    network = Network(posts, light=light)
    answers = Answers(network, validators)
    served = Served()
    servers = []
    for site in network.sites:
        number = site.number
        server = await loop.create_server(
            functools.partial(SiteProtocol, number, answers, served), "127.0.0.1", 0
        )
        site.base = f"http://{name}:{server.sockets[0].getsockname()[1]}"
        servers.append(server)
    control = await loop.create_server(lambda: ControlProtocol(served, answers), "127.0.0.1", 0)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print(json.dumps({
        "sites": [s.base for s in network.sites],
        "styles": [s.style for s in network.sites],
        "control": f"http://127.0.0.1:{control.sockets[0].getsockname()[1]}",
    }), flush=True)  # fmt: skip
    await stop.wait()
    for server in [*servers, control]:
        server.close()


def main(argv: list[str] | None = None) -> int:
    """Run the server (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts in the network")
    parser.add_argument("--validators", action="store_true", help="send ETag/Last-Modified")
    parser.add_argument("--name", default="127.0.0.1",
                        help="host name in the URLs (resolving to 127.0.0.1)")  # fmt: skip
    parser.add_argument("--light", action="store_true",
                        help="light pages: no theme weight, posts of three paragraphs")  # fmt: skip
    args = parser.parse_args(argv)
    asyncio.run(serve(args.posts, args.validators, args.name, light=args.light))
    return 0


if __name__ == "__main__":
    sys.exit(main())
