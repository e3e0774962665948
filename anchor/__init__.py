"""Anchor: news article in, bilingual presenter clips out."""

__version__ = "0.1.0"
