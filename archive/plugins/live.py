"""Datasette plugin: serve the newest published snapshot without a restart, and ask search
engines not to index a republished archive.

A crawl publishes its snapshot by renaming a new file over the old one. Datasette opens an
immutable database once per executor thread and keys that connection by database *name*
(``datasette.database.connections``), so a database replaced under the same name would leave
threads reading the old file. Here every request first checks the snapshot file's identity
(inode, size, mtime: one ``stat``); when it changed, a new :class:`SnapshotDatabase` takes
the name, and each thread's connection remembers which object opened it, so a thread drops
a connection to an older file the next time it runs a query. A download already streaming
keeps reading the file it opened (a rename does not touch an open file); downloads are served
here (:func:`send_snapshot`) so that the length sent is the opened file's.

``robots.txt`` disallows everything and every response carries ``X-Robots-Tag: noindex``
unless the plugin configuration says ``noindex: false`` (``blogarchive serve
--allow-indexing``).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable
from typing import Any

from datasette import hookimpl
from datasette.database import Database, connections
from datasette.utils.asgi import Response

PLUGIN = "blogarchive"
_generation = itertools.count(1)


def file_identity(path: str) -> tuple[int, int, int] | None:
    """Return what changes when a file is replaced or rewritten: inode, size, mtime."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


class SnapshotDatabase(Database):
    """An immutable database whose per-thread connections belong to this object alone."""

    def __init__(self, ds: Any, path: str) -> None:
        super().__init__(ds, path=path, is_mutable=False)
        self.identity = file_identity(path)
        self.generation = next(_generation)

    async def execute_fn(self, fn: Callable[[Any], Any]) -> Any:
        """Run ``fn`` with this thread's connection to *this* snapshot file."""
        if self.ds.executor is None:
            return await super().execute_fn(fn)

        def in_thread() -> Any:
            held = getattr(connections, self.name, None)
            if isinstance(held, tuple) and held[0] == self.generation:
                return fn(held[1])
            if isinstance(held, tuple):
                held[1].close()  # a connection to a snapshot since replaced
            conn = self.connect()
            self.ds._prepare_connection(conn, self.name)
            setattr(connections, self.name, (self.generation, conn))
            return fn(conn)

        return await asyncio.get_event_loop().run_in_executor(self.ds.executor, in_thread)


def _snapshots(datasette: Any) -> list[tuple[str, Database]]:
    return [
        (name, db)
        for name, db in datasette.databases.items()
        if not db.is_mutable and not db.is_memory and db.path
    ]


async def refresh_snapshots(datasette: Any) -> list[str]:
    """Swap in a new database object for each snapshot file replaced; return their names."""
    swapped = []
    for name, db in _snapshots(datasette):
        identity = file_identity(db.path)
        if isinstance(db, SnapshotDatabase) and (identity is None or identity == db.identity):
            continue
        fresh = SnapshotDatabase(datasette, db.path)
        fresh.name, fresh.route = name, db.route
        # Replace the dict, never mutate it: requests in flight iterate over the old one.
        datasette.databases = {**datasette.databases, name: fresh}
        swapped.append(name)
    if swapped and datasette.internal_db_created:
        internal = datasette.get_database("_internal")
        for name in swapped:  # make refresh_schemas re-read the new file's tables
            await internal.execute_write("DELETE FROM databases WHERE database_name = ?", [name])
    return swapped


NOINDEX = (b"x-robots-tag", b"noindex, nofollow")
CHUNK = 1 << 16


def _download_of(datasette: Any, scope: dict[str, Any]) -> SnapshotDatabase | None:
    """Return the snapshot a ``GET /<name>.db`` asks for, if downloads are allowed."""
    path = scope.get("path", "")
    if scope.get("method") != "GET" or not path.endswith(".db") or path.count("/") != 1:
        return None
    db = datasette.databases.get(path[1:-3])
    if not isinstance(db, SnapshotDatabase) or not datasette.setting("allow_download"):
        return None
    return db


async def send_snapshot(db: SnapshotDatabase, send: Callable[[dict[str, Any]], Any]) -> None:
    """Stream the snapshot file, named after its run; a publish meanwhile changes nothing.

    The file is opened before its size is read (Datasette's own download reads the size of
    the path first, then opens it: a publish in between would send one file's length with
    the other's bytes). A rename over an open file leaves what it reads as it was.
    """
    loop = asyncio.get_running_loop()
    with open(db.path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        headers = [
            (b"content-type", b"application/octet-stream"),
            (b"content-length", str(size).encode()),
            (b"content-disposition", f'attachment; filename="{await _file_name(db)}"'.encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        while True:
            chunk = await loop.run_in_executor(None, file.read, CHUNK)
            await send({"type": "http.response.body", "body": chunk, "more_body": bool(chunk)})
            if not chunk:
                return


async def _file_name(db: SnapshotDatabase) -> str:
    """Return the download's file name: the database's, and the run it was made after."""
    try:
        row = (await db.execute("select run_id from snapshot limit 1")).first()
    except Exception:  # a snapshot from before the snapshot table
        row = None
    return f"{db.name}-run{row[0]}.db" if row is not None and row[0] else f"{db.name}.db"


def noindex(datasette: Any) -> bool:
    """Return whether search engines are asked to stay away (the default)."""
    config = datasette.plugin_config(PLUGIN) or {}
    return bool(config.get("noindex", True))


@hookimpl
def startup(datasette: Any) -> Callable[[], Any]:
    """Serve every immutable database through a :class:`SnapshotDatabase`."""

    async def inner() -> None:
        await refresh_snapshots(datasette)

    return inner


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Any], Any]:
    """Check the snapshot files before each request; add ``X-Robots-Tag`` to responses."""

    def wrap(app: Any) -> Any:
        async def live(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            await refresh_snapshots(datasette)
            respond = send
            if noindex(datasette):

                async def respond(message: dict[str, Any]) -> None:
                    if message["type"] == "http.response.start":
                        headers = [*message.get("headers", []), NOINDEX]
                        message = {**message, "headers": headers}
                    await send(message)

            download = _download_of(datasette, scope)
            if download is not None:
                await send_snapshot(download, respond)
                return
            await app(scope, receive, respond)

        return live

    return wrap


async def robots_txt(datasette: Any) -> Response:
    """Disallow every crawler unless indexing is allowed."""
    rule = "Disallow: /" if noindex(datasette) else "Allow: /"
    return Response.text(f"User-agent: *\n{rule}\n")


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """Serve ``/robots.txt``."""
    return [(r"^/robots\.txt$", robots_txt)]
