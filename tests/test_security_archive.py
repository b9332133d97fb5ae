"""What the archive must never do: take SQL writes through Datasette, or keep credentials."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.capture_middleware import SECRET_HEADERS
from tests.conftest import run_cli
from tests.crawler_server import FixtureSite, serve
from tests.test_archive_datasette import get
from tests.test_security_browser import hostile_archive

FIXTURES = Path(__file__).parent / "fixtures" / "crawler"


def test_datasette_refuses_every_sql_write(tmp_path: Path) -> None:
    snapshot, urls = hostile_archive(tmp_path / "archive.db")
    before = snapshot.read_bytes()
    for sql in (
        "delete from posts",
        "update posts set title = 'changed'",
        "insert into crawl_runs (started_at) values ('x')",
        "drop table posts",
        "pragma writable_schema = 1",
        "attach database 'other.db' as other",
        "select 1; delete from posts",
    ):
        response = get(snapshot, f"/{snapshot.stem}.json?sql={sql}")
        assert response.status_code in (400, 403), (sql, response.status_code)
    assert snapshot.read_bytes() == before
    conn = sqlite3.connect(snapshot)
    try:
        assert conn.execute("select count(*) from posts").fetchone()[0] == len(urls)
    finally:
        conn.close()


@pytest.mark.e2e
@pytest.mark.e2e
def test_captures_keep_no_cookies_or_credentials(tmp_path: Path) -> None:
    secret = "s3cr3t-token"
    site = FixtureSite(
        FIXTURES / "blog",
        substitutions={"{{OTHER}}": "http://127.0.0.1:9"},
        headers={"Set-Cookie": f"session={secret}; Path=/"},
    )
    headers = {"Authorization": f"Bearer {secret}", "Cookie": f"token={secret}"}
    db = tmp_path / "archive.db"
    with serve(site):
        result = run_cli(
            "crawl", site.base + "/", "--db", str(db), "-s", "DOWNLOAD_DELAY=0",
            "-s", f"DEFAULT_REQUEST_HEADERS={json.dumps(headers)}",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    # The credentials did go out (as a user configured them): the captures leave them out.
    assert all(h.get("Authorization") == f"Bearer {secret}" for h in site.request_headers)
    records = 0
    for path in sorted((tmp_path / "warc").glob("*.warc.gz")):
        assert secret.encode() not in gzip.decompress(path.read_bytes())
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle):
                if record.http_headers is None:
                    continue
                records += 1
                names = {name.lower() for name, _ in record.http_headers.headers}
                assert not names & SECRET_HEADERS, names
    assert records > 0
