"""WARC files of raw captures: write request/response pairs, read one back, recover after a kill.

A file being written is named ``<name>.warc.gz.open`` and holds an exclusive ``flock`` while
its writer lives; it is renamed to ``<name>.warc.gz`` when closed. Each record is its own gzip
member, so a file cut after any complete record is a valid WARC file. After a kill, the next
writer cuts every unlocked ``.open`` file back to the end of the last record the index
points at (:func:`recover`) and gives it its final name.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import logging
import os
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.history import StoredResponse
from crawler.items import Capture

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
# Rotate files at the size the WARC community settled on (Heritrix, wget's --warc-max-size).
MAX_FILE_BYTES = 1024**3
# zlib's default level, as Python's zlib and Java's GZIPOutputStream (Heritrix) use. warcio
# compresses at 9: 1.22x the CPU a record for files 1% smaller (benchmarks/RESULTS.md,
# "Crawler CPU, session 8").
GZIP_LEVEL = 6


class WarcError(Exception):
    """A WARC file or record that cannot be written or read."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = Path(path)
        self.message = message


@dataclass(frozen=True)
class WrittenRecord:
    """Where a capture's response record went, and what it holds."""

    path: Path  # the file's final name (without .open)
    offset: int
    length: int
    payload_digest: str
    record_id: str


@dataclass(frozen=True)
class Original:
    """The earlier capture a revisit record refers to."""

    url: str
    fetched_at: str


