"""Writes of reference matching: stored matches, blocking keys, cited-by counts, alerts."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from linking.matching.keys import reference_key, work_keys
from linking.matching.matcher import citation_outcome, citation_parse
from linking.models import Work, WorkReference

log = logging.getLogger(__name__)

CHUNK = 500


def reference_input(reference: WorkReference) -> str | dict[str, object]:
    """What the matcher reads for a stored reference: its fields, or its string."""
    fields = {k: v for k, v in (reference.data or {}).items() if k != "doi_asserted_by"}
    if reference.doi:
        fields["doi"] = reference.doi
    structured = set(fields) - {"doi", "key"}
    if structured:
        if reference.unstructured:
            fields["unstructured_citation"] = reference.unstructured
        return fields
    text = reference.unstructured
    return f"{text} {reference.doi}".strip() if reference.doi else text


def _match_rows(references: Sequence[WorkReference]) -> set[str]:
    """Match `references` in memory; returns the DOIs whose cited-by count may change."""
    now = timezone.now()
    touched: set[str] = set()
    for reference in references:
        previous = reference.matched_doi
        citation = citation_parse(reference_input(reference))
        outcome = citation_outcome(citation)
        if outcome.match:
            reference.matched_doi = outcome.match.doi
            reference.match_status = "matched"
            reference.confidence = outcome.match.confidence
            reference.method = outcome.match.method
            reference.match_key = ""
            reference.matched_at = now if previous != outcome.match.doi else reference.matched_at or now
        else:
            reference.matched_doi = ""
            reference.match_status = "unmatched"
            reference.confidence = None
            reference.method = ""
            reference.match_key = reference_key(citation, outcome.deposited_doi_unknown)
            reference.matched_at = None
        touched |= {d for d in (previous, reference.matched_doi) if d}
    return touched


_MATCH_FIELDS = ["matched_doi", "match_status", "confidence", "method", "match_key", "matched_at"]


def _store(references: list[WorkReference]) -> set[str]:
    touched = _match_rows(references)
    with transaction.atomic():
        WorkReference.objects.bulk_update(references, _MATCH_FIELDS, batch_size=CHUNK)
    return touched


def work_references_match(*, work_ids: Sequence[int], only_pending: bool = True) -> int:
    """Match the (pending) references of these works and store the results in bulk;
    cited-by counts of every DOI gained or lost are recounted. Returns references matched."""
    queryset = WorkReference.objects.filter(work_id__in=list(work_ids))
    if only_pending:
        queryset = queryset.filter(match_status="pending")
    touched: set[str] = set()
    matched = 0
    batch: list[WorkReference] = []
    for reference in queryset.order_by("pk").iterator(chunk_size=CHUNK):
        batch.append(reference)
        if len(batch) >= CHUNK:
            touched |= _store(batch)
            matched += sum(r.match_status == "matched" for r in batch)
            batch = []
    if batch:
        touched |= _store(batch)
        matched += sum(r.match_status == "matched" for r in batch)
    cited_by_recount(dois=touched)
    return matched


def _keys_of_new_works(dois: Sequence[str]) -> set[str]:
    keys: set[str] = set()
    rows = Work.objects.filter(doi__in=list(dois)).values_list("doi", "issued", "data__contributors")
    for doi, issued, people in rows:
        people = [p for p in (people or []) if isinstance(p, dict)]
        authors = [p for p in people if p.get("role", "author") == "author"] or people
        families = [str(p.get("family") or p.get("name") or "") for p in authors[:1]]
        year = int(issued[:4]) if (issued or "")[:4].isdigit() and issued[:4] != "0000" else None
        keys |= work_keys(doi=doi, families=[f for f in families if f], year=year)
    return keys


def unmatched_references_retry(*, new_dois: Sequence[str]) -> int:
    """Retry only the unmatched references whose blocking key a new work produces."""
    keys = sorted(_keys_of_new_works(new_dois))
    touched: set[str] = set()
    matched = 0
    for start in range(0, len(keys), CHUNK):
        references = list(
            WorkReference.objects.filter(match_status="unmatched", match_key__in=keys[start : start + CHUNK])
        )
        for offset in range(0, len(references), CHUNK):
            batch = references[offset : offset + CHUNK]
            touched |= _store(batch)
            matched += sum(r.match_status == "matched" for r in batch)
    cited_by_recount(dois=touched)
    return matched


def cited_by_recount(*, dois: Iterable[str]) -> None:
    """Set `cited_by_count` of these DOIs from the stored matches, in one UPDATE per chunk
    (a recount, so concurrent batches cannot leave it off by the other's increment)."""
    dois = sorted({d for d in dois if d})
    count = (
        WorkReference.objects.filter(matched_doi=OuterRef("doi"), match_status="matched")
        .order_by()
        .values("matched_doi")
        .annotate(n=Count("pk"))
        .values("n")
    )
    for start in range(0, len(dois), CHUNK):
        Work.objects.filter(doi__in=dois[start : start + CHUNK]).update(
            cited_by_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
        )


def cited_by_reconcile() -> int:
    """Recount every DOI whose stored count disagrees with its matches (references
    replaced by a re-deposit drop their matches without telling the matcher which)."""
    stale = set(
        WorkReference.objects.filter(match_status="matched").values_list("matched_doi", flat=True).distinct()
    )
    stale |= set(Work.objects.filter(cited_by_count__gt=0).values_list("doi", flat=True))
    cited_by_recount(dois=stale)
    return len(stale)
