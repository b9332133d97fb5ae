"""Extraction-quality evaluation on the article-extraction-benchmark (Zyte, MIT)."""
