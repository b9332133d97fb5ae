"""Give the C heap's free pages back to the system now and then (glibc's ``malloc_trim``).

A crawl of full-size pages (60 KB responses, their decoded text, the WARC records and the
pickles sent to and from the worker processes) leaves free holes in glibc's heaps that the
next allocations do not fill exactly: under tracemalloc, from 816 to 2,019 posts stored,
Python's own objects grew 0.49 MB (bounded caches and the pool's backlog) while glibc's free
space inside its heaps grew 3.3 MB, and the process's resident size 6.4 MB. Freed memory in
the middle of a heap stays resident until ``malloc_trim`` hands its whole pages back
(``madvise``), which glibc does by itself only at the top of the main heap.

:class:`MallocTrim` (a Scrapy extension) calls ``malloc_trim(0)`` every
``BLOGARCHIVE_MALLOC_TRIM_SECONDS`` and counts what it gave back in the stats
(``blogarchive/memory/trims``, ``blogarchive/memory/released_kb``). Without glibc (another
C library, another system) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
STAT_TRIMS = "blogarchive/memory/trims"
STAT_RELEASED = "blogarchive/memory/released_kb"


def _malloc_trim() -> Any:
    """Return glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def resident_kb() -> int:
    """Return this process's resident size in KB (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * PAGE_KB
    except (OSError, ValueError, IndexError):
        return 0


class MallocTrim:
    """Every ``seconds``, hand the C heap's free pages back; count the KB released."""

    def __init__(self, crawler: Crawler, seconds: float) -> None:
        self.crawler = crawler
        self.seconds = seconds
        self.trim = _malloc_trim()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MallocTrim:
        """Start with the spider when the setting is above 0 and the C library has the call."""
        seconds = crawler.settings.getfloat("BLOGARCHIVE_MALLOC_TRIM_SECONDS")
        if seconds <= 0:
            raise NotConfigured("BLOGARCHIVE_MALLOC_TRIM_SECONDS is 0")
        extension = cls(crawler, seconds)
        if extension.trim is None:
            raise NotConfigured("no malloc_trim in this C library")
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, **_: Any) -> None:
        """Trim every ``seconds`` from now on."""
        self.loop = task.LoopingCall(self.release)
        self.loop.start(self.seconds, now=False)

    def spider_closed(self, **_: Any) -> None:
        """Stop trimming."""
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def release(self) -> int:
        """Trim once; return the resident KB it gave back."""
        before = resident_kb()
        self.trim(0)
        released = max(0, before - resident_kb())
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(STAT_TRIMS)
            stats.inc_value(STAT_RELEASED, released)
        return released
