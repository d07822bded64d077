"""The web deposit form: checks at the field (ORCID check digit, someone else's prefix,
empty title) that keep what was typed; the XML it builds validates against schema 5.5.0
for every content type; registering goes through the same pipeline as an upload (here
in-process) and lands in the registry; editing redeposits with a newer timestamp; the
journal and issue are remembered for the next article."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from deposits.models import Channel, Submission, SubmissionStatus
from deposits.webform.forms import normalise_orcid, orcid_checksum_ok
from deposits.webform.records import record_from_form
from deposits.webform.xml import deposit_xml
from deposits.xml.validate import validate_deposit
from linking.models import Funder, Work
from linking.records import work_record_from_json
from tests.deposits.support import _private_media, needs_parser  # noqa: F401 - autouse fixture
from tests.factories import OrganisationFactory, PrefixFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Harbour Light Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    other = OrganisationFactory(name="Someone Else")
    PrefixFactory(value="10.9999", organisation=other)
    return organisation


@pytest.fixture
def cited(organisation):
    """The work the first reference of `article_post` cites, already registered."""
    return Work.objects.create(
        doi="10.5555/waves", organisation=organisation, type="journal-article", data={}
    )


@pytest.fixture
def depositor_client(client, organisation):
    client.force_login(member(organisation, Role.DEPOSITOR, email="ana@harbour.example"))
    return client


def new_url(organisation) -> str:
    return reverse("webform:new", kwargs={"member_id": organisation.member_id})


def article_post(**overrides) -> dict:
    data = {
        "content_type": "journal-article",
        "prefix": "10.5555",
        "suffix": "hlp.2024.001",
        "url": "https://harbour.example/articles/1",
        "title": "Tides of the inner harbour",
        "container_title": "Harbour Studies",
        "issn": "1234-5679",
        "volume": "7",
        "issue": "2",
        "first_page": "11",
        "last_page": "19",
        "published_year": "2024",
        "published_month": "5",
        "language": "en",
        "abstract": "We measured the tides.\n\nThen we measured them again.",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "licence_start": "2024-05-01",
        "references": (
            "Smith J. Waves. Ocean Letters 3 (2020) 1-2. doi:10.5555/waves\nJones K. Harbours. 2019."
        ),
        "reference_dois": "10.5555/waves\n",
        "contributors-TOTAL_FORMS": "2",
        "contributors-INITIAL_FORMS": "0",
        "contributors-0-kind": "person",
        "contributors-0-role": "author",
        "contributors-0-given": "Ana",
        "contributors-0-family": "Tapu",
        "contributors-0-orcid": "0000-0002-1825-0097",
        "contributors-0-affiliation": "Harbour University",
        "contributors-0-ror": "https://ror.org/02mhbdp94",
        "contributors-1-kind": "person",
        "contributors-1-role": "author",
        "contributors-1-given": "Ben",
        "contributors-1-family": "Ora",
        "funding-TOTAL_FORMS": "1",
        "funding-INITIAL_FORMS": "0",
        "funding-0-funder_name": "National Science Foundation",
        "funding-0-funder_id": "10.13039/100000001",
        "funding-0-awards": "OCE-1, OCE-2",
        "action": "preview",
    }
    data.update(overrides)
    return data


def test_orcid_check_digit():
    assert orcid_checksum_ok("0000000218250097")
    assert orcid_checksum_ok("000000021694233X")
    assert not orcid_checksum_ok("0000000218250098")
    assert normalise_orcid("0000-0002-1825-0097") == "https://orcid.org/0000-0002-1825-0097"


@pytest.mark.parametrize(
    "kind",
    ["journal-article", "book", "book-chapter", "proceedings-article", "dataset", "posted-content", "report"],
)
def test_every_content_type_builds_schema_valid_xml(kind):
    data = {
        "content_type": kind,
        "title": "A title with <angle> & ampersand",
        "subtitle": "and a subtitle",
        "url": "https://example.org/x",
        "container_title": "Container",
        "issn": "1234-5679",
        "isbn": "9780306406157",
        "publisher": "Harbour Light Press",
        "volume": "1",
        "issue": "2",
        "first_page": "3",
        "published_year": 2024,
        "published_month": 2,
        "event_name": "Harbour Conference",
        "institution": "Harbour Institute",
        "abstract": "One.\n\nTwo.",
        "language": "en",
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "preprint_of": "10.5555/published" if kind == "posted-content" else "",
        "supplement_to": "10.5555/article" if kind == "dataset" else "",
        "update_type": "correction",
        "update_doi": "10.5555/old",
        "crossmark_policy": "10.5555/policy",
        "references": "First reference\nSecond reference",
    }
    contributors = [
        {
            "kind": "person",
            "role": "author",
            "given": "Ana",
            "family": "Tapu",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
            "affiliation": "Harbour University",
            "ror": "https://ror.org/02mhbdp94",
        },
        {"kind": "organisation", "role": "author", "organisation": "The Harbour Group"},
    ]
    funding = [{"funder_name": "NSF", "funder_id": "100000001", "awards": "A-1, A-2"}]
    record = record_from_form(data, doi="10.5555/x.1", contributors=contributors, funding=funding)
    xml = deposit_xml(
        record, batch_id="form-1234", timestamp=20240101000000000, depositor="Harbour", email="a@h.example"
    )
    result = validate_deposit(xml)
    assert result.ok, [p.message for p in result.problems]
    assert result.version == "5.5.0"


def test_bad_input_is_refused_at_the_field_and_kept(depositor_client, organisation):
    data = article_post(
        title="",
        suffix="10.9999/stolen.1",
        **{"contributors-0-orcid": "0000-0002-1825-0098"},
    )
    response = depositor_client.post(new_url(organisation), data)
    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["form"]
    people = response.context["people"]
    assert "This field is required." in form.errors["title"]
    assert "10.9999, which is not one of yours" in form.errors["suffix"][0]
    assert "wrong check digit" in people.forms[0].errors["orcid"][0]
    # What was typed stays in the form.
    assert 'value="10.9999/stolen.1"' in page
    assert 'value="0000-0002-1825-0098"' in page
    assert 'value="Harbour Studies"' in page
    assert "Nothing was sent" in page
    assert not Submission.objects.exists()


def test_preview_shows_the_record_and_the_xml(depositor_client, organisation):
    response = depositor_client.post(new_url(organisation), article_post())
    assert response.status_code == 200, response.context["form"].errors
    preview = response.context["preview"]
    assert preview["record"].doi == "10.5555/hlp.2024.001"
    assert "<title>Tides of the inner harbour</title>" in preview["xml"]
    assert "Preview: the record as it will appear" in response.content.decode()
    assert not Submission.objects.exists()


def test_register_edit_and_remember_the_issue(
    depositor_client, organisation, cited, django_capture_on_commit_callbacks
):
    needs_parser()
    with django_capture_on_commit_callbacks(execute=True):
        response = depositor_client.post(new_url(organisation), article_post(action="register"))
    assert response.status_code == 302, response.context and response.context["form"].errors
    submission = Submission.objects.get()
    assert submission.channel == Channel.FORM
    assert response["Location"] == reverse(
        "deposits:detail", kwargs={"member_id": organisation.member_id, "submission_id": submission.pk}
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.COMPLETED, submission.problems
    work = Work.objects.get(doi="10.5555/hlp.2024.001")
    record = work_record_from_json(work.data)
    assert [c.family for c in record.contributors] == ["Tapu", "Ora"]
    assert record.contributors[0].orcid == "https://orcid.org/0000-0002-1825-0097"
    assert len(record.references) == 2 and record.references[0].doi == "10.5555/waves"
    first_timestamp = work.deposit_timestamp

    # The next article of the issue: journal, ISSN, volume and issue are filled in.
    page = depositor_client.get(new_url(organisation))
    initial = page.context["form"].initial
    assert (initial["container_title"], initial["issn"], initial["volume"], initial["issue"]) == (
        "Harbour Studies",
        "1234-5679",
        "7",
        "2",
    )
    assert initial["suffix"] != "hlp.2024.001"

    # Edit: the form opens with the registered values; a new title is redeposited.
    edit_url = reverse("webform:edit", kwargs={"member_id": organisation.member_id, "doi": work.doi})
    page = depositor_client.get(edit_url)
    assert page.context["form"].initial["title"] == "Tides of the inner harbour"
    assert page.context["people"].forms[1].initial["family"] == "Ora"
    data = article_post(action="register", title="Tides of the outer harbour")
    with django_capture_on_commit_callbacks(execute=True):
        response = depositor_client.post(edit_url, data)
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.title == "Tides of the outer harbour"
    assert work.deposit_timestamp > first_timestamp


def test_someone_elses_record_cannot_be_edited(depositor_client, organisation):
    url = reverse("webform:edit", kwargs={"member_id": organisation.member_id, "doi": "10.9999/theirs"})
    assert depositor_client.get(url).status_code == 404


def test_a_reader_may_not_deposit(client, organisation):
    client.force_login(member(organisation, Role.VIEWER))
    assert client.post(new_url(organisation), article_post()).status_code in (403, 404)


def test_funder_search_reads_our_registry(depositor_client, organisation):
    Funder.objects.create(funder_id="100000001", name="National Science Foundation", country="USA")
    url = reverse("webform:funders", kwargs={"member_id": organisation.member_id})
    page = depositor_client.get(url, {"q": "science", "row": "funding-0"}).content.decode()
    assert "National Science Foundation" in page and 'data-funder-id="10.13039/100000001"' in page


def test_resource_only_change_adds_references_without_touching_the_rest(
    depositor_client, organisation, cited, crossref_schemas, django_capture_on_commit_callbacks
):
    needs_parser()
    with django_capture_on_commit_callbacks(execute=True):
        depositor_client.post(new_url(organisation), article_post(action="register"))
    work = Work.objects.get(doi="10.5555/hlp.2024.001")
    url = reverse("webform:resources", kwargs={"member_id": organisation.member_id, "doi": work.doi})

    with django_capture_on_commit_callbacks(execute=True):
        response = depositor_client.post(url, {"url": work.url, "add_references": "Third reference, 2021."})
    assert response.status_code == 302, (response.context["problems"], response.context["form"].errors)
    added = Submission.objects.order_by("-pk").first()
    assert added.operation == "doDOICitUpload" and added.status == SubmissionStatus.COMPLETED, added.problems
    work.refresh_from_db()
    record = work_record_from_json(work.data)
    assert [r.unstructured for r in record.references][-1] == "Third reference, 2021."
    assert len(record.references) == 3
    assert record.title == "Tides of the inner harbour" and work.url == "https://harbour.example/articles/1"

    # Nothing changed: said so, nothing sent.
    response = depositor_client.post(url, {"url": work.url, "add_references": ""})
    assert "Nothing changed" in response.content.decode()


def test_a_type_the_form_does_not_know_goes_to_the_resource_page(depositor_client, organisation):
    Work.objects.create(doi="10.5555/issue.3", organisation=organisation, type="journal-issue", data={})
    url = reverse("webform:edit", kwargs={"member_id": organisation.member_id, "doi": "10.5555/issue.3"})
    response = depositor_client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "webform:resources", kwargs={"member_id": organisation.member_id, "doi": "10.5555/issue.3"}
    )


def test_affiliation_search_offers_registered_ror_ids(depositor_client, organisation):
    Work.objects.create(
        doi="10.5555/with-ror",
        organisation=organisation,
        type="journal-article",
        data={
            "contributors": [
                {
                    "affiliations": [
                        {
                            "name": "Harbour University",
                            "ids": [{"id": "https://ror.org/02mhbdp94", "id-type": "ROR"}],
                        }
                    ]
                },
                {"affiliations": [{"name": "Harbour Polytechnic", "ids": []}]},
            ]
        },
    )
    url = reverse("webform:affiliations", kwargs={"member_id": organisation.member_id})
    page = depositor_client.get(url, {"q": "harbour", "row": "contributors-0"}).content.decode()
    assert 'data-ror="https://ror.org/02mhbdp94"' in page and "Harbour University" in page
    assert "Harbour Polytechnic" not in page  # no ROR id to offer
    nothing = depositor_client.get(url, {"q": "lighthouse"}).content.decode()
    assert "paste its ROR id" in nothing


def test_a_pasted_ror_id_is_checked(depositor_client, organisation):
    data = article_post(**{"contributors-0-ror": "not-a-ror"})
    response = depositor_client.post(new_url(organisation), data)
    assert "is not a ROR id" in response.context["people"].forms[0].errors["ror"][0]
    ok = depositor_client.post(new_url(organisation), article_post(**{"contributors-0-ror": "02mhbdp94"}))
    assert ok.context["preview"]["record"].contributors[0].affiliations[0].ids == [
        {"id": "https://ror.org/02mhbdp94", "id-type": "ROR"}
    ]


def test_a_registered_doi_is_not_taken_again(depositor_client, organisation):
    Work.objects.create(
        doi="10.5555/hlp.2024.001", organisation=organisation, type="journal-article", data={}
    )
    response = depositor_client.post(new_url(organisation), article_post(action="register"))
    assert "10.5555/hlp.2024.001 is already registered" in response.context["form"].errors["suffix"][0]
    assert not Submission.objects.exists()


def test_a_doi_written_in_a_reference_is_used_without_the_browser_match():
    from deposits.webform.records import references_from_text

    references = references_from_text("Smith J. Waves. doi:10.5555/Waves.\nJones K. Harbours. 2019.")
    assert [(r.key, r.doi) for r in references] == [("ref1", "10.5555/waves"), ("ref2", "")]
