"""The HTTP interfaces: /match, OpenURL, XML queries, getForwardLinks (Simple Text Query:
test_stq.py)."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from accounts.services import credential_create_role
from linking.matching.services import work_references_match
from linking.models import Work
from linking.records import Reference
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory
from tests.linking.matching.conftest import citing

pytestmark = pytest.mark.django_db

APA = (
    "Okafor, A., & Lindqvist, A. (2001). Quantum coherence in driven spin chains. "
    "Physical Review Letters, 86(3), 1234–1237."
)
QR = "{http://www.crossref.org/qrschema/3.0}"


def test_match_get_answers_the_match_list(client, registry):
    body = client.get("/match", {"task": "reference", "input": APA}).json()
    assert body["status"] == "ok" and body["message-type"] == "match-list"
    (item,) = body["message"]["items"]
    assert item["DOI"] == "10.5555/prl.1" and item["id"] == "https://doi.org/10.5555/prl.1"
    assert 0.5 < item["confidence"] <= 1


def test_match_no_match_is_an_empty_list(client, registry):
    body = client.get("/match", {"input": "Nobody N. Nothing at all. J Nowhere 1950;1:1."}).json()
    assert body["message"]["items"] == []


def test_match_structured_json_in_get_and_post(client, registry):
    fields = {
        "author": "Okafor",
        "year": "2002",
        "journal-title": "Phys Rev Lett",
        "volume": "88",
        "first-page": "2101",
    }
    got = client.get("/match", {"input": json.dumps(fields)}).json()
    assert got["message"]["items"][0]["DOI"] == "10.5555/prl.2"
    posted = client.post("/match", fields, content_type="application/json").json()
    assert posted["message"]["items"][0]["DOI"] == "10.5555/prl.2"


def test_match_post_batch(client, registry):
    inputs = [APA, {"doi": "https://doi.org/10.5555/PRL.3"}, "no such thing 1999"]
    body = client.post(
        "/match", {"task": "reference", "inputs": inputs}, content_type="application/json"
    ).json()
    results = body["message"]["results"]
    assert [r["items"][0]["DOI"] if r["items"] else None for r in results] == [
        "10.5555/prl.1",
        "10.5555/prl.3",
        None,
    ]


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"path": "/match", "data": {"task": "affiliation", "input": "x"}}, "Unknown task"),
        ({"path": "/match", "data": {}}, "input"),
        ({"path": "/match", "data": {"input": "{not json"}}, "does not parse"),
    ],
)
def test_match_get_bad_input(client, db, kwargs, needle):
    response = client.get(kwargs["path"], kwargs["data"])
    assert response.status_code == 400
    assert needle in response.json()["message"][0]["message"]


def test_match_post_bad_input(client, db):
    assert client.post("/match", "not json", content_type="application/json").status_code == 400
    too_many = {"inputs": ["x 1999"] * 101}
    response = client.post("/match", too_many, content_type="application/json")
    assert response.status_code == 400 and "At most 100" in response.json()["message"][0]["message"]
    nested = client.post("/match", {"input": {"author": ["a", "b"]}}, content_type="application/json")
    assert nested.status_code == 400 and "'author'" in nested.json()["message"][0]["message"]


def test_openurl_redirects_and_answers_xml(client, registry):
    query = {
        "aulast": "Okafor",
        "title": "Physical Review Letters",
        "volume": "86",
        "spage": "1234",
        "date": "2001",
    }
    response = client.get("/openurl", {**query, "pid": "me@example.org"})
    assert response.status_code == 302 and response["Location"] == "/10.5555/prl.1"
    assert client.get("/openurl", {"id": "doi:10.5555/PRL.3"})["Location"] == "/10.5555/prl.3"
    xml = client.get("/openurl", {**query, "redirect": "false", "format": "unixref"})
    assert xml.status_code == 200 and xml["Content-Type"].startswith("application/xml")
    root = etree.fromstring(xml.content)
    assert root.tag == "doi_records"
    assert root.find(".//doi_data/doi").text.lower() == "10.5555/prl.1"


def test_openurl_no_match_is_a_clear_404(client, registry):
    response = client.get(
        "/openurl", {"aulast": "Okafor", "title": "Physical Review Letters", "volume": "99", "spage": "1"}
    )
    assert response.status_code == 404 and "No DOI matches" in response.content.decode()
    missing = client.get("/openurl", {"id": "doi:10.5555/none"})
    assert missing.status_code == 404 and "10.5555/none is not registered" in missing.content.decode()
    assert client.get("/openurl").status_code == 400


QUERY_BATCH = """<?xml version="1.0"?>
<query_batch version="2.0" xmlns="http://www.crossref.org/qschema/2.0">
  <head><email_address>lib@example.org</email_address><doi_batch_id>batch-1</doi_batch_id></head>
  <body>
    <query key="q1" enable-multiple-hits="false">
      <issn>0031-9007</issn><journal_title>Phys. Rev. Lett.</journal_title><author>Okafor</author>
      <volume>86</volume><issue>3</issue><first_page>1234</first_page><year>2001</year>
    </query>
    <query key="q2"><journal_title>Phys. Rev. Lett.</journal_title><author>Okafor</author>
      <volume>99</volume><first_page>1</first_page><year>2001</year></query>
    <query key="q3"><volume>1</volume></query>
    <query key="q4"><unstructured_citation>Haddad A. Thermal transport in graphene ribbons.
      Phys Rev Lett 2010;104(5):056802.</unstructured_citation></query>
  </body>
