"""The deposit parser on small hand-written documents: the cases the real samples do not
cover (missing DOIs, impossible dates, old element names, other namespaces, streaming,
structures no reader expects). These trees are not schema-validated; the parser must still
behave."""

from __future__ import annotations

import pytest
from lxml import etree

from deposits.errors import ErrorCode, Severity
from deposits.xml.parse import parse_body_item, parse_deposit_tree, parse_head, records_from_item_element
from deposits.xml.parse.base import make_date
from deposits.xml.parse.programs import funder_id, parse_timestamp
from linking.records import PartialDate, work_record_from_json

NS = "http://www.crossref.org/schema/5.3.1"


def doc(body: str, *, ns: str = NS, head: str | None = None, extra_ns: str = "") -> etree._ElementTree:
    head = (
        head
        if head is not None
        else (
            "<head><doi_batch_id>b-1</doi_batch_id><timestamp>20240101000000</timestamp>"
            "<depositor><depositor_name>Press</depositor_name><email_address>a@b.org</email_address></depositor>"
            "<registrant>Press</registrant></head>"
        )
    )
    xmlns = f' xmlns="{ns}"' if ns else ""
    text = f'<doi_batch{xmlns}{extra_ns} version="x">{head}<body>{body}</body></doi_batch>'
    return etree.ElementTree(etree.fromstring(text.encode()))


ARTICLE = """
<journal>
  <journal_metadata>
    <full_title>J Tests</full_title><issn media_type="print">1234-5678</issn>
  </journal_metadata>
  <journal_issue>
    <publication_date media_type="print">
      <month>{month}</month><day>{day}</day><year>2021</year>
    </publication_date>
    <journal_volume><volume>7</volume></journal_volume><issue>2</issue>
  </journal_issue>
  <journal_article>
    <titles><title>Effects of <i>E. coli</i> on H<sub>2</sub>O</title></titles>
    <contributors>
      <person_name sequence="first" contributor_role="author">
        <given_name>Ann</given_name><surname>Lee</surname>
        <ORCID>http://orcid.org/0000-0002-1825-009x</ORCID></person_name>
    </contributors>
    <pages><first_page>10</first_page><last_page>12</last_page><other_pages>14</other_pages></pages>
    <doi_data><doi>{doi}</doi><timestamp>20240102000000</timestamp><resource>https://example.org/a</resource>
      <collection property="list-based"><item label="MIRROR"><resource>https://mirror.example/a</resource></item></collection>
      <collection property="country-based"><item country="FR"><resource>https://fr.example/a</resource></item></collection>
    </doi_data>
  </journal_article>
</journal>
"""


def article(doi: str = "10.5555/ABC", month: str = "02", day: str = "03", **kwargs) -> etree._ElementTree:
    return doc(ARTICLE.format(doi=doi, month=month, day=day), **kwargs)


# --------------------------------------------------------------------------- head


def test_head_fields_and_the_pre_434_depositor_name():
    head = parse_head(
        etree.fromstring(
            "<head><doi_batch_id>x1</doi_batch_id><timestamp> 123456789012345678901234567890 </timestamp>"
            "<depositor><name>Old Press</name><email_address>o@p.org</email_address></depositor></head>"
        )
    )
    assert head.doi_batch_id == "x1" and head.depositor_name == "Old Press"
    assert head.timestamp == 123456789012345678901234567890 and head.depositor_email == "o@p.org"
    assert head.registrant == ""


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("20190115142652436", 20190115142652436),
        ("1.5E13", 15000000000000),
        ("-4", None),
        ("soon", None),
        ("", None),
    ],
)
def test_timestamps(value, number):
    assert parse_timestamp(value) == number


# --------------------------------------------------------------------------- namespaces


