"""OAI-PMH at /oai: the six verbs, sets per member and prefix, date windows, resumption
tokens over keyset pages, and every protocol error in its XML shape. Responses are
validated against the OAI-PMH schema from shared/schema (a test marked shared)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from linking.models import Work
from linking.records import Container, Contributor, PartialDate, WorkRecord
from linking.records import ResourceUrl as Url
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = pytest.mark.django_db

OAI = "{http://www.openarchives.org/OAI/2.0/}"
CR = "{http://www.crossref.org/xschema/1.1}"
DC = "{http://purl.org/dc/elements/1.1/}"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True)
START = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
TYPES = ["journal-article", "book-chapter", "dataset", "peer-review", "posted-content"]


def record(doi: str, n: int) -> WorkRecord:
    kind = TYPES[n % len(TYPES)]
    return WorkRecord(
        doi=doi,
        type=kind,
        titles=[f"Harvestable work {n}"],
        container=Container(
            kind="journal", titles=["Coastal Letters"], issns=[{"value": "1234-5679", "type": "print"}]
        )
        if kind == "journal-article"
        else None,
        contributors=[Contributor(sequence="first", given="Mere", family=f"Parata{n}")],
        issued=PartialDate(2020 + n % 5, 1 + n % 12),
        resource_urls=[Url(url=f"https://publisher.example/{n}")],
    )


@pytest.fixture
def registry():
    """37 works: 25 of one member (prefix 10.5555), 12 of another (10.6666), each indexed a
    minute after the one before, from 2025-03-01T12:00:00Z; the last three in the same second."""
    first, second = OrganisationFactory(member_id=5555), OrganisationFactory(member_id=6666)
    PrefixFactory(value="10.5555", organisation=first)
    PrefixFactory(value="10.6666", organisation=second)
    records_register(records=[record(f"10.5555/w.{n}", n) for n in range(25)], organisation=first)
    records_register(records=[record(f"10.6666/w.{n}", n) for n in range(12)], organisation=second)
    works = list(Work.objects.order_by("doi"))
    for position, work in enumerate(works):
        moment = START + timedelta(minutes=min(position, 34))
        Work.objects.filter(pk=work.pk).update(indexed_at=moment + timedelta(microseconds=position))
    return {"first": first, "second": second, "works": works}


def oai(client, method="get", **params) -> etree._Element:
    response = getattr(client, method)("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.content, SAFE)
    assert root.tag == f"{OAI}OAI-PMH"
    assert root.find(f"{OAI}responseDate").text.endswith("Z")
    return root


def error_of(root) -> tuple[str, str]:
    error = root.find(f"{OAI}error")
    assert error is not None, etree.tostring(root)
    return error.get("code"), error.text


def harvest(client, verb: str, **params) -> tuple[list[etree._Element], list[etree._Element]]:
    """Every item of a list through its resumption tokens; and the tokens."""
    items, tokens = [], []
    root = oai(client, verb=verb, **params)
    while True:
        holder = root.find(f"{OAI}{verb}")
        assert holder is not None, etree.tostring(root)
        items += [c for c in holder if c.tag != f"{OAI}resumptionToken"]
        token = holder.find(f"{OAI}resumptionToken")
        if token is None:
            return items, tokens
        tokens.append(token)
        if not token.text:
            return items, tokens
        root = oai(client, verb=verb, resumptionToken=token.text)


def identifiers(items) -> list[str]:
    return [
        (i.find(f"{OAI}header") if i.tag == f"{OAI}record" else i).find(f"{OAI}identifier").text
        for i in items
    ]


def test_identify(client, registry):
    root = oai(client, verb="Identify")
    identify = root.find(f"{OAI}Identify")
    assert root.find(f"{OAI}request").get("verb") == "Identify"
    values = {etree.QName(c).localname: c.text for c in identify}
    assert values["baseURL"] == "http://testserver/oai"
    assert values["protocolVersion"] == "2.0"
    assert values["earliestDatestamp"] == "2025-03-01T12:00:00Z"
    assert values["granularity"] == "YYYY-MM-DDThh:mm:ssZ"
    assert values["deletedRecord"] == "no"


def test_list_metadata_formats(client, registry):
    root = oai(client, verb="ListMetadataFormats")
    prefixes = [f.find(f"{OAI}metadataPrefix").text for f in root.iter(f"{OAI}metadataFormat")]
    assert prefixes == ["oai_dc", "cr_unixml", "unixref", "cr_unixsd"]
    root = oai(client, verb="ListMetadataFormats", identifier="info:doi/10.5555/W.3")
    assert len(list(root.iter(f"{OAI}metadataFormat"))) == 4
    assert (
        error_of(oai(client, verb="ListMetadataFormats", identifier="info:doi/10.5555/none"))[0]
        == "idDoesNotExist"
    )


def test_list_sets_names_members_and_prefixes(client, registry):
    root = oai(client, verb="ListSets")
    specs = [s.find(f"{OAI}setSpec").text for s in root.iter(f"{OAI}set")]
    assert specs == ["member", "member:5555", "member:6666", "prefix", "prefix:10.5555", "prefix:10.6666"]


def test_list_identifiers_harvests_everything_once_through_tokens(client, registry, settings):
    settings.OAI_PAGE_SIZE = 10
    items, tokens = harvest(client, "ListIdentifiers", metadataPrefix="oai_dc")
    expected = [f"info:doi/{w.doi}" for w in Work.objects.order_by("indexed_at", "id")]
    assert identifiers(items) == expected and len(expected) == 37
    assert [(t.get("completeListSize"), t.get("cursor")) for t in tokens] == [
        ("37", "0"),
        ("37", "10"),
        ("37", "20"),
        ("37", "30"),
    ]
    assert tokens[-1].text is None  # the last page says the list is complete
    header = items[0]
    assert header.find(f"{OAI}datestamp").text == "2025-03-01T12:00:00Z"
    assert [s.text for s in header.findall(f"{OAI}setSpec")] == ["member:5555", "prefix:10.5555"]


def test_a_page_that_fits_has_no_token(client, registry, settings):
    settings.OAI_PAGE_SIZE = 100
    root = oai(client, verb="ListIdentifiers", metadataPrefix="cr_unixml")
    holder = root.find(f"{OAI}ListIdentifiers")
    assert len(holder) == 37 and holder.find(f"{OAI}resumptionToken") is None


def test_list_records_of_a_set_in_dublin_core(client, registry, settings):
    settings.OAI_PAGE_SIZE = 5
    items, _ = harvest(client, "ListRecords", metadataPrefix="oai_dc", set="member:6666")
    assert sorted(identifiers(items)) == sorted(f"info:doi/10.6666/w.{n}" for n in range(12))
    items, _ = harvest(client, "ListRecords", metadataPrefix="oai_dc", set="prefix:10.5555")
    assert len(items) == 25
    dc = items[0].find(f"{OAI}metadata")[0]
    assert dc.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    values = [(etree.QName(c).localname, c.text) for c in dc]
    assert ("title", "Harvestable work 0") in values
    assert ("creator", "Mere Parata0") in values
    assert ("identifier", "info:doi/10.5555/w.0") in values
    assert ("source", "ISSN 1234-5679") in values


def test_from_and_until_are_inclusive_at_both_granularities(client, registry, settings):
    settings.OAI_PAGE_SIZE = 100
    by_time = list(Work.objects.order_by("indexed_at", "id"))

    def window(**params):
        items, _ = harvest(client, "ListIdentifiers", metadataPrefix="oai_dc", **params)
        return identifiers(items)

    # minutes 5..9 inclusive: seconds granularity
    got = window(**{"from": "2025-03-01T12:05:00Z", "until": "2025-03-01T12:09:00Z"})
    assert got == [f"info:doi/{w.doi}" for w in by_time[5:10]]
    # the last three share the second 12:34:00 and all come
    assert len(window(**{"from": "2025-03-01T12:34:00Z"})) == 3
    # day granularity: the whole day
    assert len(window(**{"from": "2025-03-01", "until": "2025-03-01"})) == 37
    assert error_of(
        oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": "2025-03-02"})
    ) == (
        "noRecordsMatch",
        "No record matches these arguments.",
    )


def test_get_record_in_every_format(client, registry):
    root = oai(client, verb="GetRecord", identifier="info:doi/10.5555/w.0", metadataPrefix="cr_unixml")
    metadata = root.find(f"{OAI}GetRecord/{OAI}record/{OAI}metadata")
    crossref = metadata[0]
    assert crossref.tag == f"{CR}crossref"
    assert crossref.find(f".//{CR}doi_data/{CR}doi").text == "10.5555/w.0"
    assert crossref.find(f".//{CR}journal_article/{CR}titles/{CR}title").text == "Harvestable work 0"
    root = oai(client, verb="GetRecord", identifier="info:doi/10.5555/W.1", metadataPrefix="unixref")
    assert root.find(f".//{CR}content_item") is not None  # a book chapter
    root = oai(client, verb="GetRecord", identifier="info:doi/10.5555/w.2", metadataPrefix="cr_unixsd")
    assert root.find(".//{http://www.crossref.org/qrschema/3.0}doi").text == "10.5555/w.2"
    root = oai(client, verb="GetRecord", identifier="info:doi/10.5555/w.3", metadataPrefix="oai_dc")
    assert root.find(f".//{DC}title").text == "Harvestable work 3"


def test_post_is_answered_like_get(client, registry):
    root = oai(
        client, method="post", verb="GetRecord", identifier="info:doi/10.5555/w.0", metadataPrefix="oai_dc"
    )
    assert root.find(f".//{DC}title").text == "Harvestable work 0"


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "badVerb"),
        ({"verb": "ListEverything"}, "badVerb"),
        ({"verb": "ListRecords"}, "badArgument"),
        ({"verb": "Identify", "extra": "1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
        (
            {
                "verb": "ListRecords",
                "metadataPrefix": "oai_dc",
                "from": "2025-03-01",
                "until": "2025-03-01T00:00:00Z",
            },
            "badArgument",
        ),
        (
            {"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-03-02", "until": "2025-03-01"},
            "badArgument",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "journal:1"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "x"}, "badArgument"),
        ({"verb": "GetRecord", "identifier": "info:doi/10.5555/w.0"}, "badArgument"),
        ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
        (
            {"verb": "GetRecord", "identifier": "info:doi/10.5555/w.0", "metadataPrefix": "mods"},
            "cannotDisseminateFormat",
        ),
        (
            {"verb": "GetRecord", "identifier": "info:doi/10.5555/nothing", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        (
            {"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "oai_dc"},
            "idDoesNotExist",
        ),
        ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "member:999"}, "noRecordsMatch"),
        ({"verb": "ListRecords", "resumptionToken": "not-a-token"}, "badResumptionToken"),
        ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ],
)
def test_protocol_errors(client, registry, params, code):
    root = oai(client, **params)
    assert error_of(root)[0] == code
    assert root.find(f"{OAI}error").text  # says what is wrong
    request = root.find(f"{OAI}request")
    assert request.text == "http://testserver/oai"
    if code in ("badVerb", "badArgument"):
        assert dict(request.attrib) == {}  # the spec: only the base URL for these two
    assert [etree.QName(c).localname for c in root] == ["responseDate", "request", "error"]


def test_repeated_argument_is_bad(client, registry):
    response = client.get("/oai?verb=Identify&verb=Identify")
    assert error_of(etree.fromstring(response.content, SAFE))[0] == "badArgument"


def test_tokens_are_signed_and_tied_to_their_verb(client, registry, settings):
    settings.OAI_PAGE_SIZE = 10
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find(f".//{OAI}resumptionToken").text
    assert error_of(oai(client, verb="ListRecords", resumptionToken=token))[0] == "badResumptionToken"
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert error_of(oai(client, verb="ListIdentifiers", resumptionToken=tampered))[0] == "badResumptionToken"
    # the same token twice gives the same page: tokens are positions, not server state
    again = [oai(client, verb="ListIdentifiers", resumptionToken=token) for _ in range(2)]
    assert etree.tostring(again[0].find(f"{OAI}ListIdentifiers")) == etree.tostring(
        again[1].find(f"{OAI}ListIdentifiers")
    )


def test_a_work_reindexed_during_a_harvest_comes_again_at_the_end(client, registry, settings):
    """Keyset order on (indexed_at, id): a change made while harvesting is not lost."""
    settings.OAI_PAGE_SIZE = 10
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find(f".//{OAI}resumptionToken").text
    first_page = identifiers(root.find(f"{OAI}ListIdentifiers").findall(f"{OAI}header"))
    changed = Work.objects.get(doi=first_page[0].removeprefix("info:doi/"))
    Work.objects.filter(pk=changed.pk).update(indexed_at=START + timedelta(hours=1))
    rest, _ = [], None
    while token:
        root = oai(client, verb="ListIdentifiers", resumptionToken=token)
        holder = root.find(f"{OAI}ListIdentifiers")
        rest += identifiers(holder.findall(f"{OAI}header"))
        node = holder.find(f"{OAI}resumptionToken")
        token = node.text if node is not None else None
    assert rest[-1] == first_page[0]
    assert len(set(first_page) | set(rest)) == 37


# -- schema ----------------------------------------------------------------------------------------

LAX_DC = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  targetNamespace="http://www.openarchives.org/OAI/2.0/oai_dc/" elementFormDefault="qualified">
  <xs:element name="dc"><xs:complexType><xs:sequence>
    <xs:any namespace="http://purl.org/dc/elements/1.1/" processContents="skip"
            minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence><xs:anyAttribute namespace="##other" processContents="skip"/></xs:complexType></xs:element>
</xs:schema>"""


