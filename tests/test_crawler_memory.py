"""crawler/memory.py: the C heap's free pages handed back, as a crawl of full pages leaves them."""

from __future__ import annotations

import ctypes
import multiprocessing
from collections.abc import Callable

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.memory import STAT_RELEASED, STAT_TRIMS, MallocTrim, resident_kb
from crawler.spiders.blog import BlogSpider

MB = 1024


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                     "uordblks", "fordblks", "keepcost")
    ]  # fmt: skip


def heap_free_kb() -> int:
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    return libc.mallinfo2().fordblks // 1024


def fragment() -> list[bytes]:
    """Leave the heap as a crawl does: big buffers freed between small ones still alive.

    Pages of 60 KB and their copies come and go; between them live small objects (a record's
    strings, a request) that keep the freed holes from being the heap's top.
    """
    kept, big = [], []
    for i in range(1500):
        big.append(bytes(60_000 + i % 7))
        kept.append(bytes(600 + i % 5))  # over 512 bytes: from malloc, not Python's pools
    del big
    return kept


def crawler_with(seconds: float):  # type: ignore[no-untyped-def]
    return get_crawler(BlogSpider, {"BLOGARCHIVE_MALLOC_TRIM_SECONDS": seconds})


def in_fresh_process(test: Callable[[], None]) -> None:
    """Run ``test`` in a new interpreter: the heap's holes depend on what the process did
    before (a test worker's earlier tests left free space the pattern's pages fill: 10 MB of
    holes instead of 90 once in CI), so each test starts from a heap of its own."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        pool.apply(test)


def test_a_trim_gives_back_the_holes_full_pages_leave() -> None:
    in_fresh_process(trim_gives_back_the_holes)


def test_without_a_trim_the_holes_stay_resident() -> None:
    """The mechanism off: the same holes, nothing gives them back."""
    in_fresh_process(holes_stay_resident_without_a_trim)


def trim_gives_back_the_holes() -> None:
    crawler = crawler_with(30)
    extension = MallocTrim.from_crawler(crawler)
    kept = fragment()
    free_before, resident_before = heap_free_kb(), resident_kb()
    assert free_before > 40 * MB, "the pattern left no free holes in the heap"
    released = extension.release()
    # The holes stay in the heap's books (free), but their pages are no longer resident.
    assert released > 40 * MB, (released, free_before)
    assert resident_kb() < resident_before - 40 * MB
    assert crawler.stats.get_value(STAT_TRIMS) == 1
    assert crawler.stats.get_value(STAT_RELEASED) == released
    del kept


def holes_stay_resident_without_a_trim() -> None:
    with pytest.raises(NotConfigured):
        MallocTrim.from_crawler(crawler_with(0))
    kept = fragment()
    resident = resident_kb()
    assert heap_free_kb() > 40 * MB
    fragment()  # more of the same work: glibc reuses the holes, it does not return them
    assert resident_kb() > resident - 5 * MB
    del kept
