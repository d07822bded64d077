"""Search upkeep tasks."""

from __future__ import annotations

from celery import shared_task

from linking.search import search_terms_refresh


@shared_task(acks_late=True)
def refresh_search_terms() -> None:
    """Recount token frequencies (the beat schedule may run it nightly)."""
    search_terms_refresh()