@pytest.mark.parametrize(
    "ns", [NS, "http://www.crossref.org/schema/4.3.0", "http://www.crossref.org/xschema/1.1", ""]
)
def test_elements_are_matched_by_local_name_in_any_namespace(ns):
    deposit = parse_deposit_tree(article(ns=ns))
    (item,) = deposit.records
    record = item.record
    assert (item.doi, item.path) == ("10.5555/abc", "/doi_batch/body/journal/journal_article")
    assert record.type == "journal-article" and record.titles == [
        "Effects of <i>E. coli</i> on H<sub>2</sub>O"
    ]
    assert record.container.titles == ["J Tests"] and (record.volume, record.issue) == ("7", "2")
    assert record.contributors[0].orcid == "https://orcid.org/0000-0002-1825-009X"
    assert (record.first_page, record.last_page, record.extra["other-pages"]) == ("10", "12", "14")
    assert record.issued == record.published_print == PartialDate(2021, 2, 3)  # from the issue
    assert record.deposit_timestamp == 20240102000000  # doi_data/timestamp beats the head's
    assert [(u.kind, u.label, u.url) for u in record.resource_urls] == [
        ("primary", "", "https://example.org/a"),
        ("secondary", "MIRROR", "https://mirror.example/a"),
        ("secondary", "FR", "https://fr.example/a"),
    ]
    assert work_record_from_json(record.to_json()) == record


def test_records_from_item_element_reads_one_content_element():
    journal = article().getroot().find(f"{{{NS}}}body/{{{NS}}}journal")
    (record,) = records_from_item_element(journal)
    assert record.doi == "10.5555/abc" and record.type == "journal-article"
    unixref = etree.fromstring(
        '<crossref xmlns="http://www.crossref.org/xschema/1.1"><book book_type="reference">'
        "<book_metadata><titles><title>Handbook</title></titles><isbn>978-3-16-148410-0</isbn>"
        "<doi_data><doi>10.1000/hb</doi><resource>https://e.org/hb</resource></doi_data></book_metadata>"
        '<content_item component_type="reference_entry"><titles><title>Entry</title></titles>'
        "<doi_data><doi>10.1000/hb.1</doi><resource>https://e.org/hb/1</resource></doi_data></content_item>"
        "</book></crossref>"
    )
    book, entry = records_from_item_element(unixref)
    assert (book.type, entry.type) == ("reference-book", "reference-entry")
    assert entry.container.isbns == [{"value": "978-3-16-148410-0", "type": "print"}]


# --------------------------------------------------------------------------- problems


def test_a_record_without_a_doi_is_an_error_for_that_record_only():
    tree = doc(
        ARTICLE.format(doi=" ", month="01", day="01")
        + '<posted_content type="report"><titles><title>P</title></titles>'
        "<posted_date><year>2020</year></posted_date>"
        "<doi_data><doi>10.5555/pc</doi><resource>https://e.org/pc</resource></doi_data></posted_content>"
    )
    missing, posted = parse_deposit_tree(tree).records
    assert (missing.doi, missing.record) == ("", None)
    (found,) = missing.problems
    assert found.code is ErrorCode.RECORD_DOI_MISSING and found.severity is Severity.ERROR
    assert found.path == "/doi_batch/body/journal/journal_article" and "<journal_article>" in found.message
    assert (posted.record.type, posted.record.subtype, posted.path) == (
        "posted-content",
        "report",
        "/doi_batch/body/posted_content",
    )


def test_an_impossible_day_is_dropped_with_a_warning_and_seasons_quietly():
    (item,) = parse_deposit_tree(article(month="02", day="30")).records
    assert item.record.issued == PartialDate(2021, 2)
    (warning,) = item.problems
    assert warning.code is ErrorCode.DATE_NOT_CALENDAR and warning.severity is Severity.WARNING
    assert (
        warning.doi == "10.5555/abc"
        and "day 30 of month 2" in warning.message
        and "2021-02" in warning.message
    )
    assert warning.path == "/doi_batch/body/journal/journal_issue/publication_date"
    (item,) = parse_deposit_tree(article(month="22", day="01")).records  # summer
    assert item.record.issued == PartialDate(2021) and item.problems == []


@pytest.mark.parametrize(
    ("parts", "date", "dropped"),
    [
        ((2021, 13, 1), PartialDate(2021), "month 13"),
        ((2021, 31, None), PartialDate(2021), None),
        ((2020, 2, 29), PartialDate(2020, 2, 29), None),
        (("x", 1, 1), None, None),
    ],
)
def test_make_date(parts, date, dropped):
    assert make_date(*parts) == (date, dropped)


def test_an_unknown_body_element_is_a_warning():
    (item,) = parse_deposit_tree(doc("<journal_new_thing/>")).records
    assert item.record is None and item.problems[0].code is ErrorCode.BODY_ELEMENT_UNKNOWN


