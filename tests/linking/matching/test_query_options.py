"""`/servlet/query` query options (crossref_query_input2.0.xsd): enable-multiple-hits,
secondary-query, expanded-results, per-element match hints, search-all-authors, and the
malformed attribute values. Every answer is checked against the real output schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from linking.matching.candidates import titles_reset
from linking.records import Contributor, PartialDate, ResourceUrl
from linking.services import records_register
from tests.linking.matching.conftest import OCEAN, PHYS, article

pytestmark = [pytest.mark.django_db, pytest.mark.shared]

QR = "{http://www.crossref.org/qrschema/3.0}"
CR11 = "http://www.crossref.org/xschema/1.1"
ORCID = "https://orcid.org/0000-0002-1825-0097"


def _landing(doi: str) -> list[ResourceUrl]:
    return [ResourceUrl(url=f"https://publisher.example/{doi}")]


def _twin(doi: str, issue: str):
    """The same paper registered twice (the "double trouble" of duplicate DOIs); only the
    issue differs, so a citation without the issue cannot choose between them."""
    work = article(
        doi,
        "Tidal mixing in shallow estuaries",
        ["Moreau", "Ito"],
        2012,
        "28",
        "301",
        container=OCEAN,
        last_page="310",
        issue=issue,
        resource_urls=_landing(doi),
        published_print=PartialDate(2012, 3),
        published_online=PartialDate(2011, 11, 2),
    )
    work.contributors[0] = Contributor(family="Moreau", given="Claire", sequence="first", orcid=ORCID)
    return work


WORKS = [
    _twin("10.5555/twin.a", "3"),
    _twin("10.5555/twin.b", "4"),
    article(
        "10.5555/prl.1",
        "Quantum coherence in driven spin chains",
        ["Okafor", "Lindqvist"],
        2001,
        "86",
        "1234",
        last_page="1237",
        resource_urls=_landing("10.5555/prl.1"),
    ),
    article(
        "10.5555/prl.2",
        "Spin chains out of equilibrium",
        ["Okafor", "Brandt"],
        2002,
        "88",
        "2101",
        resource_urls=_landing("10.5555/prl.2"),
    ),
    article(
        "10.5555/prl.3",
        "Thermal transport in graphene ribbons",
        ["Haddad"],
        2010,
        "104",
        "",
        issue="5",
        article_number="056802",
        container=PHYS,
        resource_urls=_landing("10.5555/prl.3"),
    ),
]


@pytest.fixture
def works(organisation):
    titles_reset()
    records_register(records=WORKS, organisation=organisation, source="import")
    titles_reset()
    return organisation


@pytest.fixture(scope="module")
def schemas(shared_dir, tmp_path_factory):
    """xsd_xml: crossref_query_output3.0.xsd. unixsd embeds unixref 1.1 records in
    `doi_record` (a strict xsd:any), so it needs both schemas: a wrapper imports them."""
    bundle = shared_dir / "schema" / "crossref-bundle-0.3.1"
    output = bundle / "crossref_query_output3.0.xsd"
    wrapper = tmp_path_factory.mktemp("xsd") / "unixsd.xsd"
    imports = [("http://www.crossref.org/qrschema/3.0", output), (CR11, bundle / "unixref1.1.xsd")]
    wrapper.write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        + "".join(f'<xs:import namespace="{ns}" schemaLocation="{Path(p).as_uri()}"/>' for ns, p in imports)
        + "</xs:schema>"
    )
    safe = etree.XMLParser(no_network=True, resolve_entities=False)
    return {
        "xsd_xml": etree.XMLSchema(etree.parse(str(output), safe)),
        "unixsd": etree.XMLSchema(etree.parse(str(wrapper), safe)),
    }


def _valid(root: etree._Element, schemas, output: str) -> etree._Element:
    if output == "unixref":
        # unixref is served without a namespace, as the real service does; its shape is
        # unixref 1.1's, so check a copy moved into that namespace.
        copy = etree.fromstring(etree.tostring(root))
        for element in copy.iter():
            if isinstance(element.tag, str) and not etree.QName(element).namespace:
                element.tag = f"{{{CR11}}}{element.tag}"
        schemas["unixsd"].assertValid(etree.fromstring(etree.tostring(copy)))
    else:
        schemas[output].assertValid(root)
    return root


def batch(*queries: str) -> str:
    return (
        '<?xml version="1.0"?><query_batch version="2.0" xmlns="http://www.crossref.org/qschema/2.0">'
        "<head><email_address>lib@example.org</email_address><doi_batch_id>options-1</doi_batch_id></head>"
        f"<body>{''.join(queries)}</body></query_batch>"
    )


def ask(client, schemas, *queries: str, output: str = "xsd_xml") -> etree._Element:
    response = client.post("/servlet/query", {"qdata": batch(*queries), "format": output})
    assert response.status_code == 200, response.content
    return _valid(etree.fromstring(response.content), schemas, output)


def answers(root: etree._Element) -> list[tuple[str, str, str]]:
    """(key, status, doi) of every query element, in order."""
    return [(q.get("key"), q.get("status"), q.findtext(f"{QR}doi") or None) for q in root.iter(f"{QR}query")]


# Both twins agree with everything this citation says.
TWIN_FIELDS = (
    "<journal_title>Journal of Coastal Research</journal_title><author>Moreau</author>"
    "<volume>28</volume><first_page>301</first_page><year>2012</year>"
)


def twin_query(key: str = "t", attrs: str = "", fields: str = TWIN_FIELDS) -> str:
    return f'<query key="{key}" {attrs}>{fields}</query>'


@pytest.mark.parametrize("value", ["true", "one_hit_per_rule", "multi_hit_per_rule"])
def test_multiple_hits_lists_every_passing_candidate(client, works, schemas, value):
    root = ask(client, schemas, twin_query(attrs=f'enable-multiple-hits="{value}"'), twin_query("plain"))
    assert answers(root) == [
        ("t", "multiresolved", "10.5555/twin.a"),
        ("t", "multiresolved", "10.5555/twin.b"),
        ("plain", "unresolved", None),  # without the option the ambiguity stays unresolved
    ]
    first = next(root.iter(f"{QR}query"))
    assert first.findtext(f"{QR}article_title") == "Tidal mixing in shallow estuaries"
    assert first.findtext(f"{QR}issue") == "3"


def test_multiple_hits_keep_a_clear_match_single(client, works, schemas):
    """With the issue the evidence chooses twin.b, although twin.a passes the threshold too."""
    root = ask(client, schemas, twin_query(attrs='enable-multiple-hits="true"', fields=twin_fields()))
    assert answers(root) == [("t", "resolved", "10.5555/twin.b")]


@pytest.mark.parametrize("output", ["unixref", "unixsd"])
def test_multiple_hits_in_unixref_and_unixsd(client, works, schemas, output):
    root = ask(client, schemas, twin_query(attrs='enable-multiple-hits="true"'), output=output)
    if output == "unixref":
        records = root.findall("doi_record")
        assert [r.get("key") for r in records] == ["t", "t"]
        assert [r.findtext(".//doi_data/doi") for r in records] == ["10.5555/twin.a", "10.5555/twin.b"]
    else:
        queries = list(root.iter(f"{QR}query"))
        assert [(q.get("key"), q.get("status")) for q in queries] == [("t", "multiresolved")] * 2
        dois = [q.findtext(f"{QR}doi_record//{{{CR11}}}doi_data/{{{CR11}}}doi") for q in queries]
        assert dois == ["10.5555/twin.a", "10.5555/twin.b"]


# The full metadata names the wrong volume and page: only author and title are right.
WRONG_NUMBERS = (
    "<journal_title>Phys Rev Lett</journal_title><author>Okafor</author><volume>99</volume>"
    "<first_page>1</first_page><year>2001</year>"
)
TITLE = "<article_title>Quantum coherence in driven spin chains</article_title>"


def test_secondary_query_author_title(client, works, schemas):
    root = ask(
        client,
        schemas,
        f'<query key="secondary" secondary-query="author-title">{WRONG_NUMBERS}{TITLE}</query>',
        f'<query key="none">{WRONG_NUMBERS}{TITLE}</query>',
        f'<query key="no-title" secondary-query="author-title">{WRONG_NUMBERS}</query>',
    )
    assert answers(root) == [
        ("secondary", "resolved", "10.5555/prl.1"),
        ("none", "unresolved", None),
        ("no-title", "unresolved", None),
    ]
    modes = [q.get("query_mode") for q in root.iter(f"{QR}query")]
    assert modes == ["author-title", None, None]


def test_secondary_query_with_multiple_hits(client, works, schemas):
    fields = (
        "<journal_title>Journal of Coastal Research</journal_title><author>Moreau</author>"
        "<volume>99</volume><first_page>1</first_page><year>2012</year>"
        "<article_title>Tidal mixing in shallow estuaries</article_title>"
    )
    root = ask(
        client,
        schemas,
        twin_query("both", 'secondary-query="author-title-multiple-hits"', fields),
        twin_query("title-only", 'secondary-query="author-title"', fields),
    )
    assert answers(root) == [
        ("both", "multiresolved", "10.5555/twin.a"),
        ("both", "multiresolved", "10.5555/twin.b"),
        ("title-only", "unresolved", None),
    ]
    assert {q.get("query_mode") for q in root.iter(f"{QR}query") if q.get("key") == "both"} == {
        "author-title"
    }


def test_expanded_results_add_what_the_schema_defines(client, works, schemas):
    root = ask(
        client,
        schemas,
        twin_query("expanded", 'expanded-results="true"', twin_fields()),
        twin_query("basic", "", twin_fields()),
        '<query key="number" expanded-results="1"><journal_title>Phys Rev Lett</journal_title>'
        "<author>Haddad</author><volume>104</volume><issue>5</issue><year>2010</year>"
        "<article_title>Thermal transport in graphene ribbons</article_title></query>",
    )
    expanded, basic, number = root.iter(f"{QR}query")
    assert expanded.get("status") == basic.get("status") == "resolved"
    people = expanded.findall(f"{QR}contributors/{QR}contributor")
    assert [(p.findtext(f"{QR}given_name"), p.findtext(f"{QR}surname")) for p in people] == [
        ("Claire", "Moreau"),
        ("A.", "Ito"),
    ]
    assert [p.get("sequence") for p in people] == ["first", "additional"]
    assert people[0].findtext(f"{QR}ORCID") == ORCID
    assert expanded.find(f"{QR}author") is None
    assert expanded.findtext(f"{QR}last_page") == "310"
    years = [(y.text, y.get("media_type")) for y in expanded.findall(f"{QR}year")]
    assert years == [("2012", "print"), ("2011", "online")]
    assert expanded.findtext(f"{QR}article_title") == basic.findtext(f"{QR}article_title")
    # Without the option: the first author only, one year, no last page.
    assert basic.findtext(f"{QR}author") == "Moreau" and basic.find(f"{QR}contributors") is None
    assert basic.find(f"{QR}last_page") is None
    assert [y.text for y in basic.findall(f"{QR}year")] == ["2012"]
    assert number.findtext(f"{QR}doi") == "10.5555/prl.3"
    assert number.findtext(f"{QR}item_number") == "056802"


def test_match_optional_lets_a_field_be_dropped(client, works, schemas):
    fields = (
        "<journal_title>Physical Review Letters</journal_title><author>Okafor</author>"
        "<first_page>1234</first_page><year>2001</year>"
    )
    root = ask(
        client,
        schemas,
        f'<query key="optional">{fields}<volume match="optional fuzzy">99</volume></query>',
        f'<query key="required">{fields}<volume>99</volume></query>',
    )
    assert answers(root) == [("optional", "resolved", "10.5555/prl.1"), ("required", "unresolved", None)]


def test_match_exact_keeps_only_equal_values(client, works, schemas):
    fields = "<author>Okafor</author><volume>86</volume><first_page>1234</first_page><year>2001</year>"
    root = ask(
        client,
        schemas,
        f'<query key="fuzzy"><journal_title match="fuzzy">Phys Rev Lett</journal_title>{fields}</query>',
        f'<query key="short"><journal_title match="exact">Phys. Rev. Lett.</journal_title>{fields}</query>',
        f'<query key="other"><journal_title match="exact">Phys Rev Letters</journal_title>{fields}</query>',
        f'<query key="empty"><journal_title match="">Phys Rev Letters</journal_title>{fields}</query>',
    )
    assert answers(root) == [
        ("fuzzy", "resolved", "10.5555/prl.1"),
        ("short", "resolved", "10.5555/prl.1"),  # the registered abbreviation, as written
        ("other", "unresolved", None),
        ("empty", "unresolved", None),  # an empty list is neither optional nor fuzzy: exact
    ]


def test_match_null_wants_a_work_without_the_field(client, works, schemas):
    fields = (
        "<journal_title>Physical Review Letters</journal_title><volume>{volume}</volume><year>{year}</year>"
    )
    root = ask(
        client,
        schemas,
        '<query key="no-page"><author>Haddad</author><issue>5</issue><first_page match="null"/>'
        + fields.format(volume="104", year="2010")
        + "<article_title>Thermal transport in graphene ribbons</article_title></query>",
        '<query key="has-page"><author>Okafor</author><first_page match="null"/>'
        + fields.format(volume="86", year="2001")
        + f"{TITLE}</query>",
    )
    assert answers(root) == [("no-page", "resolved", "10.5555/prl.3"), ("has-page", "unresolved", None)]


def test_exact_mode_compares_every_value_and_lists_the_hits(client, works, schemas):
    root = ask(
        client,
        schemas,
        twin_query("exact", 'enable-multiple-hits="exact"'),
        twin_query(
            "abbreviated",
            'enable-multiple-hits="exact"',
            TWIN_FIELDS.replace("Journal of Coastal Research", "J Coast Res"),
        ),
        # the matcher itself knows the abbreviation: only the exact comparison turns it down
        twin_query(
            "abbreviated-fuzzy",
            'enable-multiple-hits="true"',
            TWIN_FIELDS.replace("Journal of Coastal Research", "J Coast Res"),
        ),
        # hints are ignored in this mode: the wrong volume is not dropped
        twin_query(
            "hinted",
            'enable-multiple-hits="exact"',
            TWIN_FIELDS.replace("<volume>28</volume>", '<volume match="optional">99</volume>'),
        ),
        twin_query(
            "null-ignored",
            'enable-multiple-hits="exact"',
            TWIN_FIELDS.replace("<first_page>", '<first_page match="null">'),
        ),
    )
    assert answers(root) == [
        ("exact", "multiresolved", "10.5555/twin.a"),
        ("exact", "multiresolved", "10.5555/twin.b"),
        ("abbreviated", "unresolved", None),
        ("abbreviated-fuzzy", "multiresolved", "10.5555/twin.a"),
        ("abbreviated-fuzzy", "multiresolved", "10.5555/twin.b"),
        ("hinted", "unresolved", None),
        ("null-ignored", "multiresolved", "10.5555/twin.a"),
        ("null-ignored", "multiresolved", "10.5555/twin.b"),
    ]


def test_search_all_authors_is_accepted(client, works, schemas):
    """The matcher compares the first author only: a co-author's name neither helps nor
    blocks a match (journal, volume, page and year decide here), with the option or without."""
    fields = (
        "<journal_title>Physical Review Letters</journal_title><volume>86</volume>"
        "<first_page>1234</first_page><year>2001</year>"
    )
    root = ask(
        client,
        schemas,
        f'<query key="all"><author search-all-authors="true">Lindqvist</author>{fields}</query>',
        f'<query key="first"><author search-all-authors="false">Lindqvist</author>{fields}</query>',
    )
    assert answers(root) == [("all", "resolved", "10.5555/prl.1"), ("first", "resolved", "10.5555/prl.1")]


def twin_fields(**elements: str) -> str:
    """The twins' citation with the issue that picks twin.b; `elements` replace its elements."""
    parts = {
        "journal_title": "<journal_title>Journal of Coastal Research</journal_title>",
        "author": "<author>Moreau</author>",
        "volume": "<volume>28</volume>",
        "issue": "<issue>4</issue>",
        "first_page": "<first_page>301</first_page>",
        "year": "<year>2012</year>",
    }
    return "".join({**parts, **elements}.values())


