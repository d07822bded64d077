"""Links that change one thing in the current query string and keep every other filter."""

from __future__ import annotations

from django.http import QueryDict


class QueryLinks:
    def __init__(self, data: QueryDict):
        self.data = data.copy()

    @staticmethod
    def _href(query: QueryDict) -> str:
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    def toggled(self, name: str, value: str) -> str:
        """Add `name=value`, or remove it when present; back to the first page."""
        query = self.data.copy()
        values = query.getlist(name)
        query.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
        query.pop("page", None)
        return self._href(query)

    def replaced(self, **params: str | int | None) -> str:
        """Set (or with None, drop) single-valued parameters; any change but the page
        number goes back to the first page."""
        query = self.data.copy()
        if "page" not in params:
            query.pop("page", None)
        for name, value in params.items():
            if value is None:
                query.pop(name, None)
            else:
                query[name] = str(value)
        return self._href(query)
