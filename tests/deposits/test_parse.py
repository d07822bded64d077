"""Parsing real deposit files into ParsedDeposit: every schema-valid sample and corpus file,
checked against an independent XPath, and field-by-field checks on one file per content
type. Each file is validated first (the parser's contract is a schema-valid tree)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from deposits.records import ParsedDeposit
from deposits.xml.parse import parse_deposit_tree
from deposits.xml.validate import validate_deposit
from linking.records import Funding, PartialDate, work_record_from_json
from tests.conftest import SHARED_DIR

pytestmark = pytest.mark.shared

SAMPLES = SHARED_DIR / "samples" / "deposits"
CORPUS = SHARED_DIR / "data" / "crossref-sample" / "deposit-xml"
GROUPS = {
    "samples": (SAMPLES, 31),  # schema-valid doi_batch files in each group
    "crossref-test-prefix-10.5555": (CORPUS / "crossref-test-prefix-10.5555", 0),
    "elife": (CORPUS / "elife", 20),
    "jose": (CORPUS / "jose", 90),
}

DOI_XPATH = (
    "//*[local-name()='doi_data']/*[local-name()='doi']"
    " | //*[local-name()='pending_publication']/*[local-name()='doi']"
)
RESOURCE_DOI_XPATH = "/*/*[local-name()='body']/*/*[local-name()='doi']"


def parsed(path: Path) -> tuple[ParsedDeposit, etree._ElementTree]:
    result = validate_deposit(path)
    assert result.ok, [p.message for p in result.errors]
    return parse_deposit_tree(result.tree), result.tree


def sample(name: str) -> ParsedDeposit:
    return parsed(SAMPLES / name)[0]


def by_doi(deposit: ParsedDeposit) -> dict:
    return {r.doi: r.record if r.record is not None else r.resource for r in deposit.records}


def element_at(tree: etree._ElementTree, path: str) -> etree._Element:
    """Follow an element path (/doi_batch/body/journal/journal_article[2]) by local names."""
    node = tree.getroot()
    steps = path.strip("/").split("/")
    assert etree.QName(node).localname == steps[0]
    for step in steps[1:]:
        name, _, index = step.partition("[")
        matches = [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name]
        node = matches[int(index.rstrip("]")) - 1 if index else 0]
        if not index:
            assert len(matches) == 1, f"{path}: {name} is not unique, so it needs an index"
    return node


# --------------------------------------------------------------------------- every file


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_valid_file_parses_to_the_dois_in_it(group, shared_dir, crossref_schemas):
    folder, expected_files = GROUPS[group]
    files = sorted(folder.glob("*.xml"))
    assert files
    failures, parsed_files = [], 0
    for path in files:
        result = validate_deposit(path)
        if not result.ok or result.kind == "query":
            continue
        parsed_files += 1
        deposit = parse_deposit_tree(result.tree)
        failures += [f"{path.name}: {failure}" for failure in _check(deposit, result.tree)]
    assert failures == []
    assert parsed_files == expected_files


def _check(deposit: ParsedDeposit, tree: etree._ElementTree) -> list[str]:
    failures = []
    xpath = RESOURCE_DOI_XPATH if deposit.kind == "resources" else DOI_XPATH
    doi_elements = tree.xpath(xpath)
    expected = {e.text.strip().lower() for e in doi_elements}
    got = {r.doi for r in deposit.records}
    if got != expected:
        failures.append(f"DOIs differ: {sorted(got ^ expected)}")
    if len(deposit.records) != len(doi_elements):
        failures.append(f"{len(deposit.records)} records for {len(doi_elements)} DOIs")
    lines = [r.line for r in deposit.records]
    if lines != sorted(lines):
        failures.append("records are not in document order")
    for item in deposit.records:
        doi_lines = {e.sourceline for e in doi_elements if e.text.strip().lower() == item.doi}
        if item.line not in doi_lines:
            failures.append(f"{item.doi}: line {item.line} is not a line of its <doi> ({doi_lines})")
        holder = element_at(tree, item.path)
        if item.doi not in {d.text.strip().lower() for d in holder.iter("{*}doi")}:
            failures.append(f"{item.doi}: path {item.path} does not hold it")
        if [p for p in item.problems if p.is_error]:
            failures.append(f"{item.doi}: {[p.message for p in item.problems]}")
        if deposit.kind == "resources":
            if item.record is not None or item.resource is None or item.resource.doi != item.doi:
                failures.append(f"{item.doi}: a resource-only body must give a ResourceRecord")
            elif work_record_from_json(item.resource.parts.to_json()) != item.resource.parts:
                failures.append(f"{item.doi}: resource parts do not survive JSON")
            continue
        record = item.record
        if record is None or record.doi != item.doi or not record.type:
            failures.append(f"{item.doi}: no record, or one without a type")
            continue
        if record.type != "pending-publication" and not record.url:
            failures.append(f"{item.doi}: {record.type} without a primary URL")
        if work_record_from_json(record.to_json()) != record:
            failures.append(f"{item.doi}: does not survive to_json / work_record_from_json")
    return failures


# --------------------------------------------------------------------------- journals


def test_the_530_best_practice_journal_article(shared_dir, crossref_schemas):
    deposit = sample("crossref__journal.article5.3.0.xml")
    head = deposit.head
    assert (head.doi_batch_id, head.timestamp, head.depositor_name) == (
        "test.x",
        2021010100000003,
        "Crossref",
    )
    assert (head.depositor_email, head.registrant) == (
        "pfeeney@crossref.org",
        "Society of Metadata Idealists",
    )
    assert deposit.kind == "deposit"
    journal, article = deposit.records
    assert journal.record.type == "journal" and journal.doi == "10.5555/scf8au8"
    assert journal.record.titles == ["Journal of Crossref Test Data"]
    assert journal.path == "/doi_batch/body/journal/journal_metadata"

    record = article.record
    assert (article.doi, article.line, article.path) == (
        "10.5555/n0hrokm",
        143,
        "/doi_batch/body/journal/journal_article",
    )
    assert record.type == "journal-article"
    assert record.titles == ["This is a journal article title"]
    assert record.container.kind == "journal"
    assert record.container.titles == ["Journal of Crossref Test Data"]
    assert record.container.short_titles == ["JOCTD"]
    assert record.container.issns == [{"value": "1942-4027", "type": "electronic"}]
    assert record.container.doi == "10.5555/scf8au8"

    first, second, anonymous = record.contributors
    assert (first.given, first.family, first.sequence, first.role) == (
        "Minerva",
        "Housecat",
        "first",
        "author",
    )
    assert first.orcid == "https://orcid.org/0000-0002-4011-3590" and first.orcid_authenticated
    assert first.affiliations[0].name == "United States Department of Energy"
    assert first.affiliations[0].ids[0] == {"id": "https://ror.org/01bj3aw27", "id-type": "ROR"}
    assert first.affiliations[1].ids == [{"id": "https://ror.org/05gq02987", "id-type": "ROR"}]
    assert (second.family, second.sequence, second.orcid) == (
        "Carberry",
        "additional",
        "https://orcid.org/0000-0002-1825-0097",
    )
    assert (
        anonymous.name == "Anonymous"
        and anonymous.affiliations[0].ids[0]["id"] == "https://ror.org/05gq02987"
    )

    assert record.published_online == record.issued == record.accepted == PartialDate(2021, 7, 7)
    assert record.published_print is None
    assert record.article_number == "ABC-123"
    assert record.language == "en"
    assert record.abstract.startswith("<jats:abstract") and 'xml:lang="fr"' in record.abstract
    assert len(record.extra["other-abstracts"]) == 1
    assert record.url == "https://www.crossref.org/xml-samples"
    assert record.archive_locations[:2] == ["Portico", "CLOCKSS"]

    (funding,) = record.funding
    assert (funding.name, funding.funder_id, funding.id_type, funding.awards) == (
        "National Science Foundation",
        "10.13039/100000001",
        "DOI",
        ["CHE-1152342"],
    )
    (license,) = record.licenses
    assert license.url == "http://creativecommons.org/licenses/by/3.0/deed.en_US"
    assert (license.start, license.content_version) == (PartialDate(2008, 8, 13), "vor")
    (relation,) = record.relations
    assert (relation.type, relation.id, relation.id_type, relation.description) == (
        "hasReview",
        "10.5555/zll10oq",
        "doi",
        "Review",
    )
    assert record.crossmark["policy"] == "10.5555/hk7vasw"
    assert [a["name"] for a in record.crossmark["assertions"]] == ["received", "accepted"]

    assert len(record.references) == 6
    structured = record.references[4]
    assert structured.key == "ref5"
    assert structured.journal_title == "Information Technology and Libraries"
    assert (structured.author, structured.volume, structured.issue) == ("Park", "29", "3")
    assert (structured.first_page, structured.year) == ("104", "2010")
    assert structured.doi == "10.6017/ital.v29i3.3136" and structured.doi_asserted_by == "publisher"
    assert structured.article_title.startswith("Metadata creation practices")
    assert record.references[5].unstructured.startswith("Riley, J. (2017)")


def test_journal_volume_and_issue_dois_and_their_articles(shared_dir, crossref_schemas):
    deposit = sample("crossref__journal.vol.issue5.3.0.xml")
    journal, volume, issue = (r.record for r in deposit.records)
    assert [r.type for r in (journal, volume, issue)] == ["journal", "journal-volume", "journal-issue"]
    assert journal.container.issns[1] == {"value": "2165-848X", "type": "print"}
    assert len(journal.container.issns) == 6
    assert volume.volume == issue.volume == "4" and issue.issue == "1"
    assert issue.titles == ["Very Special Issue"]
    assert issue.contributors[0].role == "editor" and issue.contributors[0].suffix == "IIIIVX"
    # month 34 is Crossref's code for the fourth quarter: the year stays, the month goes.
    assert issue.published_print == PartialDate(2021) and issue.issued == PartialDate(2021)
    assert issue.published_online == PartialDate(2021, 7, 7)
    assert volume.issued == PartialDate(2021)  # from its issue
    assert all(not r.problems for r in deposit.records)


def test_the_442_translation_has_text_mining_and_similarity_check_links(shared_dir, crossref_schemas):
    record = by_doi(sample("crossref__journal_article_translation_4.4.2.xml"))["10.32013/4859104"]
    assert record.original_titles == [
        "When your best metadata isn't good enough: working with an imperfect specification"
    ]
    assert [(link.intended_application, link.url, link.content_type) for link in record.links] == [
        ("similarity-checking", "https://www.crossref.org/faqs.html", "unspecified"),
        ("text-mining", "https://www.crossref.org/example.xml", "text/xml"),
    ]
    assert record.links[1].content_version == "vor"
    assert record.extra["link-header"] == [
        {"URL": "http://www.crossref.org/exampleDULendpoint", "relationship": "dul"}
    ]
    assert [a.name for a in record.contributors[0].affiliations] == ["Crossref University"]
    assert (record.volume, record.issue, record.first_page, record.last_page) == ("5", "11", "1", "3")
    assert record.extra["journal-issue"]["issue"] == "11"


@pytest.mark.parametrize(
    ("name", "doi", "update"),
    [
        ("crossref__crossmark_retraction_4.4.2.xml", "10.32013/kqzhpji", ("retraction", "10.32013/kqzhpji")),
        (
            "crossref__crossmark_2_correction_4.4.2.xml",
            "10.32013/u8oyj5x",
            ("correction", "10.32013/r7py5mh"),
        ),
    ],
)
def test_crossmark_notices_point_at_the_work_they_update(name, doi, update, shared_dir, crossref_schemas):
    record = by_doi(sample(name))[doi]
    (found,) = record.updates
    assert (found.type, found.doi) == update
    assert found.date is not None and found.label == update[0].capitalize()
    assert record.crossmark["policy"] == "10.32013/hk7vasw"
    assert record.crossmark["assertions"][0]["group"]["name"] == "publication_notes"
    if "retraction" in name:
        assert record.crossmark["domains"] == ["psychoceramics.labs.crossref.org"]
        assert record.crossmark["domain_exclusive"] is True
        assert record.published_print == PartialDate(2009, 9, 14)


def test_the_elife_550_article_and_its_fifteen_components(shared_dir, crossref_schemas):
    deposit = sample("elife__v5.5.0__elife-crossref-00508-20170717071707.xml")
    assert len(deposit.records) == 16
    article, *components = (r.record for r in deposit.records)
    assert article.type == "journal-article" and article.doi == "10.7554/elife.00508"
    assert {c.type for c in components} == {"component"}
    assert {c.extra["parent_doi"] for c in components} == {"10.7554/elife.00508"}
    assert components[0].doi == "10.7554/elife.00508.001" and components[0].titles == ["Abstract"]
    assert [c.role for c in article.contributors[:2]] == ["author", "author"]  # from <role> elements
    assert article.volume == "2" and article.article_number == "e00508"
    assert len(article.funding) == 10 and article.funding[0].name == "National Institutes of Health"
    assert {lic.content_version for lic in article.licenses} == {"vor", "am", "tdm"}
    assert [link.intended_application for link in article.links] == ["text-mining"] * 2 + [
        "similarity-checking"
    ]
    assert article.references[0].key == "bib1" and article.references[0].journal_title == "Biochem J"


# --------------------------------------------------------------------------- other content types


def test_book_with_chapter(shared_dir, crossref_schemas):
    book, chapter = (r.record for r in sample("crossref__book5.3.0.xml").records)
    assert book.type == "monograph" and book.titles == ["Obese Cat Care"]
    assert book.isbns == [
        {"value": "1596680547", "type": "electronic"},
        {"value": "9789000002191", "type": "print"},
    ]
    assert book.publisher == "Crossref" and book.extra["edition-number"] == "2"
    assert book.published_print == PartialDate(2009)
    assert chapter.type == "book-chapter"
    assert chapter.container.kind == "book" and chapter.container.titles == ["Obese Cat Care"]
    assert chapter.container.doi == "10.32013/9min5ys" and len(chapter.container.isbns) == 2
    assert (chapter.first_page, chapter.last_page) == ("2", "47")
    assert chapter.extra["component-number"] == "I"
    assert chapter.published_print == PartialDate(2019, 2, 15)  # no media_type means print
    assert len(chapter.references) == 10


def test_book_in_a_series(shared_dir, crossref_schemas):
    series, book, chapter = (r.record for r in sample("crossref__book_series5.3.0.xml").records)
    assert series.type == "book-series" and series.container.issns == [
        {"value": "0738-6656", "type": "print"}
    ]
    assert book.type == "edited-book" and book.volume == "8"
    assert book.container.kind == "book-series" and book.container.doi == "10.32013/92m.e-7"
    assert chapter.container.doi == "10.32013/ptdhshx" and chapter.volume == "8"


def test_conference_paper(shared_dir, crossref_schemas):
    proceedings, paper = (r.record for r in sample("crossref__conf_single5.3.0.xml").records)
    assert proceedings.type == "proceedings"
    assert proceedings.titles == ["Proceedings of the 5th QXR Annual Symposium"]
    assert [c.role for c in proceedings.contributors] == ["chair", "chair"]
    event = paper.extra["event"]
    assert event["name"] == "5th QXR Annual Symposium" and event["location"] == "Paris, France"
    assert event["start"] == {"date-parts": [[2017, 1, 15]]} and event["end"] == {
        "date-parts": [[2017, 1, 17]]
    }
    assert paper.type == "proceedings-article" and paper.container.kind == "proceedings"
    assert paper.container.doi == "10.32013/bwmgaa2"
    assert (paper.first_page, paper.last_page, len(paper.references)) == ("1", "14", 8)


def test_database_and_datasets(shared_dir, crossref_schemas):
    database, first, second = (r.record for r in sample("crossref__dataset.5.3.0.xml").records)
    assert database.type == "database" and database.extra["institution"][2] == {
        "name": "Society of Metadata Idealists"
    }
    assert (first.type, first.subtype) == ("dataset", "collection")
    assert first.container.kind == "database" and first.container.doi == "10.32013/-92iyfi"
    assert first.issued == PartialDate(2020, 10, 10)
    assert first.extra["content-created"] == {"date-parts": [[2020, 10, 10]]}
    assert first.extra["description"] == "This description will be expanded later"
    assert second.titles == ["Circadian expression patterns of nuclear receptors"]


def test_dissertation(shared_dir, crossref_schemas):
    (item,) = sample("crossref__dissertation.5.3.0.xml").records
    record = item.record
    assert record.type == "dissertation" and record.extra["degree"] == ["MLIS"]
    assert record.approved == record.issued == PartialDate(2015, 1, 31)
    assert record.extra["institution"][0]["id"][0] == {"id": "https://ror.org/02twcfp32", "id-type": "ROR"}
    assert record.extra["institution"][0]["department"] == ["Feline Outreach"]


def test_report(shared_dir, crossref_schemas):
    (item,) = sample("crossref__report.5.3.0.xml").records
    record = item.record
    assert record.type == "report" and record.publisher == "Office of Scientific and Technical Information"
    assert record.extra["contract-number"] == "AC06-96RL13200"
    assert record.extra["alternative-id"] == ["abc123"]
    assert record.published_online == PartialDate(2001, 3, 3)


def test_standard(shared_dir, crossref_schemas):
    (item,) = sample("crossref__standard5.3.0.xml").records
    record = item.record
    assert record.type == "standard"
    assert record.contributors[0].name == "Crossref Standards TWG"
    assert record.extra["standard-designator"] == {"as_published": ["CR 1234"]}
    assert record.extra["standards-body"] == {"name": "Crossref", "acronym": "CRABC"}
    assert record.approved == PartialDate(1995, 4, 17)


def test_posted_content_is_a_preprint_of(shared_dir, crossref_schemas):
    (item,) = sample("crossref__posted_content.5.3.0.xml").records
    record = item.record
    assert (record.type, record.subtype) == ("posted-content", "preprint")
    assert record.posted == record.issued == PartialDate(2018, 1, 13)
    assert record.extra["group-title"] == "Metadata Quality"
    (relation,) = record.relations
    assert (relation.type, relation.id, relation.kind) == ("isPreprintOf", "10.32013/12345678", "intra")
    assert record.extra["free-to-read"] == [{"start": {"date-parts": [[2016, 1, 1]]}}]
    assert record.licenses[0].content_version == "unspecified"


def test_peer_review_is_a_review_of(shared_dir, crossref_schemas):
    (item,) = sample("crossref__peer_review.5.3.0.xml").records
    record = item.record
    assert record.type == "peer-review" and record.contributors[0].role == "reviewer"
    assert record.extra["review"] == {
        "stage": "pre-publication",
        "recommendation": "accept",
        "revision-round": "1",
        "running-number": "RC1",
        "competing-interest-statement": "There were no competing interests",
    }
    assert record.issued == PartialDate(2016, 8, 19)
    assert [(r.type, r.id) for r in record.relations] == [("isReviewOf", "10.32013/12345678")]


def test_sa_component_adds_components_to_a_parent(shared_dir, crossref_schemas):
    first, second = sample("crossref__component5.3.0.xml").records
    assert (first.doi, second.doi) == ("10.32013/tm9b6mw", "10.32013/kkfkscy")
    assert first.path == "/doi_batch/body/sa_component/component_list/component[1]"
    assert first.record.type == "component" and first.record.extra["parent_doi"] == "10.32013/y2ughyc"
    assert first.record.extra["format"] == ["image/jpeg"]


def test_pending_publication_has_no_url(shared_dir, crossref_schemas):
    (item,) = sample("elife__v5.4.0__elife-crossref-pending_publication-00666-20170717071707.xml").records
    record = item.record
    assert (record.doi, record.type, record.url) == ("10.7554/elife.00666", "pending-publication", "")
    assert record.accepted == PartialDate(2016, 4, 1)
    assert record.container.titles == ["eLife"] and record.container.issns[0]["value"] == "2050-084X"


def test_grants(shared_dir, crossref_schemas):
    deposit = sample("crossref__grantid_full_example.xml")
    assert deposit.kind == "grant"
    first, second = (r.record for r in deposit.records)
    assert first.type == "grant" and first.doi == "10.32013/ni84hfx"
    assert first.titles[0] == "Improving Metadata using cats as motivators"
    assert first.extra["award"] == "CR-001x" and first.issued == PartialDate(2018, 1, 1)
    assert first.contributors[0].role == "lead-investigator"
    assert first.contributors[0].orcid == "https://orcid.org/0000-0002-4011-3590"
    assert first.funding == [Funding("Wellcome Trust", "10.13039/100004440", "DOI", ["CR-001x"])]
    assert len(second.extra["project"]) == 2 and len(second.contributors) == 3
    assert second.contributors[0].affiliations[0].ids == [
        {"id": "https://ror.org/02twcfp32", "id-type": "ROR"}
    ]


# --------------------------------------------------------------------------- resource-only


def test_doi_resources_secondary_urls_keep_the_primary(shared_dir, crossref_schemas):
    deposit = sample("crossref__resource_mr_secondary_4.4.2.xml")
    assert deposit.kind == "resources"
    first, second = deposit.records
    resource = first.resource
    assert (first.doi, first.line, first.path) == (
        "10.32013/12345678",
        14,
        "/doi_batch/body/doi_resources[1]",
    )
    assert [(u.url, u.kind, u.label) for u in resource.parts.resource_urls] == [
        ("http://www.crossref.org/test1", "secondary", "SECONDARY_X")
    ]
    # No primary URL in the document, so the stored one must not be replaced.
    assert "resource_urls" not in resource.replace
    assert second.resource.parts.resource_urls[0].url == "http://www.crossref.org/test1-1"


def test_doi_citations_replace_the_references(shared_dir, crossref_schemas):
    (item,) = sample("crossref__resource_references_4.4.2.xml").records
    assert item.resource.replace == {"references"}
    first, second, third = item.resource.parts.references
    assert (first.journal_title, first.author, first.year, first.first_page) == (
        "Current Opinion in Oncology",
        "Chauncey",
        "2001",
        "21",
    )
    assert second.doi == "10.5555/small_md_0001"
    assert third.key == "ref=3" and third.unstructured.startswith("Clow GD")


def test_fundref_data_replaces_the_funding(shared_dir, crossref_schemas):
    first, second = sample("crossref__resource_funding_4.4.2.xml").records
    assert first.resource.replace == {"funding"}
    (funding,) = first.resource.parts.funding
    assert (funding.name, funding.funder_id, funding.awards) == (
        "National Science Foundation",
        "10.13039/100000001",
        ["CHE-1152342"],
    )
    assert second.doi == "10.32013/879fk3"


def test_lic_ref_data_and_text_mining_links(shared_dir, crossref_schemas):
    records = sample("crossref__resource_license_fulltext_4.4.2.xml").records
    assert [r.doi for r in records] == ["10.32013/12345678", "10.32013/nqgddqr"] * 2
    links, _, licences, _ = (r.resource for r in records)
    assert links.replace == {"links"} and links.parts.links[0].intended_application == "text-mining"
    assert licences.replace == {"licenses"}
    assert [(x.content_version, x.start) for x in licences.parts.licenses] == [
        ("vor", PartialDate(2011, 1, 11)),
        ("am", PartialDate(2012, 1, 11)),
        ("tdm", PartialDate(2012, 1, 11)),
    ]
