"""The payload digest is made once, by the crawler, and travels on the Capture.

The capture middleware hashes every kept response to compare it with its last capture; the
archive indexes and writes that digest instead of hashing the body again (and warcio, given
it and the payload's length, hashes the body once more only for its block digest).
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.capture_store import CaptureStore
from archive.store import Archive
from crawler.items import Capture, payload_digest, utc_now

WARCIO = Path(sys.executable).parent / "warcio"
BODY = b"<html><body><p>A page of the crawl.</p></body></html>"


def capture(url: str, body: bytes = BODY, digest: str = "") -> Capture:
    return Capture(
        url=url,
        fetched_at=utc_now(),
        status=200,
        request_headers=[("User-Agent", "test")],
        response_headers=[("Content-Type", "text/html")],
        body=body,
        payload_digest=digest,
    )


def stored(tmp_path: Path, *captures: Capture) -> list[tuple[str, str, int | None, str]]:
    """Store the captures; return each row's URL, digest, revisit_of and WARC digest header."""
    with Archive.open(tmp_path / "archive.db") as archive:
        store = CaptureStore.open(archive, archive.start_run({}))
        ids = [store.store(c) for c in captures]
        store.close()
        rows = []
        for capture_id in ids:
            url, digest, revisit_of, warc_file, offset = archive.db.execute(
                "SELECT url, payload_digest, revisit_of, warc_file, warc_offset FROM captures"
                " WHERE id = ?",
                [capture_id],
            ).fetchone()
            with open(tmp_path / warc_file, "rb") as handle:
                handle.seek(offset)
                record = next(iter(ArchiveIterator(handle)))
            rows.append((url, digest, revisit_of, record.rec_headers["WARC-Payload-Digest"]))
    return rows


def test_the_archive_keeps_the_digest_the_capture_brings_without_hashing_again(tmp_path):
    # A digest that is not the body's shows which one the archive used: the capture's.
    brought = payload_digest(b"the crawler's hash of these bytes")
    [(_, digest, _, header)] = stored(tmp_path, capture("https://a.test/1/", digest=brought))
    assert digest == header == brought != payload_digest(BODY)


def test_the_carried_digest_finds_the_same_payload_captured_before(tmp_path):
    # Two fetches of one URL whose crawler-made digests agree: the second is a revisit.
    brought = payload_digest(BODY)
    first, second = stored(
        tmp_path,
        capture("https://a.test/1/", digest=brought),
        capture("https://a.test/1/", digest=brought),
    )
    assert first[2] is None
    assert second[2] is not None
    assert first[1] == second[1] == brought


def test_a_capture_without_a_digest_is_hashed_and_its_records_verify(tmp_path):
    big = b"<html><body>" + b"<p>words and more words</p>" * 20_000 + b"</body></html>"
    rows = stored(tmp_path, capture("https://a.test/1/"), capture("https://a.test/2/", big))
    assert [r[1] for r in rows] == [payload_digest(BODY), payload_digest(big)]
    assert [r[3] for r in rows] == [r[1] for r in rows]
    # warcio recomputes every block and payload digest and checks them against the headers.
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    check = subprocess.run(
        [str(WARCIO), "check", "-v", *map(str, files)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout
    with gzip.open(files[0]) as warc:
        assert warc.read().count(b"WARC-Payload-Digest: ") == 4  # two responses, two requests
