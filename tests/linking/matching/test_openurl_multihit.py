"""OpenURL `multihit=true`: every passing candidate as XML when the evidence cannot choose
one work; a clear match still redirects (or answers unixref with redirect=false)."""

from __future__ import annotations

import pytest
from lxml import etree

from tests.linking.matching import test_query_options as query_options

pytestmark = [pytest.mark.django_db, pytest.mark.shared]

QR = query_options.QR
works = query_options.works  # the same registry of twins and neighbours, with the same schemas
schemas = query_options.schemas

# Both twins agree with everything this OpenURL says.
TWINS = {
    "aulast": "Moreau",
    "title": "Journal of Coastal Research",
    "volume": "28",
    "spage": "301",
    "date": "2012",
}


def test_without_multihit_an_ambiguous_openurl_is_a_404(client, works):
    response = client.get("/openurl", TWINS)
    assert response.status_code == 404 and "No DOI matches" in response.content.decode()
    assert client.get("/openurl", {**TWINS, "multihit": "false"}).status_code == 404


@pytest.mark.parametrize("flag", ["true", "1"])
def test_multihit_lists_every_passing_candidate(client, works, schemas, flag):
    response = client.get("/openurl", {**TWINS, "multihit": flag, "pid": "me@example.org"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    schemas["xsd_xml"].assertValid(root)
    queries = list(root.iter(f"{QR}query"))
    assert [(q.get("status"), q.findtext(f"{QR}doi")) for q in queries] == [
        ("multiresolved", "10.5555/twin.a"),
        ("multiresolved", "10.5555/twin.b"),
    ]
    assert [q.findtext(f"{QR}issue") for q in queries] == ["3", "4"]


def test_multihit_in_unixref(client, works):
    response = client.get("/openurl", {**TWINS, "multihit": "true", "format": "unixref"})
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == "doi_records"
    assert [r.findtext(".//doi_data/doi") for r in root.iter("doi_record")] == [
        "10.5555/twin.a",
        "10.5555/twin.b",
    ]


def test_multihit_keeps_a_clear_match_as_before(client, works):
    chosen = {**TWINS, "issue": "4", "multihit": "true"}
    response = client.get("/openurl", chosen)
    assert response.status_code == 302 and response["Location"] == "/10.5555/twin.b"
    xml = client.get("/openurl", {**chosen, "redirect": "false"})
    assert xml.status_code == 200
    assert [d.text for d in etree.fromstring(xml.content).iter("doi")] == ["10.5555/twin.b"]


def test_multihit_with_nothing_passing_is_still_a_404(client, works):
    response = client.get("/openurl", {**TWINS, "volume": "99", "spage": "1", "multihit": "true"})
    assert response.status_code == 404
