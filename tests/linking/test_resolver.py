"""The resolver: redirects, encoded and case-varied DOIs, parameter passing, multiple
resolution with locatt, content negotiation, unknown and malformed DOIs, error reports."""

from __future__ import annotations

import html
from urllib.parse import quote

import pytest
from django.test import Client

from linking import formats
from linking.models import DoiErrorReport, ResolutionCount
from linking.records import PartialDate, WorkRecord
from linking.records import ResourceUrl as Url
from linking.resolver.counts import counts_flush
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = pytest.mark.django_db

SICI = "10.5555/(SICI)1097-4636(199706)35:4<413::AID-JBM1>3.0.CO;2-O"


def register(organisation, doi: str, *urls: Url) -> None:
    record = WorkRecord(
        doi=doi,
        type="journal-article",
        titles=["Resolution of persistent identifiers"],
        issued=PartialDate(2024, 5),
        resource_urls=list(urls) or [Url(url=f"https://publisher.example/{doi.rsplit('/', 1)[-1]}")],
    )
    records_register(records=[record], organisation=organisation)


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Estuary Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


@pytest.fixture(autouse=True)
def empty_counters():
    counts_flush()  # counts of earlier tests in this process stay out of this one
    ResolutionCount.objects.all().delete()
    yield


def test_redirects_to_the_registered_url(client, organisation):
    register(organisation, "10.5555/abc.1", Url(url="https://publisher.example/articles/1"))
    response = client.get("/10.5555/abc.1")
    assert response.status_code == 302
    assert response["Location"] == "https://publisher.example/articles/1"
    assert "Accept" in response["Vary"]


def test_head_redirects_too(client, organisation):
    register(organisation, "10.5555/abc.1", Url(url="https://publisher.example/articles/1"))
    response = client.head("/10.5555/abc.1")
    assert (response.status_code, response["Location"]) == (302, "https://publisher.example/articles/1")


def test_other_methods_are_refused(client, organisation):
    register(organisation, "10.5555/abc.1")
    assert client.post("/10.5555/abc.1").status_code == 405


@pytest.mark.parametrize(
    "path", ["/10.5555/ABC.1", "/10.5555/Abc.1", "/doi/10.5555/abc.1", "/doi/10.5555/ABC.1"]
)
def test_case_and_doi_prefix_do_not_matter(client, organisation, path):
    register(organisation, "10.5555/ABC.1", Url(url="https://publisher.example/x"))
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, "https://publisher.example/x")


@pytest.mark.parametrize(
    "path",
    [
        "/" + SICI,
        "/" + quote(SICI, safe=""),  # every reserved character escaped, '/' as %2F too
        "/" + quote(SICI, safe="/"),
        "/doi/" + quote(SICI.lower(), safe=""),
        "/" + quote(quote(SICI, safe=""), safe=""),  # escaped twice on its way here
    ],
)
def test_encoded_and_raw_forms_of_an_awkward_doi(client, organisation, path):
    register(organisation, SICI, Url(url="https://publisher.example/sici"))
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (302, "https://publisher.example/sici")


def test_a_doi_with_hash_and_question_mark_encoded(client, organisation):
    register(organisation, "10.5555/a#b?c", Url(url="https://publisher.example/hash"))
    response = client.get("/10.5555/a%23b%3Fc")
    assert (response.status_code, response["Location"]) == (302, "https://publisher.example/hash")


@pytest.mark.parametrize(
    ("target", "query", "expected"),
    [
        ("https://p.example/a", "x=1&y=two", "https://p.example/a?x=1&y=two"),
        ("https://p.example/a?id=5", "x=1", "https://p.example/a?id=5&x=1"),
        ("https://p.example/a?", "x=1", "https://p.example/a?x=1"),
        ("https://p.example/a#top", "x=1", "https://p.example/a?x=1#top"),
        ("https://p.example/a", "x=1&locatt=label:mirror&y=%20z", "https://p.example/a?x=1&y=%20z"),
        ("https://p.example/a", "locatt=id:0", "https://p.example/a"),
    ],
)
def test_parameter_passing(client, organisation, target, query, expected):
    register(organisation, "10.5555/params", Url(url=target))
    response = client.get(f"/10.5555/params?{query}")
    assert (response.status_code, response["Location"]) == (302, expected)


@pytest.fixture
def multiple(organisation):
    register(
        organisation,
        "10.5555/multi",
        Url(url="https://publisher.example/multi"),
        Url(url="https://mirror.example/multi", kind="secondary", label="Mirror"),
        Url(url="https://archive.example/multi?v=2", kind="secondary", label="Archive"),
    )


def test_multiple_resolution_lists_every_location_primary_first(client, multiple):
    response = client.get("/10.5555/multi")
    assert response.status_code == 300
    page = response.content.decode()
    positions = [page.index(u) for u in ("publisher.example", "mirror.example", "archive.example")]
    assert positions == sorted(positions)
    assert "Mirror" in page and "Archive" in page and "primary" in page


def test_multiple_resolution_page_passes_parameters_on(client, multiple):
    page = client.get("/10.5555/multi?ref=toc").content.decode()
    assert 'href="https://archive.example/multi?v=2&amp;ref=toc"' in page
    assert 'href="https://publisher.example/multi?ref=toc"' in page


@pytest.mark.parametrize(
    ("locatt", "expected"),
    [
        ("label:Mirror", "https://mirror.example/multi"),
        ("label:archive", "https://archive.example/multi?v=2"),
        ("Mirror", "https://mirror.example/multi"),
        ("id:0", "https://publisher.example/multi"),
        ("id:2", "https://archive.example/multi?v=2"),
    ],
)
def test_locatt_picks_one_location(client, multiple, locatt, expected):
    response = client.get("/10.5555/multi", {"locatt": locatt, "s": "1"})
    assert response.status_code == 302
    assert response["Location"] == expected + ("&" if "?" in expected else "?") + "s=1"


