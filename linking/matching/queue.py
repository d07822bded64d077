"""What registration tells the matcher (called on commit of each registered batch)."""

from __future__ import annotations

from collections.abc import Sequence


def works_registered(*, work_ids: Sequence[int], new_dois: Sequence[str]) -> None:
    """Queue matching of the references of `work_ids`, and a retry of stored unmatched
    references that the newly registered `new_dois` could match. Placeholder."""
