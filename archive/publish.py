"""Publish the archive: a compacted, self-contained copy that Datasette serves immutable.

The copy is written under a temporary name beside the old one and renamed over it, so a
reader (or a crash) never sees a half-written file; its ``snapshot`` row says when it was
made and after which run.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from pathlib import Path

import sqlite_utils

from archive.access import describe_sqlite_error
from archive.errors import ArchiveError
from archive.search_index import index_pending_posts

logger = logging.getLogger(__name__)


def default_snapshot_path(db_path: Path | str) -> Path:
    """Return where the published copy of ``db_path`` goes by default: ``published/<name>``.

    Same file name in a sibling folder, so Datasette (which names a database after its file
    stem) serves the snapshot as ``/<stem>``, the name ``metadata.yaml`` is rendered for.
    """
    path = Path(db_path)
    return path.parent / "published" / path.name


def space_problem(db_path: Path, snapshot_path: Path | str) -> str | None:
    """Say why there is not enough disk space to publish ``db_path``, or return None.

    Publishing folds the WAL into the database (which grows by up to the WAL's size) and
    then writes a copy: asked before the run's end is written, so that a run that cannot
    publish is recorded as failed while the disk still takes that small write.
    """
    snapshot = Path(snapshot_path)
    sizes = {}
    for part in ("", "-wal"):
        file = db_path.with_name(db_path.name + part)
        sizes[part] = file.stat().st_size if file.exists() else 0
    needed = sizes[""] + 2 * sizes["-wal"]
    folders = {
        db_path.parent,
        next(p for p in [snapshot.parent, *snapshot.parents] if p.exists()),
    }
    free = min(shutil.disk_usage(folder).free for folder in folders)
    if free >= needed:
        return None
    mib = 1024 * 1024
    return (
        f"not enough disk space to publish the snapshot {snapshot} (about"
        f" {needed / mib:.1f} MiB needed, {free / mib:.1f} MiB free); free some space and"
        " run again"
    )


def publish(db: sqlite_utils.Database, db_path: Path, snapshot_path: Path | str, now: str) -> Path:
    """Write a compacted, self-contained copy of the archive ``db`` to ``snapshot_path``."""
    snapshot = Path(snapshot_path)
    tmp = snapshot.with_name(f".{snapshot.name}.{os.getpid()}.tmp")
    try:
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        _remove_orphan_snapshots(snapshot)
        # Fold the WAL in first, so the working file is not rewritten after the snapshot
        # and "snapshot newer than archive" keeps meaning "snapshot up to date".
        with db.atomic():  # a post committed without its search index would miss it
            index_pending_posts(db)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM INTO ?", [str(tmp)])
        # Readers open the snapshot immutable: no WAL file must ever be expected.
        copy = sqlite3.connect(tmp)
        try:
            copy.execute("PRAGMA journal_mode = DELETE")
            with copy:
                # The table (migration m012) is empty in the working archive.
                copy.execute("DELETE FROM snapshot")
                copy.execute(
                    "INSERT INTO snapshot (published_at, run_id, run_finished_at, posts)"
                    " SELECT ?, (SELECT max(id) FROM crawl_runs),"
                    " (SELECT finished_at FROM crawl_runs ORDER BY id DESC LIMIT 1),"
                    " (SELECT count(*) FROM posts)",
                    [now],
                )
        finally:
            copy.close()
        os.replace(tmp, snapshot)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise ArchiveError(
            db_path, f"cannot publish snapshot {snapshot}: {describe_sqlite_error(exc)}"
        ) from exc
    logger.info("published %s", snapshot)
    return snapshot


def _remove_orphan_snapshots(snapshot: Path) -> None:
    """Delete temporary copies of ``snapshot`` whose writer died (a crawl killed mid-publish)."""
    for tmp in snapshot.parent.glob(f".{snapshot.name}.*.tmp"):
        pid = tmp.name.removeprefix(f".{snapshot.name}.").removesuffix(".tmp")
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
            logger.info("removed %s, left by a process that died while publishing", tmp)
        except PermissionError:
            pass  # alive, another user's
