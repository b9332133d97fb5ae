"""What a crawl remembers about every URL, kept in bytes that do not grow with the crawl.

A crawl of 100,000 posts must not hold 100,000 Python objects per thing it remembers:

- :class:`~crawler.seen.SeenSet`: the URLs (and URL keys) a spider already asked for, and
  the request fingerprints of Scrapy's duplicate filter, as 64-bit hashes in a sorted
  array: 8 bytes a member (plus a recent tail, at most an eighth of them, in a Python set),
  where a set of the strings costs 150 to 250 bytes a member.
- :class:`CompactDupeFilter`: Scrapy's ``RFPDupeFilter`` keeping its fingerprints so.
- :class:`FrontierScheduler`: Scrapy's scheduler with its pending requests in a disk queue.
  A sitemap index of 100,000 posts queues every post at once; as ``Request`` objects in
  memory that is about 900 bytes each (90 MB), on disk nothing. Scrapy keeps its queue on
  disk only under ``JOBDIR``; without one, each crawl gets a temporary directory of its
  own, removed when the crawl closes (or, after a SIGKILL, by the next crawl).

Two different strings share a 64-bit hash with a probability of about n²/2⁶⁵ (10⁻⁹ for a
crawl of 200,000 URLs): the URL would be taken as already requested.
"""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter
from scrapy.squeues import PickleLifoDiskQueue
from scrapy.utils.job import job_dir
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.seen import SeenSet

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred


# Temporary queue directories are named after the crawl's process: blogarchive-frontier-PID-*.
PREFIX = "blogarchive-frontier-"


def remove_orphans(parent: Path | None = None) -> list[Path]:
    """Remove the queue directories of crawls whose process is gone (a SIGKILL); return them.

    A crawl removes its own directory when it closes; one killed outright cannot.
    """
    removed = []
    for path in Path(parent or tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = path.name.removeprefix(PREFIX).split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


class CompactDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter with its fingerprints in a :class:`SeenSet`.

    ``RFPDupeFilter`` keeps every request's 20-byte fingerprint as a ``bytes`` object in a
    set, about 110 bytes a request; this keeps 8. Under ``JOBDIR`` the fingerprints it
    reads back from ``requests.seen`` go into the same structure.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # RFPDupeFilter.request_seen only asks ``in`` and ``add`` of its set.
        self._fingerprints = SeenSet(self._fingerprints)  # type: ignore[assignment]


class FrontierScheduler(Scheduler):
    """Scrapy's scheduler with the pending requests on disk, in a directory of the crawl's own.

    Requests that cannot be pickled (a callback that is not a spider method) stay in memory,
    as under ``JOBDIR``; with ``JOBDIR`` set this is Scrapy's scheduler unchanged.
    """

    temporary: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the scheduler; without JOBDIR, with a temporary directory for its queue."""
        settings = crawler.settings
        if job_dir(settings):
            return super().from_crawler(crawler)
        remove_orphans()
        directory = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
        scheduler = cls(
            dupefilter=build_from_crawler(load_object(settings["DUPEFILTER_CLASS"]), crawler),
            jobdir=directory,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object(settings["SCHEDULER_PRIORITY_QUEUE"]),
            crawler=crawler,
        )
        scheduler.temporary = directory
        return scheduler

    def close(self, reason: str) -> Deferred[None] | None:
        """Close the queues and the duplicate filter; remove the temporary directory."""
        try:
            return super().close(reason)
        finally:
            if self.temporary is not None:
                shutil.rmtree(self.temporary, ignore_errors=True)


class _Callbacks:
    """Stands in for the spider in ``Request.to_dict``: the methods a request names, only."""


class CallbackNamesDiskQueue(PickleLifoDiskQueue):  # type: ignore[misc,valid-type]
    """Scrapy's pickle LIFO disk queue, naming a request's callbacks from a table of the
    spider's methods made once.

    ``Request.to_dict`` finds a callback's name by listing every member of the spider
    (``inspect.getmembers``, each attribute read, properties run) for each request pushed:
    about 3% of the crawler process's CPU. Here it lists the members of an object that holds
    the request's callbacks alone, found by name in the table. A callback that is not a
    method of the spider is left to Scrapy, which refuses it as before (the request then
    stays in memory).
    """

    def __init__(self, crawler: Crawler, key: str) -> None:
        super().__init__(crawler, key)
        self._names: dict[Callable[..., Any], str] | None = None
        self._views: dict[tuple[Callable[..., Any], ...], _Callbacks] = {}

    def push(self, request: Request) -> None:
        """Serialize ``request`` as Scrapy does and push it."""
        methods = [
            f for f in (request.callback, request.errback) if callable(f) and hasattr(f, "__func__")
        ]
        key = tuple(f.__func__ for f in methods)  # type: ignore[attr-defined]
        view = self._views.get(key)
        if view is None:
            view = self._view(methods)
        # SerializableQueue.push, past ScrapyRequestQueue.push (which passes the spider);
        # to_dict only lists the members of what it is given as the spider.
        stand_in: Any = view or self.spider
        super(PickleLifoDiskQueue, self).push(request.to_dict(spider=stand_in))  # type: ignore[misc]

    def _view(self, methods: list[Callable[..., Any]]) -> _Callbacks | None:
        if self._names is None:
            members = inspect.getmembers(self.spider, predicate=inspect.ismethod)
            self._names = {method.__func__: name for name, method in members}
        view = _Callbacks()
        for method in methods:
            name = self._names.get(method.__func__)  # type: ignore[attr-defined]
            if name is None:
                return None  # not the spider's: Scrapy says so
            setattr(view, name, method)
        self._views[tuple(m.__func__ for m in methods)] = view  # type: ignore[attr-defined]
        return view
