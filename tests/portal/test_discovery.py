"""/search with facets and paging, and the member, journal and funder directories."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from linking.funder_files import entries_from_json
from linking.funders import funders_import
from linking.models import ExternalUpdate, Work, WorkReference, WorkRelation
from linking.records import PartialDate, WorkRecord
from linking.services import records_register
from tests.linking.search.support import CC_BY, registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def members():
    return registry()


def direct_count(name: str, value: str, works) -> int:
    """The same question asked of the database without the search page's code."""
    if name == "type":
        return works.filter(type=value).count()
    if name == "year":
        return works.filter(issued__startswith=f"{value}-").count()
    if name == "member":
        return works.filter(organisation__member_id=int(value)).count()
    if name == "container-title":
        return works.filter(container_title=value).count()
    if name == "funder":
        return works.filter(funders__funder_id=value).distinct().count()
    if name == "update-type":
        return works.filter(relations__kind="update", relations__type=value).distinct().count()
    if name == "has-references":
        having = works.filter(pk__in=WorkReference.objects.values("work_id")).count()
        return having if value == "true" else works.count() - having
    checks = {
        "license.url": lambda data: any(lic["url"] == value for lic in data["licenses"]),
        "has-abstract": lambda data: bool(data["abstract"]) == (value == "true"),
        "has-orcid": lambda data: any(c["orcid"] for c in data["contributors"]) == (value == "true"),
    }
    return sum(1 for data in works.values_list("data", flat=True) if checks[name](data))


def facet_values(response) -> list[tuple[str, str, int, str]]:
    return [
        (facet["name"], item["value"].value, item["value"].count, item["href"])
        for facet in response.context["facets"]
        for item in facet["values"]
    ]


@pytest.mark.parametrize("query", ["", "?q=tidal+glacier+estuaries", "?q=tidal&type=journal-article"])
def test_every_facet_count_equals_the_database_count_and_the_narrowed_total(client, members, query):
    response = client.get(reverse("discovery:search") + query)
    assert response.status_code == 200
    shown = {w.doi for w in response.context["page"].object_list}
    works = Work.objects.filter(doi__in=shown)
    assert response.context["total"] == len(shown)  # one page holds them all here
    values = facet_values(response)
    names = {name for name, *_ in values}
    if not query:
        assert names == {
            "type",
            "year",
            "member",
            "container-title",
            "funder",
            "license.url",
            "has-references",
            "has-abstract",
            "has-orcid",
            "update-type",
        }
    for name, value, count, href in values:
        assert count == direct_count(name, value, works), (name, value)
        narrowed = client.get(reverse("discovery:search") + href)
        if f"{name}={value}" in response.request["QUERY_STRING"]:
            continue  # a chosen value's link removes it
        assert narrowed.context["total"] == count, (name, value, href)


def test_facet_links_keep_the_query_and_the_other_filters(client, members):
    response = client.get(reverse("discovery:search"), {"q": "tidal", "type": "journal-article"})
    hrefs = {name: href for name, _, _, href in facet_values(response)}
    assert "q=tidal" in hrefs["year"] and "type=journal-article" in hrefs["year"]
    two = client.get(reverse("discovery:search") + hrefs["year"])
    assert two.context["asked"].chosen.keys() == {"type", "year"}


def test_paging_keeps_every_filter(client, members):
    first, _ = members
    records_register(
        records=[
            WorkRecord(
                doi=f"10.5555/many.{n}",
                type="report",
                titles=[f"Tidal gauge report {n}"],
                issued=PartialDate(2022),
            )
            for n in range(45)
        ],
        organisation=first,
    )
    url = reverse("discovery:search")
    page1 = client.get(url, {"q": "tidal gauge", "type": "report", "year": "2022", "sort": "published"})
    assert page1.context["total"] == 45
    next_href = page1.context["next_href"]
    for part in ("q=tidal+gauge", "type=report", "year=2022", "sort=published", "page=2"):
        assert part in next_href
    page2 = client.get(url + next_href)
    page3 = client.get(url + page2.context["next_href"])
    assert len(page2.context["hits"]) == 20 and len(page3.context["hits"]) == 5
    assert page3.context["next_href"] == "" and "page=2" in page3.context["prev_href"]
    seen = [h["work"].doi for p in (page1, page2, page3) for h in p.context["hits"]]
    assert len(set(seen)) == 45 and all(d.startswith("10.5555/many.") for d in seen)
    assert b'rel="next"' in page2.content


def test_sorting_by_publication_date_both_ways(client, members):
    url = reverse("discovery:search")
    newest = [h["work"].doi for h in client.get(url, {"sort": "published"}).context["hits"]]
    oldest = [h["work"].doi for h in client.get(url, {"sort": "published", "order": "asc"}).context["hits"]]
    assert newest[0] == "10.5555/notice.1" and oldest[0] == "10.5555/book.1"


