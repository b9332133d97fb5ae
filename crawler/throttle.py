"""AutoThrottle for incremental crawls: a 304 lowers the delay as a 200 does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.extensions.throttle import AutoThrottle

if TYPE_CHECKING:
    from scrapy.core.downloader import Slot
    from scrapy.http import Response


class RevalidatingAutoThrottle(AutoThrottle):
    """AutoThrottle that lets a 304 lower the delay as a 200 does.

    Scrapy's never lowers the delay on a non-200 answer (error pages are fast and would
    speed the crawl up against a failing server). A 304 is the healthy answer to a
    conditional request; without this an incremental run stays at the start delay.
    """

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        if response.status == 304:
            response = response.replace(status=200)
        super()._adjust_delay(slot, latency, response)