def _statusline(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class WarcFileWriter:
    """Append captures to ``<directory>/<prefix>-NNNNN.warc.gz``, rotating at ``max_bytes``."""

    def __init__(
        self, directory: Path, prefix: str, *, max_bytes: int = MAX_FILE_BYTES, software: str = ""
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.software = software
        self._serial = 0
        self._file: IO[bytes] | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None

    def write(self, capture: Capture, *, same_as: Original | None = None) -> WrittenRecord:
        """Write the request and response records of ``capture``, flushed to the OS.

        With ``same_as`` (an earlier capture of the same payload) the response is a revisit
        record: headers only, the payload referred to by digest, URI and date.
        """
        if self._file is not None and self._file.tell() >= self.max_bytes:
            self.close()
        if self._file is None:
            try:
                self._open_next()
            except OSError as exc:
                # A full disk or a read-only folder: the archive refuses it, not a crash.
                raise WarcError(self.directory, f"cannot open a WARC file: {exc}") from exc
        assert self._file is not None
        assert self._writer is not None
        assert self._path is not None
        writer = self._writer
        digest = capture.digest()
        if same_as is None:
            # Given the payload's length and digest, warcio hashes the body once (the block
            # digest: HTTP headers and payload) and copies it nowhere; without them it copies
            # it to a temporary file twice and hashes it three times. The header order is
            # the one warcio gives a record it measures itself.
            response = writer.create_warc_record(
                capture.url,
                "response",
                payload=io.BytesIO(capture.body),
                length=len(capture.body),
                http_headers=self._response_headers(capture),
                warc_headers_dict={
                    **self._warc_headers(capture),
                    "WARC-Type": "response",
                    "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>",
                    "WARC-Target-URI": capture.url,
                    "WARC-Payload-Digest": digest,
                },
            )
        else:
            response = writer.create_revisit_record(
                capture.url,
                digest,
                same_as.url,
                same_as.fetched_at,
                http_headers=self._response_headers(capture),
                warc_headers_dict=self._warc_headers(capture),
            )
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        # Its length given too (empty), in the same header order: no temporary files.
        request = writer.create_warc_record(
            capture.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=self._request_headers(capture),
            warc_headers_dict={
                **self._warc_headers(capture),
                "WARC-Type": "request",
                "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>",
                "WARC-Target-URI": capture.url,
                "WARC-Concurrent-To": record_id,
            },
        )
        try:
            self._file.write(gzip_member(request))
            offset = self._file.tell()
            self._file.write(gzip_member(response))
            length = self._file.tell() - offset
            self._file.flush()
        except OSError as exc:
            raise WarcError(self._path, f"cannot write capture of {capture.url}: {exc}") from exc
        return WrittenRecord(
            path=self._path,
            offset=offset,
            length=length,
            payload_digest=response.rec_headers.get_header("WARC-Payload-Digest") or "",
            record_id=record_id,
        )

    def close(self) -> None:
        """Sync and close the current file and give it its final name."""
        if self._file is None or self._path is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        os.replace(_open_name(self._path), self._path)
        self._file.close()  # releases the flock
        logger.info("closed WARC file %s", self._path)
        self._file = self._writer = self._path = None

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self._serial += 1
            path = self.directory / f"{self.prefix}-{self._serial:05d}.warc.gz"
            if not path.exists() and not _open_name(path).exists():
                break
        handle = open(_open_name(path), "xb")  # noqa: SIM115  (kept open across writes)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            # Builds records only: gzip_member writes them.
            writer = WARCWriter(None, gzip=False, warc_version="1.1")
            info = writer.create_warcinfo_record(
                path.name, {"software": self.software, "format": "WARC File Format 1.1"}
            )
            handle.write(gzip_member(info))
        except OSError:
            # No file half begun: the next write tries a new one.
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                _open_name(path).unlink()
            raise
        self._file, self._path, self._writer = handle, path, writer

    @staticmethod
    def _warc_headers(capture: Capture) -> dict[str, str]:
        headers = {"WARC-Date": capture.fetched_at}
        if capture.ip_address:
            headers["WARC-IP-Address"] = capture.ip_address
        return headers

    @staticmethod
    def _response_headers(capture: Capture) -> StatusAndHeaders:
        # Twisted strips the connection-level headers (Content-Length, Transfer-Encoding) and
        # undoes chunking; the body is the whole payload, so its length is restated.
        headers = [(k, v) for k, v in capture.response_headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(capture.body))))
        return StatusAndHeaders(_statusline(capture.status), headers, protocol=capture.protocol)

    @staticmethod
    def _request_headers(capture: Capture) -> StatusAndHeaders:
        parts = urlsplit(capture.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = list(capture.request_headers)
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        return StatusAndHeaders(
            f"{capture.method} {target} {capture.protocol}",
            headers,
            protocol=capture.protocol,
            is_http_request=True,
        )


def gzip_member(record: ArcWarcRecord) -> bytes:
    """Return ``record`` as warcio writes it, as one gzip member at :data:`GZIP_LEVEL`."""
    buffer = io.BytesIO()
    WARCWriter(buffer, gzip=False, warc_version="1.1").write_record(record)
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return compressor.compress(buffer.getbuffer()) + compressor.flush()


def _open_name(path: Path) -> Path:
    return path.with_name(path.name + OPEN_SUFFIX)


def readable_path(path: Path) -> Path:
    """Return where the WARC file ``path`` is now: its final name, or ``.open`` while written."""
    if path.exists():
        return path
    pending = _open_name(path)
    return pending if pending.exists() else path


def read_response(path: Path, offset: int) -> StoredResponse:
    """Read the response (or revisit: no body) record at ``offset`` of the WARC file ``path``."""
    actual = readable_path(path)
    try:
        with open(actual, "rb") as handle:
            handle.seek(offset)
            record = next(iter(ArchiveIterator(handle)), None)
            if (
                record is None
                or record.rec_type not in ("response", "revisit")
                or record.http_headers is None
            ):
                raise WarcError(actual, f"no response record at offset {offset}")
            body = record.raw_stream.read()
            http = record.http_headers
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
    except OSError as exc:
        raise WarcError(actual, f"cannot read record at offset {offset}: {exc}") from exc
    except Exception as exc:
        if isinstance(exc, WarcError):
            raise
        raise WarcError(actual, f"damaged record at offset {offset}: {exc}") from exc
    return StoredResponse(
        url=url,
        status=int(http.get_statuscode()),
        headers=list(http.headers),
        body=body,
        protocol=http.protocol or "HTTP/1.1",
    )


def recover(directory: Path, indexed_end: Callable[[Path], int]) -> list[Path]:
    """Close the ``.open`` files of killed writers; return the files recovered.

    Each is cut to ``indexed_end(final path)``, the end of the last record the index points
    at (later bytes were never indexed, and may be a torn record), or removed when the index
    points at none of it. Files whose writer still holds the lock are left alone.
    """
    recovered: list[Path] = []
    if not directory.is_dir():
        return recovered
    for pending in sorted(directory.glob(f"*.warc.gz{OPEN_SUFFIX}")):
        final = pending.with_name(pending.name.removesuffix(OPEN_SUFFIX))
        with open(pending, "r+b") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer
            end = indexed_end(final)
            if end <= 0:
                pending.unlink()
                logger.warning("removed %s: a killed run left no indexed capture in it", pending)
                continue
            handle.truncate(end)
            handle.flush()
            os.fsync(handle.fileno())
            os.replace(pending, final)
        logger.warning("recovered %s from a killed run (cut to %d bytes)", final, end)
        recovered.append(final)
    return recovered
