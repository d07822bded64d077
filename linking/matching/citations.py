"""A short human citation of a registry work, for match results (STQ, the match API)."""

from __future__ import annotations

import logging

from linking.models import Work

log = logging.getLogger(__name__)


def short_citation(work: Work) -> str:
    """The formatted citation from the formats module when it renders one, else a short
    citation built from the work's columns."""
    try:
        from linking.formats import render

        rendered = render(work, "text/x-bibliography", style="apa", locale="en-US")
        body = rendered.body.decode() if isinstance(rendered.body, bytes) else rendered.body
        if body.strip():
            return body.strip()
    except Exception as exc:  # a rendering problem must not hide the match itself
        log.debug("no formatted citation for %s: %s", work.doi, exc)
    return fallback_citation(work)


def fallback_citation(work: Work) -> str:
    people = [p for p in (work.data or {}).get("contributors", []) if isinstance(p, dict)]
    names = [p.get("family") or p.get("name") or "" for p in people if p.get("role", "author") == "author"]
    names = [n for n in names if n]
    authors = (
        names[0] + (" et al." if len(names) > 2 else f" & {names[1]}" if len(names) == 2 else "")
        if names
        else ""
    )
    year = work.issued[:4] if work.issued[:4].isdigit() and work.issued[:4] != "0000" else "n.d."
    parts = [f"{authors} ({year})." if authors else f"({year}).", f"{work.title}." if work.title else ""]
    where = work.container_title
    if work.volume:
        where += f", {work.volume}"
        if work.issue:
            where += f"({work.issue})"
    if work.first_page or work.article_number:
        where += f", {work.first_page or work.article_number}"
    if where:
        parts.append(where.lstrip(", ") + ".")
    parts.append(f"https://doi.org/{work.doi}")
    return " ".join(p for p in parts if p)