def test_a_doi_in_an_unexpected_place_is_still_read_with_a_warning():
    tree = doc(
        "<dissertation><titles><title>T</title></titles>"
        "<doi_data><doi>10.5555/d</doi><resource>https://e.org/d</resource></doi_data>"
        "<odd_block><doi_data><doi>10.5555/odd</doi><resource>https://e.org/o</resource></doi_data></odd_block>"
        "</dissertation>"
    )
    dissertation, odd = parse_deposit_tree(tree).records
    assert dissertation.record.type == "dissertation" and dissertation.problems == []
    assert (odd.doi, odd.record.type, odd.record.url) == ("10.5555/odd", "other", "https://e.org/o")
    assert odd.problems[0].code is ErrorCode.RECORD_NOT_UNDERSTOOD


def test_a_query_batch_is_not_a_deposit():
    with pytest.raises(ValueError):
        parse_deposit_tree(etree.fromstring('<query_batch xmlns="http://www.crossref.org/qschema/2.0"/>'))


# --------------------------------------------------------------------------- sub-vocabularies


@pytest.mark.parametrize(
    ("value", "given_as", "expected"),
    [
        ("100000001", "funder_identifier", ("10.13039/100000001", "DOI")),
        ("http://dx.doi.org/10.13039/100000001", "funder_identifier", ("10.13039/100000001", "DOI")),
        ("https://ror.org/021NXHR62", "", ("https://ror.org/021nxhr62", "ROR")),
        ("021nxhr62", "ror", ("021nxhr62", "ROR")),
        ("NSF-1", "funder_identifier", ("NSF-1", "")),
    ],
)
def test_funder_ids(value, given_as, expected):
    assert funder_id(value, given_as) == expected


FUNDING = """
<posted_content xmlns:fr="http://www.crossref.org/fundref.xsd" xmlns:ai="http://www.crossref.org/AccessIndicators.xsd">
  <titles><title>P</title></titles>
  <posted_date><month>01</month><day>11</day><year>2020</year></posted_date>
  <fr:program name="fundref">
    <fr:assertion name="fundgroup">
      <fr:assertion name="funder_name">Agency A</fr:assertion>
      <fr:assertion name="funder_identifier">https://doi.org/10.13039/501100000001</fr:assertion>
      <fr:assertion name="award_number">A-1</fr:assertion><fr:assertion name="award_number">A-2</fr:assertion>
    </fr:assertion>
    <fr:assertion name="funder_name">Loose Funder</fr:assertion>
  </fr:program>
  <ai:program name="AccessIndicators">
    <ai:free_to_read start_date="2020-02-01" end_date="2021-02-01"/>
    <ai:license_ref applies_to="am" start_date="2020-07-09">https://license.example/am</ai:license_ref>
  </ai:program>
  <doi_data><doi>10.5555/f</doi><resource>https://e.org/f</resource></doi_data>
</posted_content>
"""


def test_funding_groups_and_licence_delays():
    (item,) = parse_deposit_tree(doc(FUNDING)).records
    record = item.record
    assert [(f.name, f.funder_id, f.awards) for f in record.funding] == [
        ("Agency A", "10.13039/501100000001", ["A-1", "A-2"]),
        ("Loose Funder", "", []),
    ]
    (license,) = record.licenses
    assert (license.content_version, license.start, license.delay_days) == (
        "am",
        PartialDate(2020, 7, 9),
        180,
    )
    assert record.extra["free-to-read"] == [
        {"start": {"date-parts": [[2020, 2, 1]]}, "end": {"date-parts": [[2021, 2, 1]]}}
    ]


def test_credit_roles_of_schema_550():
    tree = doc(
        '<peer_review stage="post-publication" type="referee-report">'
        '<contributors><person_name sequence="first">'
        '<given_name>R</given_name><surname>Ev</surname><role vocab="crossref" type="corresponding-author"/>'
        '<role vocab="crossref" type="reviewer"/><role vocab="credit" type="formal-analysis"/></person_name>'
        "</contributors><titles><title>Review</title></titles>"
        "<review_date><month>01</month><day>02</day><year>2024</year></review_date>"
        "<doi_data><doi>10.5555/r</doi><resource>https://e.org/r</resource></doi_data></peer_review>",
        ns="http://www.crossref.org/schema/5.5.0",
    )
    (item,) = parse_deposit_tree(tree).records
    (person,) = item.record.contributors
    assert (person.role, person.credit_roles) == ("reviewer", ["formal-analysis"])
    assert item.record.extra["review"] == {"type": "referee-report", "stage": "post-publication"}


