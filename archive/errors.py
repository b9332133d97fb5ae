"""The archive's domain exception."""

from __future__ import annotations

from pathlib import Path


class ArchiveError(Exception):
    """The archive database at ``path`` could not be opened, migrated or written.

    ``url`` names the post, listing or error being written when there was one.
    """

    def __init__(self, path: Path | str | None, message: str, *, url: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.message = message
        self.url = url
        where = str(self.path) if self.path is not None else "<no archive path>"
        if url:
            where = f"{where} ({url})"
        super().__init__(f"{where}: {message}")