@pytest.mark.parametrize(
    ("attrs", "elements", "needle"),
    [
        ('enable-multiple-hits="sometimes"', {}, "enable-multiple-hits may be"),
        ('secondary-query="title-only"', {}, "secondary-query may be"),
        ('expanded-results="yes"', {}, "expanded-results must be true or false"),
        ('forward-match="maybe"', {}, "forward-match must be true or false"),
        ("", {"issue": '<issue match="optional">4</issue>'}, "issue/@match may be exact fuzzy"),
        ("", {"year": '<year match="optional exact">2012</year>'}, "year/@match takes one value"),
        ("", {"volume": '<volume match="exact fuzzy">28</volume>'}, "exact cannot be combined"),
        ("", {"author": '<author search-all-authors="often">Moreau</author>'}, "search-all-authors must be"),
    ],
)
def test_malformed_attributes_make_the_query_malformed(client, works, schemas, attrs, elements, needle):
    root = ask(
        client,
        schemas,
        twin_query("bad", attrs, twin_fields(**elements)),
        twin_query("good", "", twin_fields()),
    )
    bad, good = root.iter(f"{QR}query")
    assert bad.get("status") == "malformed" and needle in bad.findtext(f"{QR}msg")
    assert good.get("status") == "resolved" and good.findtext(f"{QR}doi") == "10.5555/twin.b"


