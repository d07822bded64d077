"""What a work's landing page shows, read in a fixed handful of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from linking.crossmark import CrossmarkStatus, crossmark_status, update_to
from linking.models import Work, WorkReference, WorkRelation
from linking.records import WorkRecord, work_record_from_json

CITED_BY_SHOWN = 100


@dataclass
class LandingPage:
    work: Work
    record: WorkRecord
    references: list[WorkReference]
    registered: set[str]  # reference DOIs (as deposited) that are registered here
    cited_by: list[Work]
    cited_by_count: int
    relations: list[dict]
    crossmark: CrossmarkStatus | None
    update_to: list[dict]
    issn: str = ""
    extra: dict = field(default_factory=dict)


def landing_page(doi: str) -> LandingPage | None:
    work = (
        Work.objects.filter(doi=doi.strip().lower())
        .select_related("organisation", "container", "prefix")
        .first()
    )
    if work is None:
        return None
    record = work_record_from_json(work.data)
    references = list(WorkReference.objects.filter(work=work).order_by("position"))
    deposited = {r.doi for r in references if r.doi and not r.matched_doi}
    registered = (
        set(Work.objects.filter(doi__in=deposited).values_list("doi", flat=True)) if deposited else set()
    )
    citing = (
        Work.objects.filter(references__matched_doi=work.doi)
        .distinct()
        .only("doi", "title", "container_title", "issued", "type")
        .order_by("-issued", "doi")
    )
    cited_by_count = citing.count()
    relations = [
        {"type": r.type, "id": r.target, "id_type": r.id_type, "direction": "subject"}
        for r in WorkRelation.objects.filter(work=work, kind="relation").order_by("type", "target")
    ] + [
        {"type": r.type, "id": r.work.doi, "id_type": "doi", "direction": "object"}
        for r in WorkRelation.objects.filter(target=work.doi, kind="relation").select_related("work")
    ]
    issn = ""
    if record.container and record.container.issns:
        issn = record.container.issns[0].get("value", "")
    return LandingPage(
        work=work,
        record=record,
        references=references,
        registered=registered,
        cited_by=list(citing[:CITED_BY_SHOWN]),
        cited_by_count=cited_by_count,
        relations=relations,
        crossmark=crossmark_status(work),
        update_to=update_to(work),
        issn=issn,
    )
