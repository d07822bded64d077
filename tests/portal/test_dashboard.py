"""The member dashboard: submissions filtered by status, date and DOI or file name; the
registered DOIs by title and type; titles; each with its CSV export of the same rows; the
reports (depositor coverage with drill-down, conflicts with their resolution, DOI errors,
resolutions per month as SVG); the public participation report. Nothing of another member
shows, and the pages need a role in the organisation."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import include, path, reverse
from django.utils import timezone

from accounts.models import Role
from deposits import services
from deposits.models import Channel, SubmissionRecord, SubmissionStatus
from linking.models import (
    ConflictStatus,
    DoiErrorReport,
    ResolutionCount,
    Title,
    Work,
    WorkConflict,
    WorkFunder,
    WorkReference,
)
from tests.deposits.support import _private_media  # noqa: F401 - autouse fixture
from tests.factories import OrganisationFactory, PrefixFactory, member

pytestmark = pytest.mark.django_db

# The public report is mounted at "" by portal/urls.py; until then this module mounts it.
urlpatterns = [
    path("", include("portal.dashboard.public_urls")),
    path("", include("portal.urls")),
]


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Harbour Light Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


@pytest.fixture
def other():
    other = OrganisationFactory(name="Someone Else")
    PrefixFactory(value="10.9999", organisation=other)
    return other


@pytest.fixture
def viewer(client, organisation):
    client.force_login(member(organisation, Role.VIEWER))
    return client


def url(name: str, organisation, **kwargs) -> str:
    return reverse(f"dashboard:{name}", kwargs={"member_id": organisation.member_id, **kwargs})


def work(organisation, doi: str, **fields) -> Work:
    data = fields.pop("data", {})
    defaults = {"type": "journal-article", "title": f"Work {doi}", "issued": "2024-05-00", "data": data}
    return Work.objects.create(doi=doi, organisation=organisation, **{**defaults, **fields})


def submission(organisation, name: str, status: str, *, dois=(), created=None):
    made = services.submission_create(
        organisation=organisation,
        upload=services.IncomingFile(name=name, content=b"<doi_batch/>"),
        channel=Channel.UPLOAD,
    )
    made.status = status
    if created:
        made.created_at = created
    made.save()
    for index, doi in enumerate(dois):
        SubmissionRecord.objects.create(
            submission=made, position=index, doi=doi, status="Success", message="ok"
        )
    return made


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_submissions_filter_search_and_csv(viewer, organisation, other):
    old = timezone.now() - datetime.timedelta(days=40)
    submission(organisation, "issue-1.xml", SubmissionStatus.COMPLETED, dois=["10.5555/one"], created=old)
    submission(organisation, "issue-2.xml", SubmissionStatus.FAILED)
    submission(other, "theirs.xml", SubmissionStatus.FAILED, dois=["10.5555/one"])

    page = viewer.get(url("submissions", organisation), {"status": "failed"})
    assert [s.file_name for s in page.context["page"]] == ["issue-2.xml"]
    found = viewer.get(url("submissions", organisation), {"q": "10.5555/ONE"}).context["page"]
    assert [s.file_name for s in found] == ["issue-1.xml"]
    since = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    recent = viewer.get(url("submissions", organisation), {"since": since}).context["page"]
    assert [s.file_name for s in recent] == ["issue-2.xml"]

    exported = rows_of(viewer.get(url("submissions", organisation), {"status": "failed", "format": "csv"}))
    assert exported[0][:4] == ["id", "file_name", "received", "status"]
    assert [row[1] for row in exported[1:]] == ["issue-2.xml"]


def test_registered_dois_by_title_and_type_with_csv(viewer, organisation, other):
    journal = Title.objects.create(kind="journal", title="Harbour Studies", organisation=organisation)
    work(organisation, "10.5555/a", container=journal, title="Tides")
    work(organisation, "10.5555/b", type="dataset", title="Tide gauge readings")
    work(other, "10.9999/c", title="Tides elsewhere")

    page = viewer.get(url("works", organisation), {"q": "tide"}).context["page"]
    assert sorted(w.doi for w in page) == ["10.5555/a", "10.5555/b"]
    by_type = viewer.get(url("works", organisation), {"type": "dataset"}).context["page"]
    assert [w.doi for w in by_type] == ["10.5555/b"]
    by_title = viewer.get(url("works", organisation), {"title": journal.pk}).context["page"]
    assert [w.doi for w in by_title] == ["10.5555/a"]
    exported = rows_of(
        viewer.get(url("works", organisation), {"q": "https://doi.org/10.5555/A", "format": "csv"})
    )
    assert [row[0] for row in exported[1:]] == ["10.5555/a"]

    titles = viewer.get(url("titles", organisation))
    assert [(t.title, t.work_count) for t in titles.context["page"]] == [("Harbour Studies", 1)]


def test_depositor_report_coverage_and_drill_down(viewer, organisation):
    journal = Title.objects.create(kind="journal", title="Harbour Studies", organisation=organisation)
    rich = work(
        organisation,
        "10.5555/rich",
        container=journal,
        data={
            "abstract": "<jats:p>Tides.</jats:p>",
            "licenses": [{"url": "https://creativecommons.org/licenses/by/4.0/"}],
            "contributors": [{"orcid": "https://orcid.org/0000-0002-1825-0097", "affiliations": []}],
        },
    )
    WorkReference.objects.create(work=rich, key="r1", position=0, unstructured="A reference")
    WorkFunder.objects.create(work=rich, funder_id="10.13039/100000001", name="NSF", awards=["A1"])
    work(organisation, "10.5555/bare", container=journal, data={"abstract": "", "licenses": []})

    rows = viewer.get(url("depositor", organisation)).context["rows"]
    assert len(rows) == 1 and rows[0].label == "Harbour Studies" and rows[0].total == 2
    assert rows[0].counts == {
        "references": 1,
        "abstracts": 1,
        "orcids": 1,
        "funders": 1,
        "awards": 0,
        "licences": 1,
        "ror": 0,
        "crossmark": 0,
        "similarity": 0,
    } | {"awards": rows[0].counts["awards"]}
    drill = viewer.get(url("depositor", organisation), {"title": journal.pk})
    assert [(r.label, r.total, r.percent("references")) for r in drill.context["rows"]] == [
        ("journal-article", 2, 50)
    ]
    exported = rows_of(viewer.get(url("depositor", organisation), {"format": "csv"}))
    assert exported[1][:3] == ["Harbour Studies", "2", "1"]


def test_conflicts_are_listed_and_resolved(client, organisation, other):
    client.force_login(member(organisation, Role.DEPOSITOR))
    mine, twin = work(organisation, "10.5555/x"), work(organisation, "10.5555/x-again")
    conflict = WorkConflict.objects.create(work=mine, other=twin)
    theirs = WorkConflict.objects.create(work=work(other, "10.9999/y"), other=work(other, "10.9999/y2"))

    page = client.get(url("conflicts", organisation))
    assert [c.pk for c in page.context["page"]] == [conflict.pk]
    response = client.post(
        url("conflict_resolve", organisation, conflict_id=conflict.pk), {"status": "alias"}
    )
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.ALIAS and conflict.resolved_at is not None
    assert (
        client.post(
            url("conflict_resolve", organisation, conflict_id=theirs.pk), {"status": "alias"}
        ).status_code
        == 404
    )
    exported = rows_of(client.get(url("conflicts", organisation), {"status": "alias", "format": "csv"}))
    assert exported[1][1:4] == ["10.5555/x", "Work 10.5555/x", "10.5555/x-again"]


def test_a_viewer_cannot_resolve_conflicts(viewer, organisation):
    conflict = WorkConflict.objects.create(
        work=work(organisation, "10.5555/x"), other=work(organisation, "10.5555/z")
    )
    assert (
        viewer.post(
            url("conflict_resolve", organisation, conflict_id=conflict.pk), {"status": "alias"}
        ).status_code
        == 403
    )
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.OPEN


def test_resolution_and_doi_error_reports(viewer, organisation, other):
    work(organisation, "10.5555/a")
    work(other, "10.9999/b")
    ResolutionCount.objects.create(doi="10.5555/a", month=datetime.date(2024, 4, 1), count=7)
    ResolutionCount.objects.create(doi="10.5555/a", month=datetime.date(2024, 5, 1), count=3)
    ResolutionCount.objects.create(doi="10.9999/b", month=datetime.date(2024, 5, 1), count=100)
    DoiErrorReport.objects.create(
        doi="10.5555/missing", organisation=organisation, referrer="https://blog.example"
    )
    DoiErrorReport.objects.create(doi="10.9999/missing", organisation=other)

    page = viewer.get(url("resolutions", organisation))
    assert page.context["monthly"] == [("2024-04", 7), ("2024-05", 3)]
    assert page.context["top"][0] == {"doi": "10.5555/a", "total": 10}
    assert "<svg" in page.content.decode() and "Resolutions per month" in page.content.decode()
    assert rows_of(viewer.get(url("resolutions", organisation), {"format": "csv"}))[1:3] == [
        ["2024-04", "7", "0"],
        ["2024-05", "3", "0"],
    ]
    errors = viewer.get(url("doi_errors", organisation))
    assert [r.doi for r in errors.context["page"]] == ["10.5555/missing"]


def test_other_members_dashboard_is_not_found(viewer, other):
    assert viewer.get(url("overview", other)).status_code == 404
    assert viewer.get(url("works", other)).status_code == 404


@pytest.mark.urls(__name__)
def test_participation_report_is_public(client, organisation):
    this_year = datetime.date.today().year
    with_refs = work(organisation, "10.5555/new", issued=f"{this_year}-01-00", data={"abstract": "x"})
    WorkReference.objects.create(work=with_refs, key="r1", position=0)
    work(organisation, "10.5555/old", issued="1999-00-00", data={})
    work(organisation, "10.5555/ds", type="dataset", issued="1999-00-00", data={})

    page = client.get(f"/members/{organisation.member_id}/participation")
    assert page.status_code == 200
    rows = {r.label: r for r in page.context["rows"]}
    assert rows["All types"].total == 3 and rows["All types"].counts["references"] == 1
    assert rows["journal-article"].percent("abstracts") == 50
    current = client.get(f"/members/{organisation.member_id}/participation", {"period": "current"}).context[
        "rows"
    ]
    assert [(r.label, r.total) for r in current] == [("journal-article", 1)]
    exported = rows_of(client.get(f"/members/{organisation.member_id}/participation", {"format": "csv"}))
    assert exported[0][:3] == ["content_type", "works", "references_count"]
