"""Blogs built by real blog engines with their shipped themes, crawled and graded in the tests.

``content`` holds the posts every engine publishes; each engine module builds a site from
them and returns a ``site.BuiltSite`` that says what the crawl must store and must not.
"""
