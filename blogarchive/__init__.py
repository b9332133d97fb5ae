"""The application over the three stages: the ``blogarchive`` command (blogarchive/cli.py).

``crawler/`` (discover, fetch) -> ``pipeline/`` (extract, clean) -> ``archive/`` (store,
serve) are libraries that never import a later stage; only this package sees all three.
"""
