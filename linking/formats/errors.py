"""The errors callers of `linking.formats` turn into HTTP answers."""

from __future__ import annotations


class UnsupportedFormat(Exception):
    """No format we speak satisfies the request (the caller answers 406 with MEDIA_TYPES)."""


class CitationStyleError(UnsupportedFormat):
    """A formatted citation was asked for in a style or locale we do not have; `value` is
    what the client named and the message says so (callers answer 400 or 406 with it)."""

    def __init__(self, value: str, message: str):
        super().__init__(message)
        self.value = value
        self.message = message


class UnknownStyle(CitationStyleError):
    def __init__(self, style: str):
        super().__init__(
            style,
            f"Unknown citation style '{style}': name a CSL style id such as apa, ieee, chicago-author-date.",
        )
        self.style = style


class UnknownLocale(CitationStyleError):
    def __init__(self, locale: str):
        super().__init__(
            locale, f"Unknown citation locale '{locale}': use a CSL locale such as en-US or de-DE."
        )
        self.locale = locale
