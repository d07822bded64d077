"""habanero 2.9.2, unchanged, pointed at our live server (`Crossref(base_url=.../api)`)."""

from __future__ import annotations

import pytest
from habanero import Crossref, cn

from linking.models import Funder, Work, WorkFunder

pytestmark = [pytest.mark.shared, pytest.mark.django_db]

DOI = "10.1136/jclinpath-2020-206745"


@pytest.fixture
def cr(api_server):
    return Crossref(base_url=api_server.url + "/api", mailto="tests@example.org")


def test_works_query_filter_facet_select_sort(cr):
    found = cr.works(
        query="cancer",
        filter={"type": "journal-article", "from_pub_date": "2000"},
        limit=5,
        sort="published",
        order="desc",
        select=["DOI", "title", "published", "type"],
        facet="type-name:*",
    )
    message = found["message"]
    assert found["message-type"] == "work-list"
    assert 0 < len(message["items"]) <= 5
    assert all(set(i) <= {"DOI", "title", "published", "type"} for i in message["items"])
    dates = [i["published"]["date-parts"][0] for i in message["items"]]
    assert dates == sorted(dates, reverse=True)
    assert list(message["facets"]["type-name"]["values"]) == ["Journal Article"]
    expected = Work.objects.filter(type="journal-article").count()
    assert cr.works(filter={"type": "journal-article"}, limit=0)["message"]["total-results"] == expected


def test_field_queries(cr):
    got = cr.works(query_container_title="journal", query_author="smith", limit=3)
    assert got["message"]["total-results"] >= len(got["message"]["items"])


def test_works_by_ids(cr):
    dois = list(Work.objects.order_by("pk").values_list("doi", flat=True)[:3])
    got = cr.works(ids=dois)
    assert [g["message"]["DOI"] for g in got] == dois
    assert cr.works(ids=DOI.upper())["message"]["DOI"] == DOI


def test_full_cursor_harvest_of_a_filter(cr):
    expected = set(Work.objects.filter(type="journal-article").values_list("doi", flat=True))
    pages = cr.works(filter={"type": "journal-article"}, cursor="*", cursor_max=100_000, limit=250)
    dois = [i["DOI"] for page in pages for i in page["message"]["items"]]
    assert pages[0]["message"]["total-results"] == len(expected)
    assert len(dois) == len(set(dois)) == len(expected)
    assert set(dois) == expected


def test_cursor_max_stops_early(cr):
    pages = cr.works(cursor="*", cursor_max=120, limit=50)
    assert sum(len(p["message"]["items"]) for p in pages) >= 120


def test_members_prefixes_journals_funders_types_licenses(cr):
    work = Work.objects.select_related("organisation", "prefix").filter(prefix__isnull=False).first()
    member = cr.members(ids=work.organisation.member_id)
    assert member["message-type"] == "member"
    assert member["message"]["id"] == work.organisation.member_id
    assert (
        member["message"]["counts"]["total-dois"]
        == Work.objects.filter(organisation=work.organisation).count()
    )
    member_works = cr.members(ids=work.organisation.member_id, works=True, limit=5)
    assert member_works["message"]["total-results"] == member["message"]["counts"]["total-dois"]
    assert cr.members(query="university", limit=3)["message-type"] == "member-list"
    prefix = cr.prefixes(ids=work.prefix.value)
    assert prefix["message"]["prefix"] == f"https://id.crossref.org/prefix/{work.prefix.value}"
    assert cr.prefixes(ids=work.prefix.value, works=True, limit=2)["message-type"] == "work-list"
    journal = Work.objects.filter(container__identifiers__scheme="issn", container__kind="journal").first()
    issn = journal.container.identifiers.filter(scheme="issn").first().value
    got = cr.journals(ids=f"{issn[:4]}-{issn[4:]}")
    assert got["message"]["title"] == journal.container.title
    assert cr.journals(ids=issn, works=True)["message"]["total-results"] >= 1
    assert cr.journals(query="journal", limit=2)["message-type"] == "journal-list"
    types = cr.types()
    assert types["message"]["total-results"] == 30
    assert cr.types(ids="journal-article")["message"] == {"id": "journal-article", "label": "Journal Article"}
    assert cr.types(ids="journal-article", works=True, limit=1)["message"]["total-results"] > 0
    assert cr.licenses(limit=5)["message-type"] == "license-list"
    assert cr.registration_agency(DOI) == ["Crossref"]
    assert len(cr.random_dois(sample=4)) == 4


@pytest.fixture(scope="module")
def nsf(api_server, django_db_blocker):
    """A funder and a sub-funder, committed so the server thread sees them."""
    with django_db_blocker.unblock():
        funder = Funder.objects.create(
            funder_id="100000001", name="National Science Foundation", country="United States"
        )
        child = Funder.objects.create(
            funder_id="100000076", name="Directorate for Biological Sciences", parent=funder
        )
    yield funder
    with django_db_blocker.unblock():
        child.delete()
        funder.delete()


def test_funders(cr, nsf):
    got = cr.funders(ids="100000001")
    assert got["message"]["id"] == "100000001"
    assert got["message"]["descendants"] == ["100000076"]
    funded = WorkFunder.objects.filter(funder_id="10.13039/100000001").values("work_id").distinct().count()
    assert got["message"]["work-count"] == funded > 0
    assert cr.funders(ids="10.13039/100000001")["message"]["name"] == nsf.name
    either = WorkFunder.objects.filter(funder_id__in=["10.13039/100000001", "10.13039/100000076"])
    with_descendants = either.values("work_id").distinct().count()
    assert got["message"]["descendant-work-count"] == with_descendants
    works = cr.funders(ids="100000001", works=True, limit=3)
    assert works["message"]["total-results"] == with_descendants
    listed = cr.funders(query="science", limit=5)
    assert "100000001" in [f["id"] for f in listed["message"]["items"]]
    assert cr.funders(filter={"location": "United States"})["message"]["total-results"] == 1


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "text"])
def test_content_negotiation_against_our_resolver(api_server, fmt):
    got = cn.content_negotiation(ids=DOI, format=fmt, url=api_server.url)
    if fmt == "bibtex":
        assert got.lstrip().startswith("@") and DOI in got.lower()
    elif fmt == "ris":
        assert "TY  - JOUR" in got and "DO  - " in got
    else:
        assert "Xu" in got and "2020" in got
