"""Series at the extraction stage: what one page says about the series it belongs to.

- :mod:`pipeline.series.detect`: the signals of one post (title, sentences, markup), ranked
  and merged into memberships; :func:`~pipeline.series.detect.series_key` joins spellings.
- :mod:`pipeline.series.markup`: series boxes, tables of contents and series navigation.
- :mod:`pipeline.series.titles`: what several posts' titles say together (a shared prefix,
  a "(k/N)" count), read by the archive, which holds the other posts.
- :mod:`pipeline.series.listed`: memberships from the series pages that listed the post.

The crawler tells series pages (:mod:`crawler.series`); the archive stores and resolves
the evidence (:mod:`archive.series`).
"""
