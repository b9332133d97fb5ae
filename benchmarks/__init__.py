"""Benchmarks for blogarchive; not installed with the package."""