# --------------------------------------------------------------------------- resource-only

RESOURCES = "http://www.crossref.org/doi_resources_schema/4.4.2"


def test_resource_bodies_set_only_their_parts():
    tree = doc(
        "<crossmark_data><doi>10.5555/CM</doi><crossmark><crossmark_policy>10.5555/policy</crossmark_policy>"
        '<updates><update type="erratum" date="2020-01-02">10.5555/orig</update></updates>'
        "<custom_metadata>"
        '<program xmlns="http://www.crossref.org/fundref.xsd" name="fundref">'
        '<assertion name="funder_name">F</assertion></program>'
        "</custom_metadata></crossmark></crossmark_data>"
        "<doi_relations><doi>10.5555/rel</doi>"
        '<program xmlns="http://www.crossref.org/relations.xsd"><related_item>'
        '<inter_work_relation relationship-type="isSupplementTo" identifier-type="uri">https://x.org/s'
        "</inter_work_relation></related_item></program></doi_relations>"
        "<clinicaltrial_data><doi>10.5555/ct</doi>"
        '<program xmlns="http://www.crossref.org/clinicaltrials.xsd">'
        '<clinical-trial-number registry="10.18810/isrctn">ISRCTN1</clinical-trial-number></program>'
        "</clinicaltrial_data>",
        ns=RESOURCES,
    )
    deposit = parse_deposit_tree(tree)
    assert deposit.kind == "resources"
    crossmark, relations, trials = deposit.records
    assert crossmark.resource.replace == {"crossmark", "updates", "funding"}
    assert crossmark.resource.parts.updates[0].doi == "10.5555/orig"
    assert crossmark.resource.parts.crossmark == {"policy": "10.5555/policy"}
    assert relations.resource.replace == {"relations"}
    assert relations.resource.parts.relations[0].id == "https://x.org/s"
    assert trials.resource.replace == set()
    assert trials.resource.parts.extra["clinical-trial-number"][0]["clinical-trial-number"] == "ISRCTN1"
    assert trials.problems[0].code is ErrorCode.RESOURCE_PART_NOT_STORED


# --------------------------------------------------------------------------- streaming and size


def test_body_items_can_be_read_one_by_one_and_cleared():
    """The way a streaming reader will call the parser: iterparse, one body child at a time,
    its path given, the element cleared afterwards."""
    tree = doc(ARTICLE.format(doi="10.5555/one", month="01", day="01") * 2 + FUNDING)
    expected = parse_deposit_tree(tree).records
    data = etree.tostring(tree)
    streamed, counts = [], {}
    import io

    depth = 0
    for event, element in etree.iterparse(io.BytesIO(data), events=("start", "end")):
        depth += 1 if event == "start" else -1
        if event == "end" and depth == 2 and etree.QName(element.getparent()).localname == "body":
            name = etree.QName(element).localname
            counts[name] = counts.get(name, 0) + 1
            streamed += parse_body_item(element, path=f"/doi_batch/body/{name}[{counts[name]}]")
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    assert [(r.doi, r.line, r.record) for r in streamed] == [(r.doi, r.line, r.record) for r in expected]
    assert streamed[1].path == "/doi_batch/body/journal[2]/journal_article" == expected[1].path


def _journal_of(count: int):
    articles = "".join(
        f"<journal_article><titles><title>T{i}</title></titles>"
        f"<publication_date><year>2020</year></publication_date>"
        f"<doi_data><doi>10.5555/{i}</doi><resource>https://e.org/{i}</resource></doi_data></journal_article>"
        for i in range(count)
    )
    return doc(
        f"<journal><journal_metadata><full_title>J</full_title></journal_metadata>{articles}</journal>"
    )


def test_every_record_of_a_large_batch_gets_its_own_element_path():
    """Element paths are counted in one pass over the siblings (they were once found by
    scanning them again for every record, which made large files quadratic; bench/deposit.py
    measures the speed, a unit test only checks the result)."""
    count = 4000
    records = parse_deposit_tree(_journal_of(count)).records
    assert len(records) == count
    assert [r.path for r in records[:2]] == [
        "/doi_batch/body/journal/journal_article[1]",
        "/doi_batch/body/journal/journal_article[2]",
    ]
    assert records[-1].path == f"/doi_batch/body/journal/journal_article[{count}]"