@pytest.fixture
def oai_schema(shared_dir, tmp_path) -> etree.XMLSchema:
    """OAI-PMH.xsd and unixref 1.1 from shared/schema, and a lax stand-in for oai_dc.xsd
    (not in shared/schema): Dublin Core elements are checked by the tests above instead."""
    bundle = shared_dir / "schema" / "crossref-bundle-0.3.1"
    (tmp_path / "oai_dc.xsd").write_text(LAX_DC)
    wrapper = tmp_path / "all.xsd"
    imports = [
        ("http://www.openarchives.org/OAI/2.0/", bundle / "OAI-PMH.xsd"),
        ("http://www.openarchives.org/OAI/2.0/oai_dc/", tmp_path / "oai_dc.xsd"),
        ("http://www.crossref.org/xschema/1.1", bundle / "unixref1.1.xsd"),
    ]
    wrapper.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        + "".join(f'<xs:import namespace="{ns}" schemaLocation="{Path(p).as_uri()}"/>' for ns, p in imports)
        + "</xs:schema>"
    )
    return etree.XMLSchema(etree.parse(str(wrapper), SAFE))


@pytest.mark.shared
def test_responses_are_valid_oai_pmh(client, registry, settings, oai_schema):
    settings.OAI_PAGE_SIZE = 10
    requests = [
        {"verb": "Identify"},
        {"verb": "ListMetadataFormats"},
        {"verb": "ListSets"},
        {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "member:5555"},
        {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        # unixref of the types whose synthetic records here are complete enough for the
        # schema (its peer_review wants a review relation and a full review date)
        *(
            {"verb": "GetRecord", "identifier": f"info:doi/10.5555/w.{n}", "metadataPrefix": "cr_unixml"}
            for n in (0, 1, 2, 4)
        ),
        {"verb": "GetRecord", "identifier": "info:doi/10.5555/w.1", "metadataPrefix": "oai_dc"},
        {"verb": "Nope"},
        {"verb": "ListRecords", "metadataPrefix": "x"},
    ]
    for params in requests:
        root = oai(client, **params)
        assert oai_schema.validate(root), (params, oai_schema.error_log.last_error.message)
    settings.OAI_PAGE_SIZE = 30  # the last page of a resumed list, with its empty token
    token = oai(client, verb="ListRecords", metadataPrefix="oai_dc").find(f".//{OAI}resumptionToken").text
    last = oai(client, verb="ListRecords", resumptionToken=token)
    assert last.find(f".//{OAI}resumptionToken").get("cursor") == "30"
    assert oai_schema.validate(last), oai_schema.error_log.last_error