def test_unknown_attributes_are_ignored(client, works, schemas):
    fields = twin_fields(author='<author weight="2">Moreau</author>', issue='<issue frobnicate="x">4</issue>')
    root = ask(
        client,
        schemas,
        twin_query("t", 'colour="blue" list-components="false" forward-match="0"', fields),
        '<query key="u"><unstructured_citation match="exact">Haddad A. Thermal transport in graphene '
        "ribbons. Phys Rev Lett 2010;104(5):056802.</unstructured_citation></query>",
    )
    assert answers(root) == [("t", "resolved", "10.5555/twin.b"), ("u", "resolved", "10.5555/prl.3")]


def test_unresolved_answers_echo_only_values_the_output_schema_accepts(client, works, schemas):
    """A year like 1998a or an ISBN the output schema cannot hold is left out of the echo."""
    root = ask(
        client,
        schemas,
        '<query key="odd"><journal_title>Nowhere Journal</journal_title><author>Nobody</author>'
        "<isbn>0-306-40615-2</isbn><year>1998a</year><first_page>7</first_page></query>",
    )
    (query,) = root.iter(f"{QR}query")
    assert query.get("status") == "unresolved"
    assert query.findtext(f"{QR}author") == "Nobody" and query.find(f"{QR}year") is None
    assert query.find(f"{QR}isbn").get("type") == "print"
