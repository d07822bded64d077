"""import_works: unixref/unixsd and OAI-PMH envelopes; what is refused and why."""

from __future__ import annotations

import pytest
from lxml import etree

from deposits.imports.base import FileUnreadable, ItemRefused, Refusal
from deposits.imports.unixref import items_from_xml, target_doi
from tests.deposits.import_support import (
    README,
    read_items,
    stand_in_converter,
)

pytestmark = pytest.mark.shared


def test_oai_pmh_unixref_page(sample):
    layout, items = read_items(sample / "unixref-oai-pmh" / "journal.xml.gz", converter=stand_in_converter)
    assert layout == "OAI-PMH (unixref 1.0)"
    assert len(items) == 200
    first = items[0]
    assert (first.doi, first.owner_prefix, first.member_id) == ("10.1029/1999WR900252", "10.1002", None)
    assert first.position.startswith("record 1 (line ")
    record = first.record()
    assert (record.doi, record.prefix, record.member_id) == ("10.1029/1999wr900252", "10.1002", None)


def test_oai_pmh_unixsd_keeps_only_the_envelopes_work(sample):
    _layout, items = read_items(sample / "unixref-oai-pmh" / "unixsd.xml.gz", converter=stand_in_converter)
    first = items[0]
    assert first.doi == "10.1002/1521-3765(20020402)8:7<1637::AID-CHEM1637>3.0.CO;2-7"
    assert (first.owner_prefix, first.publisher) == ("10.1002", "Wiley-Blackwell")
    # The content holds the journal's, the and the article's doi_data: one work only.
    assert len(stand_in_converter(first.raw)) == 3
    record = first.record()
    assert record.doi == first.doi.lower()
    assert (record.deposit_timestamp, record.publisher) == (20051204074648, "Wiley-Blackwell")


def test_unixsd_query_result_envelope(sample):
    path = sample / "unixsd-feed-corpus" / "crossref-unixsd-02ea4f67-fe2b-4a18-95a5-33ac71b0a710.xml.gz"
    layout, (item,) = read_items(path, converter=stand_in_converter)
    assert layout == "unixsd"
    assert (item.doi, item.member_id, item.owner_prefix, item.publisher) == (
        "10.1007/s11682-016-9638-y",
        297,
        "10.1007",
        "Springer Nature",
    )
    record = item.record()
    assert (record.member_id, record.prefix, record.deposit_timestamp) == (297, "10.1007", 20171023123749602)
    assert record.extra["created"] == "2016-10-12T03:38:48Z"


def test_unixref_doi_records_without_envelope_doi(sample):
    layout, (item,) = read_items(sample / "unixref-single" / "citations.xml", converter=stand_in_converter)
    assert layout == "unixref doi_records"
    # No envelope DOI: the work is the last doi_data outside the citation list.
    assert (item.doi, item.owner_prefix) == ("10.5555/12345678", "10.5555")
    assert item.record().deposit_timestamp == 20121204084223


def test_every_sample_envelope_is_found(sample):
    """Counted like the README: one OAI-PMH record or unixsd doi_record is one work."""
    for name in ("unixref-oai-pmh", "unixref-single", "unixsd-feed-corpus", "unixsd-api"):
        _files, records, distinct, members = README[name]
        items = [i for path in sorted((sample / name).iterdir()) for i in read_items(path)[1]]
        assert len(items) == records, name
        assert len({i.doi.lower() for i in items}) == distinct, name
        assert len({i.member_id for i in items if i.member_id}) == members, name
        assert all(i.refused is None for i in items), name


OAI = '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>{}</ListRecords></OAI-PMH>'
UNIXSD = (
    '<crossref_result xmlns="http://www.crossref.org/qrschema/3.0" version="3.0"><query_result>'
    "<body>{}</body></query_result></crossref_result>"
)


@pytest.mark.parametrize(
    "xml, code",
    [
        (
            OAI.format(
                '<record><header status="deleted"><identifier>info:doi/10.5555/gone</identifier>'
                "</header></record>"
            ),
            Refusal.DELETED,
        ),
        (
            UNIXSD.format(
                '<query status="unresolved"><doi>10.5555/none</doi><msg>DOI not found</msg></query>'
            ),
            Refusal.SOURCE_ERROR,
        ),
        (
            "<doi_records><doi_record><crossref><error>DOI not found</error></crossref></doi_record>"
            "</doi_records>",
            Refusal.SOURCE_ERROR,
        ),
        (
            OAI.format("<record><header><identifier>info:doi/10.5555/x</identifier></header></record>"),
            Refusal.CONTENT_UNREADABLE,
        ),
    ],
)
def test_envelopes_without_a_work_are_refused_with_a_reason(xml, code):
    _layout, (item,) = items_from_xml(xml.encode(), converter=stand_in_converter)
    with pytest.raises(ItemRefused) as refused:
        item.record()
    assert refused.value.code == code


def test_envelope_doi_missing_from_content_is_refused():
    xml = OAI.format(
        "<record><header><identifier>info:doi/10.5555/other</identifier></header><metadata>"
        "<crossref><journal><journal_article><doi_data><doi>10.5555/12345678</doi></doi_data>"
        "</journal_article></journal></crossref></metadata></record>"
    )
    _layout, (item,) = items_from_xml(xml.encode(), converter=stand_in_converter)
    with pytest.raises(ItemRefused) as refused:
        item.record()
    assert refused.value.code == Refusal.NOT_IN_CONTENT


@pytest.mark.parametrize(
    "xml, words",
    [
        ('<doi_batch version="5.3.1"><head/><body/></doi_batch>', "deposit"),
        ("<rss><channel/></rss>", "<rss>"),
        ('<!DOCTYPE x [<!ENTITY e "boom">]><crossref>&e;</crossref>', "entit"),
        ("<crossref><journal>", "well-formed"),
    ],
)
def test_xml_that_is_not_an_import_is_unreadable(xml, words):
    with pytest.raises(FileUnreadable) as unreadable:
        items_from_xml(xml.encode())
    assert words in str(unreadable.value).lower() or words in str(unreadable.value)


def test_target_doi_skips_citations_and_containers():
    content = etree.fromstring(
        "<journal><journal_metadata><doi_data><doi>10.5555/j</doi></doi_data></journal_metadata>"
        "<journal_article><doi_data><doi>10.5555/a</doi></doi_data><citation_list><citation>"
        "<doi_data><doi>10.5555/cited</doi></doi_data></citation></citation_list>"
        "<component_list><component><doi_data><doi>10.5555/a.c1</doi></doi_data></component>"
        "</component_list></journal_article></journal>"
    )
    assert target_doi(content) == "10.5555/a"


# -- the command over small inputs (database) -----------------------------------------------------------
