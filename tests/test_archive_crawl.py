"""The command line's crawls as library calls (archive/crawl.py, archive/reextract.py): what
stops them before Scrapy.

A Scrapy reactor runs once per process, so the crawls themselves run in `blogarchive`
subprocesses elsewhere (test_crawl_lock.py, test_archive_reextract_report.py); these are the
refusals that come before one starts.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from archive.crawl import crawl
from archive.errors import ArchiveError
from archive.lock import RunLockHeld
from archive.reextract import reextract
from archive.store import Archive
from crawler.run import CrawlOptions
from crawler.sources import SourcesError, sources_from_urls
from tests.conftest import ROOT, dict_rows

HOLD_THE_LOCK = (
    "import sys; from archive.lock import RunLock;"
    " lock = RunLock.acquire(sys.argv[1], started_at='2026-01-01T00:00:00Z');"
    " print('held', flush=True); sys.stdin.read()"
)


def test_a_crawl_stops_before_it_starts_when_another_process_holds_the_archive(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(db)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        options = CrawlOptions(db_path=db, urls=["http://blog.example/"])
        with pytest.raises(RunLockHeld, match=f"pid {holder.pid}"):
            crawl(sources_from_urls(options.urls), options)
    finally:
        holder.communicate(input="", timeout=30)
    assert not db.exists(), "the refused crawl opened the archive"


def test_reextract_with_no_crawl_to_replay_says_so(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive.open(db).close()
    with pytest.raises(ArchiveError, match="no crawl run names its sources"):
        reextract(CrawlOptions(db_path=db))
    assert dict_rows(db, "SELECT count(*) AS n FROM crawl_runs") == [{"n": 0}]


def test_reextract_of_a_bad_sources_file_stops_before_the_replay(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive.open(db).close()
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nname = "x"\nstart_urls = ["not a url"]\n')
    with pytest.raises(SourcesError, match=re.escape(str(sources))):
        reextract(CrawlOptions(db_path=db, sources_path=sources))
    assert dict_rows(db, "SELECT count(*) AS n FROM crawl_runs") == [{"n": 0}]
