"""Reference matching: citation strings and structured references to DOIs."""
