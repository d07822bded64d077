"""Crossref deposit XML: safe parsing (`safe`), the schema registry (`schemas`), validation
(`validate`) and the XSD 1.1 rules of schema 5.5.0 that libxml2 cannot run (`credit`)."""
