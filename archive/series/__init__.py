"""Series in the archive: evidence stored, resolved into memberships, parts and gaps.

- :mod:`archive.series.memberships`: a post's evidence stored and resolved into
  ``series_posts``; series pages' listings; copies of parts; reading order.
- :mod:`archive.series.evidence`: evidence rows, and what titles of several stored posts say
  together (shared prefixes, "(k/N)" counts).
"""
