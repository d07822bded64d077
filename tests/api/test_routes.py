"""Members, prefixes, journals, funders, types, licenses, transform, HEAD, the /v1 mount,
the OpenAPI schema and the docs page, over the real sample records."""

from __future__ import annotations

import json

import pytest

from accounts.models import Organisation
from linking.models import Funder, Title, Work

pytestmark = [pytest.mark.shared, pytest.mark.django_db]

DOI = "10.1136/jclinpath-2020-206745"


def ok(api, url, message_type):
    response = api.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    body = response.json()
    assert body["message-type"] == message_type
    return body["message"]


def sample(shared_dir, name):
    return json.loads((shared_dir / "samples" / "api" / name).read_text())["message"]


def test_member_has_the_recorded_keys_and_counts_from_our_data(api, shared_dir):
    organisation = Organisation.objects.filter(works__isnull=False).distinct().first()
    got = ok(api, f"/api/members/{organisation.member_id}", "member")
    recorded = sample(shared_dir, "member.json")
    assert set(got) == set(recorded)
    assert set(got["coverage"]) == set(recorded["coverage"])
    assert set(got["flags"]) == set(recorded["flags"])
    works = Work.objects.filter(organisation=organisation)
    assert got["counts"]["total-dois"] == works.count()
    assert got["counts"]["current-dois"] + got["counts"]["backfile-dois"] == works.count()
    by_year = dict(map(tuple, got["breakdowns"]["dois-by-issued-year"]))
    for year, count in by_year.items():
        assert works.filter(issued__startswith=f"{year:04d}").count() == count
    assert sum(got["counts-type"]["all"].values()) == works.count()
    with_abstract = sum(1 for w in works if w.data.get("abstract"))
    backfile = got["counts"]["backfile-dois"]
    current = got["counts"]["current-dois"]
    assert got["coverage"]["abstracts-backfile"] * backfile + got["coverage"][
        "abstracts-current"
    ] * current == (pytest.approx(with_abstract))
    assert ok(api, f"/api/members/{organisation.member_id}/works?rows=0", "work-list")["total-results"] == (
        works.count()
    )


def test_members_list_query_and_filters(api):
    members = ok(api, "/api/members?rows=5", "member-list")
    assert members["items-per-page"] == 5 and "facets" not in members
    name = Organisation.objects.filter(works__isnull=False).first().name
    word = max(name.split(), key=len)
    found = ok(api, f"/api/members?query={word}", "member-list")
    assert name in [m["primary-name"] for m in found["items"]]
    prefix = Organisation.objects.filter(prefixes__isnull=False).first().prefixes.first().value
    assert ok(api, f"/api/members?filter=prefix:{prefix}", "member-list")["total-results"] == 1
    assert ok(api, "/api/members?filter=backfile-doi-count:1&rows=0", "member-list")["total-results"] > 0
    paged, cursor = [], "*"
    while True:
        page = ok(api, f"/api/members?rows=40&cursor={cursor}", "member-list")
        if not page["items"]:
            break
        paged += [m["id"] for m in page["items"]]
        cursor = page["next-cursor"]
    assert len(paged) == len(set(paged)) == members["total-results"]


def test_unknown_singletons_are_404(api):
    for url in (
        "/api/members/999999999",
        "/api/members/abc",
        "/api/members/999999999/works",
        "/api/prefixes/10.99999",
        "/api/prefixes/10.99999/works",
        "/api/journals/0000-0000",
        "/api/journals/0000-0000/works",
        "/api/funders/999",
        "/api/funders/999/works",
        "/api/types/article",
        "/api/types/article/works",
    ):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.content == b"Resource not found."


def test_prefix(api, shared_dir):
    work = Work.objects.select_related("prefix__organisation").filter(prefix__isnull=False).first()
    got = ok(api, f"/api/prefixes/{work.prefix.value}", "prefix")
    assert set(got) == set(sample(shared_dir, "prefix.json"))
    assert got == {
        "member": f"https://id.crossref.org/member/{work.prefix.organisation.member_id}",
        "name": work.prefix.organisation.name,
        "prefix": f"https://id.crossref.org/prefix/{work.prefix.value}",
    }
    works = ok(api, f"/api/prefixes/{work.prefix.value}/works?rows=100", "work-list")
    assert works["total-results"] == Work.objects.filter(prefix=work.prefix).count()
    assert all(i["prefix"] == work.prefix.value for i in works["items"])


