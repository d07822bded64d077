"""DOI resolution: redirects, multiple resolution, resolution counts, error reports."""
