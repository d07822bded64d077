"""crossrefapi 1.7.0, unchanged, with its endpoint pointed at our live server (it builds
`https://api.crossref.org/...` in `crossref.restful.build_url_endpoint`, the one place to
point elsewhere)."""

from __future__ import annotations

import pytest
from crossref import restful

from linking.models import Work

pytestmark = [pytest.mark.shared, pytest.mark.django_db]

DOI = "10.1136/jclinpath-2020-206745"


@pytest.fixture
def etiquette(api_server, monkeypatch):
    base = api_server.url + "/api"
    monkeypatch.setattr(
        restful,
        "build_url_endpoint",
        lambda endpoint, context=None: "/".join([base, *filter(None, (context, endpoint))]),
    )
    return restful.Etiquette("PortalTests", "1.0", "https://example.org", "tests@example.org")


def test_works_query_filter_iteration(etiquette):
    works = restful.Works(etiquette=etiquette).query("cancer").filter(type="journal-article")
    count = works.count()
    dois = [w["DOI"] for w in works]
    assert len(dois) == len(set(dois)) == count > 0


def test_works_filter_iteration_over_many_pages(etiquette):
    works = restful.Works(etiquette=etiquette, throttle=False).filter(from_pub_date="2015")
    expected = Work.objects.filter(issued__gte="2015-00-00").count()
    assert works.count() == expected
    dois = [w["DOI"] for w in works]
    assert len(dois) == len(set(dois)) == expected > 100


def test_works_doi_agency_facet_sample_version(etiquette):
    works = restful.Works(etiquette=etiquette)
    assert works.doi(DOI)["DOI"] == DOI
    assert works.doi("10.5555/nothing-here") is None
    assert works.agency(DOI)["agency"]["id"] == "crossref"
    assert works.doi_exists(DOI) is True
    assert works.doi_exists("10.5555/nothing-here") is False
    facets = works.facet("type-name", 5)
    assert "Journal Article" in facets["type-name"]["values"]
    assert len(list(works.sample(3))) == 3
    assert works.version == "1.0.0"
    ordered = works.query(author="smith").sort("published").order("asc").select("DOI", "published")
    first = next(iter(ordered), None)
    assert first is None or set(first) <= {"DOI", "published"}


def test_members_journals_funders_prefixes_types(etiquette):
    work = Work.objects.select_related("organisation", "prefix").filter(prefix__isnull=False).first()
    members = restful.Members(etiquette=etiquette)
    assert members.member(work.organisation.member_id)["id"] == work.organisation.member_id
    member_works = members.works(work.organisation.member_id)
    assert member_works.count() == Work.objects.filter(organisation=work.organisation).count()
    listed = list(members.query("society"))
    assert all("society" in " ".join(m["names"]).lower() for m in listed)
    prefix = restful.Prefixes(etiquette=etiquette).prefix(work.prefix.value)
    assert prefix["prefix"].endswith(work.prefix.value)
    journal = Work.objects.filter(container__identifiers__scheme="issn", container__kind="journal").first()
    issn = journal.container.identifiers.filter(scheme="issn").first().value
    assert restful.Journals(etiquette=etiquette).journal(issn)["title"] == journal.container.title
    assert restful.Journals(etiquette=etiquette).journal("0000-0000") is None
    assert restful.Funders(etiquette=etiquette).funder("100000001") is None
    assert len(list(restful.Funders(etiquette=etiquette))) == 0
    types = restful.Types(etiquette=etiquette)
    assert types.type("journal-article")["label"] == "Journal Article"
    assert len(list(types.all())) == 30