</query_batch>"""


def test_xml_query_xsd_xml(client, registry):
    response = client.post("/servlet/query", {"qdata": QUERY_BATCH, "format": "xsd_xml"})
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.tag == f"{QR}crossref_result"
    assert root.find(f".//{QR}head/{QR}doi_batch_id").text == "batch-1"
    queries = {q.get("key"): q for q in root.iter(f"{QR}query")}
    assert queries["q1"].get("status") == "resolved"
    assert queries["q1"].find(f"{QR}doi").text == "10.5555/prl.1"
    assert queries["q1"].find(f"{QR}doi").get("type") == "journal_article"
    assert queries["q2"].get("status") == "unresolved"
    assert queries["q3"].get("status") == "malformed"
    assert queries["q4"].find(f"{QR}doi").text == "10.5555/prl.3"


def test_xml_query_validates_against_the_output_schema(client, registry, shared_dir):
    schema_path = shared_dir / "schema/crossref-bundle-0.3.1/crossref_query_output3.0.xsd"
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    response = client.post("/servlet/query", {"qdata": QUERY_BATCH})
    schema.assertValid(etree.fromstring(response.content))


def test_xml_query_unixref_and_unixsd(client, registry):
    unixref = etree.fromstring(
        client.get("/servlet/query", {"id": "10.5555/prl.1", "format": "unixref"}).content
    )
    assert unixref.tag == "doi_records" and unixref.find(".//doi_data/doi").text.lower() == "10.5555/prl.1"
    unixsd = etree.fromstring(
        client.post("/servlet/query", {"qdata": QUERY_BATCH, "format": "unixsd"}).content
    )
    resolved = [q for q in unixsd.iter(f"{QR}query") if q.get("status") == "resolved"]
    assert {q.get("key") for q in resolved} == {"q1", "q4"}
    assert all(q.find(f"{QR}doi_record") is not None for q in resolved)


def test_xml_query_refuses_entities_and_bad_input(client, db):
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><query_batch>&e;</query_batch>'
    response = client.post("/servlet/query", {"qdata": evil})
    assert response.status_code == 400 and "DOCTYPE" in response.content.decode()
    assert client.post("/servlet/query", {"qdata": "<query_batch"}).status_code == 400
    assert client.get("/servlet/query", {"id": "10.1/x", "format": "pdf"}).status_code == 400
    assert client.get("/servlet/query").status_code == 400


@pytest.fixture
def cited_by(registry):
    """prl.1 (ours) and a work of another member are both cited by one deposited work."""
    other = OrganisationFactory()
    PrefixFactory(value="10.7777", organisation=other)
    records_register(
        records=[
            citing(
                "10.7777/other.1",
                [Reference(key="a", unstructured=APA), Reference(key="b", doi="10.5555/jcr.1")],
            )
        ],
        organisation=other,
    )
    work_references_match(work_ids=list(Work.objects.values_list("pk", flat=True)))
    return other


def _login(organisation, username):
    _, password = credential_create_role(organisation=organisation, username=username, actor=None)
    return {"usr": username, "pwd": password}


def test_forward_links_for_own_dois(client, registry, cited_by):
    credentials = _login(registry, "owner-role")
    response = client.get("/servlet/getForwardLinks", {**credentials, "doi": "10.5555/prl.1"})
    assert response.status_code == 200
    root = etree.fromstring(response.content)
    (link,) = root.iter(f"{QR}forward_link")
    assert link.get("doi") == "10.5555/prl.1"
    assert link.find(f"{QR}journal_cite/{QR}doi").text == "10.7777/other.1"
    by_prefix = etree.fromstring(
        client.get("/servlet/getForwardLinks", {**credentials, "prefix": "10.5555"}).content
    )
    assert {f.get("doi") for f in by_prefix.iter(f"{QR}forward_link")} == {"10.5555/prl.1", "10.5555/jcr.1"}
    future = client.get(
        "/servlet/getForwardLinks", {**credentials, "prefix": "10.5555", "startDate": "2100-01-01"}
    )
    assert list(etree.fromstring(future.content).iter(f"{QR}forward_link")) == []


def test_forward_links_refuse_another_members_dois(client, registry, cited_by):
    credentials = _login(cited_by, "other-role")
    response = client.get("/servlet/getForwardLinks", {**credentials, "doi": "10.5555/prl.1"})
    assert response.status_code == 403 and "does not belong" in response.content.decode()
    assert client.get("/servlet/getForwardLinks", {**credentials, "prefix": "10.5555"}).status_code == 403
    assert (
        client.get(
            "/servlet/getForwardLinks", {"usr": "other-role", "pwd": "wrong", "doi": "10.5555/prl.1"}
        ).status_code
        == 401
    )


def test_forward_links_validate_dates(client, registry, cited_by):
    credentials = _login(registry, "owner-role2")
    response = client.get(
        "/servlet/getForwardLinks", {**credentials, "doi": "10.5555/prl.1", "startDate": "yesterday"}
    )
    assert response.status_code == 400 and "YYYY-MM-DD" in response.content.decode()
