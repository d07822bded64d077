"""Work landing pages: citation, contributors, container, dates, abstract (escaped),
references linked where matched, cited-by, funding, licences, relations, Crossmark banner,
exports, and links to the DOI on this deployment's resolver."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import timezone

from linking import formats
from linking.models import Work, WorkReference
from linking.records import (
    Affiliation,
    Container,
    Contributor,
    Funding,
    License,
    PartialDate,
    Reference,
    Relation,
    Update,
    WorkRecord,
)
from linking.records import ResourceUrl as Url
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = pytest.mark.django_db

HOSTILE = (
    "<jats:title>Abstract</jats:title><jats:p>Tides <jats:italic>matter</jats:italic>."
    '<script>alert("abstract")</script><img src="x" onerror="alert(1)"/>'
    "&lt;script&gt;alert(2)&lt;/script&gt;</jats:p>"
)


def record(doi: str, **fields) -> WorkRecord:
    base = WorkRecord(
        doi=doi,
        type="journal-article",
        titles=["Tidal mixing in <b>small</b> estuaries"],
        container=Container(
            kind="journal", titles=["Coastal Letters"], issns=[{"value": "1234-5679", "type": "print"}]
        ),
        contributors=[
            Contributor(
                sequence="first",
                given="Mere",
                family="Parata",
                orcid="https://orcid.org/0000-0002-1825-0097",
                affiliations=[Affiliation(name="University of Otago")],
            ),
            Contributor(given="Jon", family="Smith"),
        ],
        issued=PartialDate(2024, 3),
        published_online=PartialDate(2024, 3, 9),
        volume="12",
        issue="2",
        first_page="101",
        last_page="117",
        abstract=HOSTILE,
        publisher="Coastal Press",
        resource_urls=[Url(url="https://coastal.example/1")],
        funding=[Funding(name="Marsden Fund", funder_id="10.13039/501100009193", awards=["M-1"])],
        licenses=[License(url="https://creativecommons.org/licenses/by/4.0/", start=PartialDate(2024, 3, 9))],
        relations=[Relation(type="isPreprintOf", id="10.5555/pre.1")],
        references=[
            Reference(key="r1", doi="10.5555/Cited.1"),
            Reference(key="r2", unstructured="Smith J. Rivers and <em>tides</em>. 2001."),
            Reference(key="r3", author="Jones", journal_title="Estuaries", year="1999", volume="4"),
        ],
    )
    for name, value in fields.items():
        setattr(base, name, value)
    return base


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Coastal Press", member_id=7001)
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


@pytest.fixture
def page(client, organisation):
    records_register(
        records=[
            record("10.5555/main.1"),
            record("10.5555/cited.1", titles=["The cited work"], references=[], abstract=""),
            record(
                "10.5555/citing.1",
                titles=["A citing work"],
                references=[Reference(key="x", doi="10.5555/main.1")],
            ),
            record(
                "10.5555/notice.1",
                titles=["Retraction: tidal mixing"],
                references=[],
                updates=[Update(doi="10.5555/MAIN.1", type="retraction", date=PartialDate(2025, 1, 5))],
            ),
        ],
        organisation=organisation,
    )
    # What the matcher records for a matched reference.
    WorkReference.objects.filter(work__doi="10.5555/citing.1").update(
        matched_doi="10.5555/main.1", match_status="matched", matched_at=timezone.now()
    )
    WorkReference.objects.filter(work__doi="10.5555/main.1", key="r3").update(
        matched_doi="10.5555/cited.1", match_status="matched"
    )
    response = client.get("/works/10.5555/MAIN.1")
    assert response.status_code == 200
    return response.content.decode()


def test_citation_facts(page):
    assert "Tidal mixing in &lt;b&gt;small&lt;/b&gt; estuaries" in page
    assert "Mere Parata" in page and "Jon Smith" in page
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in page
    assert "University of Otago" in page
    assert 'href="/journals/1234-5679"' in page and "Coastal Letters" in page
    assert "Volume 12" in page and "Issue 2" in page and "101–117" in page
    assert "2024-03-09" in page and "2024-03" in page
    assert 'href="/members/7001"' in page


def test_the_doi_link_is_this_resolver(page):
    doi_url = f"{settings.SITE_URL.rstrip('/')}/10.5555/main.1"
    assert f'href="{doi_url}"' in page
    assert 'href="https://doi.org' not in page


def test_a_hostile_abstract_is_shown_as_text(page):
    abstract = page[page.index('class="abstract"') :]
    abstract = abstract[: abstract.index("</section>")]
    assert "<em>matter</em>" in abstract
    assert "<script" not in abstract and "onerror" not in abstract and "<img" not in abstract
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in abstract
    assert not re.search(r"<script>alert", page)


def test_references_link_where_matched_or_registered(page):
    references = page[page.index('class="references"') :]
    assert "References (3)" in references
    assert 'href="/works/10.5555/cited.1"' in references  # deposited DOI that is registered, and r3 matched
    assert references.count('href="/works/10.5555/cited.1"') == 2
    assert "Rivers and &lt;em&gt;tides&lt;/em&gt;" in references
    assert "Jones" in references and "Estuaries" in references


def test_cited_by(page):
    cited = page[page.index('class="cited-by"') :]
    assert "Cited by 1" in cited
    assert 'href="/works/10.5555/citing.1"' in cited and "A citing work" in cited


def test_funding_licences_relations(page):
    assert "Marsden Fund" in page and "10.13039/501100009193" in page and "M-1" in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert "isPreprintOf" in page and 'href="/works/10.5555/pre.1"' in page


def test_crossmark_banner_links_to_the_notice(page):
    banner = page[page.index('class="crossmark') :]
    banner = banner[: banner.index("</div>")]
    assert "crossmark-retracted" in banner and "retracted" in banner
    assert 'href="/works/10.5555/notice.1"' in banner and "2025-01-05" in banner


def test_the_notice_says_what_it_updates(client, page):
    notice = client.get("/works/10.5555/notice.1").content.decode()
    assert "This notice updates" in notice and 'href="/works/10.5555/main.1"' in notice


def test_export_links_and_style_chooser(page):
    for name in ("bibtex", "ris", "csl-json"):
        assert f'href="?format={name}"' in page
    assert 'name="style"' in page and 'value="apa"' in page and 'value="ieee"' in page


def test_exports_answer_in_their_format(client, page):
    for name, media_type in [
        ("bibtex", "application/x-bibtex"),
        ("ris", "application/x-research-info-systems"),
        ("csl-json", "application/vnd.citationstyles.csl+json"),
    ]:
        response = client.get("/works/10.5555/main.1", {"format": name})
        if media_type in formats.MEDIA_TYPES:
            assert response.status_code == 200
            assert response["Content-Type"].startswith(media_type)
            assert "attachment" in response["Content-Disposition"]
        else:  # the formats are not all in yet: a clear refusal, not an error page
            assert response.status_code == 406
            assert name in response.content.decode()


def test_unknown_export_format_names_the_choices(client, page):
    response = client.get("/works/10.5555/main.1", {"format": "docx"})
    assert response.status_code == 400
    assert "bibtex" in response.content.decode()


def test_unknown_work_is_404_with_the_report_form(client, organisation):
    response = client.get("/works/10.5555/nothing")
    assert response.status_code == 404
    assert "not registered here" in response.content.decode()


def test_malformed_doi_is_404(client):
    assert client.get("/works/10.5555").status_code == 404


def test_a_minimal_work_renders(client, organisation):
    records_register(
        records=[
            WorkRecord(doi="10.5555/bare", type="dataset", resource_urls=[Url(url="https://d.example")])
        ],
        organisation=organisation,
    )
    response = client.get("/works/10.5555/bare")
    assert response.status_code == 200
    assert "(untitled)" in response.content.decode()
    assert Work.objects.get(doi="10.5555/bare")