def test_journal(api, shared_dir):
    title = Title.objects.filter(kind="journal", identifiers__scheme="issn").first()
    issn = title.identifiers.filter(scheme="issn").first().value
    for spelling in (issn, f"{issn[:4]}-{issn[4:]}", issn.lower()):
        got = ok(api, f"/api/journals/{spelling}", "journal")
    assert set(got) == set(sample(shared_dir, "journal.json"))
    assert f"{issn[:4]}-{issn[4:]}" in got["ISSN"]
    assert got["counts"]["total-dois"] == title.works.count()
    works = ok(api, f"/api/journals/{issn}/works", "work-list")
    assert works["total-results"] == title.works.count()
    assert (
        ok(api, "/api/journals?rows=3", "journal-list")["total-results"]
        == Title.objects.filter(kind="journal").count()
    )


def test_funder_by_every_spelling(api, shared_dir):
    Funder.objects.create(
        funder_id="501100012166",
        name="National Key Research and Development Program",
        ror="https://ror.org/0123abc45",
        country="China",
    )
    for spelling in (
        "501100012166",
        "10.13039/501100012166",
        "https://doi.org/10.13039/501100012166",
        "0123abc45",
        "https://ror.org/0123abc45",
    ):
        got = ok(api, f"/api/funders/{spelling}", "funder")
        assert got["id"] == "501100012166"
    assert set(got) == set(sample(shared_dir, "funder.json"))
    assert got["work-count"] >= 1
    works = ok(api, "/api/funders/10.13039/501100012166/works", "work-list")
    assert DOI in [i["DOI"] for i in works["items"]]
    assert ok(api, "/api/funders?filter=location:China", "funder-list")["total-results"] == 1


def test_types_and_licenses(api, shared_dir):
    assert ok(api, "/api/types", "type-list") == sample(shared_dir, "types.json")
    assert ok(api, "/api/types/book-part", "type") == {"id": "book-part", "label": "Part"}
    licenses = ok(api, "/api/licenses?rows=5", "license-list")
    assert set(licenses) == {"total-results", "items"}
    top = licenses["items"][0]
    assert set(top) == {"URL", "work-count"}
    assert (
        ok(api, f"/api/works?filter=license.url:{top['URL']}&rows=0", "work-list")["total-results"]
        == (top["work-count"])
    )


def test_head_and_v1(api):
    assert api.head(f"/api/works/{DOI}").status_code == 200
    assert api.head("/api/works/10.5555/nothing").status_code == 404
    assert ok(api, f"/api/v1/works/{DOI}", "work")["DOI"] == DOI
    assert ok(api, "/api/v1/types", "type-list")["total-results"] == 30


def test_transform_answers_in_the_format_asked(api):
    from linking import formats

    response = api.get(f"/api/works/{DOI}/transform", HTTP_ACCEPT=formats.MEDIA_TYPES[0])
    assert response.status_code == 200
    assert response["Content-Type"].startswith(formats.MEDIA_TYPES[0].split(";")[0])
    by_path = api.get(f"/api/works/{DOI}/transform/{formats.MEDIA_TYPES[0]}")
    assert by_path.status_code == 200 and by_path.content == response.content
    assert api.get(f"/api/works/{DOI}/transform", HTTP_ACCEPT="application/x-unknown").status_code == 406
    assert api.get("/api/works/10.5555/nothing/transform").status_code == 404


def test_openapi_schema_and_docs_page(api, settings):
    schema = api.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/works",
        "/works/{doi}",
        "/works/{doi}/agency",
        "/works/{doi}/transform",
        "/works/lookup",
        "/members",
        "/members/{member_id}",
        "/members/{member_id}/works",
        "/prefixes/{prefix}",
        "/prefixes/{prefix}/works",
        "/journals",
        "/journals/{issn}",
        "/journals/{issn}/works",
        "/funders",
        "/funders/{funder}",
        "/funders/{funder}/works",
        "/types",
        "/types/{type_id}",
        "/types/{type_id}/works",
        "/licenses",
    } <= paths
    assert schema["servers"] == [{"url": "/api"}]
    assert api.get("/api/v1/openapi.json").json()["servers"] == [{"url": "/api/v1"}]
    settings.ROOT_URLCONF = "portal.urls"  # the page sits in the site's layout and links
    page = api.get("/api/docs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "/api/works/{doi}/agency" in text and "query.bibliographic" in text
    assert 'src="http' not in text and 'href="http' not in text  # nothing from a CDN