def test_locatt_that_matches_nothing_shows_the_choice(client, multiple):
    response = client.get("/10.5555/multi?locatt=label:nowhere")
    assert response.status_code == 300
    assert "nowhere" in response.content.decode()


def test_content_negotiation_answers_with_metadata(client, organisation):
    register(organisation, "10.5555/neg")
    media_type = formats.MEDIA_TYPES[0]
    response = client.get("/10.5555/NEG", HTTP_ACCEPT=media_type)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(media_type)
    assert "Accept" in response["Vary"]
    assert b"Resolution of persistent identifiers" in response.content


def test_browsers_get_the_redirect(client, organisation):
    register(organisation, "10.5555/neg")
    response = client.get("/10.5555/neg", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 302


def test_unsupported_accept_is_406_with_the_list(client, organisation):
    register(organisation, "10.5555/neg")
    response = client.get("/10.5555/neg", HTTP_ACCEPT="application/x-no-such-format")
    assert response.status_code == 406
    body = response.content.decode()
    assert all(media_type in body for media_type in formats.MEDIA_TYPES)
    assert "application/x-no-such-format" in body


def test_unknown_doi_is_404_with_a_report_form(client, organisation):
    response = client.get("/10.5555/not-here")
    assert response.status_code == 404
    page = response.content.decode()
    assert "10.5555/not-here" in page and "not registered here" in page
    assert "csrfmiddlewaretoken" in page and 'action="/resolver/report"' in page
    assert "Estuary Press" in page  # the prefix is known


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/10.5555", "separated by '/'"),
        ("/10.5555/", "no suffix"),
        ("/10.55x/abc", "not a DOI prefix"),
        ("/doi/11.5555/abc", "not a DOI prefix"),
        ("/doi/", "separated by '/'"),
    ],
)
def test_malformed_doi_is_404_saying_why(client, path, reason):
    response = client.get(path)
    assert response.status_code == 404
    assert reason in html.unescape(response.content.decode())


def report(client, doi: str, **fields):
    client.get(f"/{doi}")  # the 404 page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    data = {"doi": doi, "referrer": "https://blog.example/post", "csrfmiddlewaretoken": token, **fields}
    return client.post("/resolver/report", data)


def test_reporting_an_unknown_doi(organisation):
    client = Client(enforce_csrf_checks=True)
    response = report(client, "10.5555/Not-Here", email="reader@example.org", comment="In a syllabus")
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    stored = DoiErrorReport.objects.get()
    assert (stored.doi, stored.email, stored.comment, stored.organisation) == (
        "10.5555/not-here",
        "reader@example.org",
        "In a syllabus",
        organisation,
    )
    assert stored.referrer == "https://blog.example/post"


def test_reports_without_csrf_token_are_refused(organisation):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/resolver/report", {"doi": "10.5555/x"})
    assert response.status_code == 403
    assert not DoiErrorReport.objects.exists()


def test_the_same_report_twice_is_one_report(organisation):
    client = Client(enforce_csrf_checks=True)
    report(client, "10.5555/gone", email="reader@example.org", comment="first")
    report(client, "10.5555/gone", email="reader@example.org", comment="second")
    stored = DoiErrorReport.objects.get()
    assert "first" in stored.comment and "second" in stored.comment


def test_report_of_an_unknown_prefix_has_no_organisation():
    client = Client(enforce_csrf_checks=True)
    report(client, "10.77777/x")
    assert DoiErrorReport.objects.get().organisation is None


def test_reporting_a_doi_that_resolves_sends_the_reader_there(organisation):
    register(organisation, "10.5555/here")
    client = Client(enforce_csrf_checks=True)
    client.get("/10.5555/nothing")
    token = client.cookies["csrftoken"].value
    response = client.post("/resolver/report", {"doi": "10.5555/here", "csrfmiddlewaretoken": token})
    assert response["Location"] == "/10.5555/here"
    assert not DoiErrorReport.objects.exists()


def test_reports_are_rate_limited(organisation):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.77")
    statuses = [report(client, f"10.5555/missing-{n}").status_code for n in range(22)]
    assert statuses[:20] == [302] * 20 and statuses[20:] == [429, 429]
    assert DoiErrorReport.objects.count() == 20


def test_a_url_that_is_not_a_web_address_is_never_followed(client, organisation):
    register(organisation, "10.5555/js", Url(url="javascript:alert(1)"))
    response = client.get("/10.5555/js")
    assert (response.status_code, response["Location"]) == (302, "/works/10.5555/js")
    assert 'href="javascript' not in client.get(response["Location"]).content.decode()


def test_a_doi_registered_without_a_url_resolves_to_its_landing_page(client, organisation):
    records_register(records=[WorkRecord(doi="10.5555/nourl", type="dataset")], organisation=organisation)
    response = client.get("/10.5555/NOURL?x=1")
    assert (response.status_code, response["Location"]) == (302, "/works/10.5555/nourl")
    assert client.get(response["Location"]).status_code == 200


def test_a_negotiated_answer_names_its_doi_url(client, organisation):
    register(organisation, SICI)
    response = client.get("/" + quote(SICI, safe=""), HTTP_ACCEPT=formats.MEDIA_TYPES[0])
    assert response.status_code == 200
    assert response["Link"] == f'<http://testserver/{quote(SICI.lower(), safe="/")}>; rel="canonical"'