def test_hits_show_citation_doi_link_and_crossmark_updates(client, members):
    ExternalUpdate.objects.create(
        record_id="51234",
        target="10.5555/tidal.2",
        notice_doi="10.5555/rw.9",
        type="expression_of_concern",
        date="2025-01-02",
    )
    response = client.get(reverse("discovery:search"), {"q": "glacier retreat sediment"})
    html = response.content.decode()
    assert 'href="/works/10.5555/glacier.1"' in html
    assert "Tanaka, H. (2024)" in html
    hits = {h["work"].doi: h for h in response.context["hits"]}
    assert [u["type"] for u in hits["10.5555/glacier.1"]["updates"]] == ["retraction"]
    assert hits["10.5555/tidal.2"]["updates"][0]["source"] == "retraction-watch"
    assert "source: retraction-watch" in html


def test_search_also_finds_members_journals_and_funders_by_name(client, members):
    entries = entries_from_json('[{"id": "501100009193", "name": "Marsden Fund", "location": "New Zealand"}]')
    funders_import(entries=entries)
    names = client.get(reverse("discovery:search"), {"q": "tide"}).context["names"]
    assert [m.member_id for m in names.members] == [5555]
    names = client.get(reverse("discovery:search"), {"q": "coastal"}).context["names"]
    assert [j.title for j in names.journals] == ["Coastal Letters"]
    names = client.get(reverse("discovery:search"), {"q": "marsden"}).context["names"]
    assert [f.funder_id for f in names.funders] == ["501100009193"]


def test_a_bad_filter_value_is_named(client, members):
    response = client.get(reverse("discovery:search"), {"type": "poem"})
    assert response.status_code == 400
    assert "poem" in response.content.decode()


def test_member_directory_and_profile(client, members):
    listing = client.get(reverse("discovery:members"), {"q": "tide"})
    assert [(m.member_id, n) for m, n in listing.context["rows"]] == [(5555, 5)]
    page = client.get(reverse("discovery:member", kwargs={"member_id": 5555}))
    html = page.content.decode()
    assert "10.5555" in html and 'href="/members/5555/participation"' in html
    figures = {f["label"]: f["count"] for f in page.context["figures"]}
    assert figures["References"] == 2 and figures["Abstracts"] == 1 and figures["Licences"] == 3
    assert page.context["total"] == Work.objects.filter(organisation__member_id=5555).count()
    assert client.get(reverse("discovery:member", kwargs={"member_id": 1})).status_code == 404


def test_journal_directory_and_profile(client, members):
    listing = client.get(reverse("discovery:journals"), {"q": "1234-5679"})
    assert [j.title for j in listing.context["page"]] == ["Coastal Letters"]
    page = client.get(reverse("discovery:journal", kwargs={"issn": "1234-5679"}))
    assert page.context["per_year"] == [("2024", 1), ("2023", 1)]
    assert page.context["issns"] == [{"value": "1234-5679", "type": "print"}]
    assert page.context["publisher"] == "Tide Press"
    assert {h["work"].doi for h in page.context["hits"]} == {"10.5555/tidal.1", "10.5555/tidal.2"}
    assert client.get("/journals/0000-0000").status_code == 404


def test_funder_directory_hierarchy_and_funded_works(client, members):
    funders_import(
        entries=entries_from_json(
            """[{"id": "100000001", "name": "National Science Foundation", "alt-names": ["NSF"],
                 "location": "United States"},
                {"id": "100000076", "name": "Directorate for Biological Sciences", "parent": "100000001"}]"""
        )
    )
    listing = client.get(reverse("discovery:funders"), {"q": "nsf"})
    assert [(f.funder_id, n) for f, n in listing.context["rows"]] == [("100000001", 2)]
    page = client.get(reverse("discovery:funder", kwargs={"funder_id": "100000001"}))
    assert page.context["work_count"] == 2
    assert [c.funder_id for c in page.context["children"]] == ["100000076"]
    child = client.get(reverse("discovery:funder", kwargs={"funder_id": "100000076"}))
    assert [a.funder_id for a in child.context["ancestors"]] == ["100000001"]
    assert client.get("/funders/10.13039/100000001").url == "/funders/100000001"
    assert client.get("/funders/999999999").status_code == 404


def test_result_count_matches_the_database(client, members):
    response = client.get(reverse("discovery:search"), {"license.url": CC_BY})
    assert int(re.search(r'id="total">(\d+)<', response.content.decode()).group(1)) == direct_count(
        "license.url", CC_BY, Work.objects.all()
    )
    assert WorkRelation.objects.filter(kind="update").count() == 1
