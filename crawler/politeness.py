"""A downloader that holds each site's concurrency limit whatever the download delay.

Scrapy 2.19's ``Downloader._process_queue`` starts requests while
``slot.free_transfer_slots() > 0``, but a request only counts as transferring once its
download coroutine runs (``Downloader._download`` adds it to ``slot.transferring``). On the
asyncio reactor ``_schedule_coro`` creates a task that runs later, so without a delay the
loop empties the whole slot queue at once: 8 to 14 requests in flight on one host with
``CONCURRENT_REQUESTS_PER_DOMAIN = 2`` (with a delay the loop breaks after one request,
which hides it). This downloader counts the request as transferring before it schedules it.

It also keys slots by ``host:port`` when a request names none: Scrapy keys them by host
name, so robots.txt requests made by its RobotsTxtMiddleware used a slot of their own,
beside the spider's ``meta["download_slot"]`` (``host:port``) for the same site. Such
requests share the site's slot but do not steer its delay through AutoThrottle (a configured
delay is fixed, see ``autothrottle_dont_adjust_delay`` in the spider).
"""

from __future__ import annotations

from time import monotonic

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.http import Response
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro

from crawler.urls import netloc


class PoliteDownloader(Downloader):
    """Scrapy's downloader, with the per-slot concurrency limit held without a delay."""

    def get_slot_key(self, request: Request) -> str:
        """Return the request's slot: its ``download_slot`` meta, else its ``host:port``."""
        meta_slot = request.meta.get(self.DOWNLOAD_SLOT)
        if meta_slot is not None:
            return str(meta_slot)
        if self.ip_concurrency:
            return super().get_slot_key(request)
        return netloc(request.url)

    async def _enqueue_request(self, request: Request) -> Response:
        if self.DOWNLOAD_SLOT not in request.meta:
            request.meta.setdefault("autothrottle_dont_adjust_delay", True)
        return await super()._enqueue_request(request)

    def _process_queue(self, slot: Slot) -> None:
        # Scrapy 2.19's loop, but the request joins slot.transferring as it is taken from
        # the queue, so free_transfer_slots() sees it (see the module docstring).
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break
