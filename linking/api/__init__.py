"""The Crossref-compatible REST API (DRF)."""
