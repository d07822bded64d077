"""A new small publisher, in a real browser against a live server with a real Celery worker:
logs in, registers a journal article with two authors and three references through the
web form, watches the submission page reach "Completed" by itself, follows the DOI to the
landing page, then edits the title and sees the change in the REST API. And every field
check of the form: a message at the field, and what was typed kept."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.conf import settings as django_settings
from django.urls import include, path

from accounts.models import Role
from linking.models import ResolutionCount, Work
from tests.e2e.conftest import snap
from tests.factories import PASSWORD, OrganisationFactory, PrefixFactory, member

# Every app is available; naming them makes the flush between tests TRUNCATE ... CASCADE,
# which PostgreSQL needs while linking_search (created by SQL, not a model) refers to works.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=[*django_settings.INSTALLED_APPS]),
]

DOI = "10.5555/tbp.2024.7"
LANDING = "https://tuibay.example/articles/7"
REFERENCES = [
    "Parata M, Ora B. Tidal mixing in small estuaries. Coastal Letters 3 (2024) 1-10. doi:10.5555/w.1",
    "Smith J. Waves and harbours. Ocean Letters 12 (2019) 44-51.",
    "Jones K. Sediment in the bay. In: Proceedings of the Bay Meeting, 2018, pp. 3-9.",
]


@pytest.fixture
def publisher(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    organisation = OrganisationFactory(name="Tui Bay Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    person = member(organisation, Role.DEPOSITOR, email="mere@tuibay.example")
    return organisation, person


def log_in(page, person) -> None:
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Tui Bay Press").wait_for()


def fill_article(page, *, title: str) -> None:
    page.fill("#id_suffix", DOI.split("/", 1)[1])
    page.fill("#id_url", LANDING)
    page.fill("#id_title", title)
    page.fill("#id_container_title", "Tui Bay Journal")
    page.fill("#id_issn", "1234-5679")
    page.fill("#id_volume", "4")
    page.fill("#id_issue", "1")
    page.fill("#id_first_page", "7")
    page.fill("#id_last_page", "19")
    page.fill("#id_published_year", "2024")
    page.fill("#id_published_month", "6")
    page.fill("#id_contributors-0-given", "Mere")
    page.fill("#id_contributors-0-family", "Parata")
    page.fill("#id_contributors-0-orcid", "0000-0002-1825-0097")
    page.get_by_role("button", name="Add a contributor").click()
    page.fill("#id_contributors-1-given", "Ben")
    page.fill("#id_contributors-1-family", "Ora")
    page.fill("#id_references", "\n".join(REFERENCES))


def test_small_publisher_registers_follows_and_edits_an_article(page, publisher, celery_worker):
    organisation, person = publisher
    # The article the first reference cites, already registered (by someone else).
    other = OrganisationFactory(name="Coastal Press")
    Work.objects.create(doi="10.5555/w.1", organisation=other, type="journal-article", title="Tidal mixing")
    log_in(page, person)
    snap(page, "01-logged-in")

    page.goto(f"/account/{organisation.member_id}/deposit/new/")
    page.get_by_role("heading", name="Register content").wait_for()
    snap(page, "02-empty-form")
    fill_article(page, title="Tidal flats of Tui Bay")
    # Each reference is matched as it is pasted (or shown as pending while matching is off).
    matches = page.locator("#reference-matches li")
    matches.nth(2).wait_for()
    page.wait_for_function("!document.querySelector('#reference-matches').textContent.includes('Matching…')")
    assert matches.count() == 3
    assert "→ 10.5555/w.1" in matches.nth(0).inner_text()
    snap(page, "03-filled-form")

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    preview.wait_for()
    assert "Tidal flats of Tui Bay" in preview.inner_text()
    assert "Mere Parata" in preview.inner_text() and "Ben Ora" in preview.inner_text()
    assert "3 references" in preview.inner_text()
    page.get_by_text("The deposit XML (Crossref schema 5.5.0)").click()
    assert "<doi>10.5555/tbp.2024.7</doi>" in preview.locator("pre.xml").inner_text()
    snap(page, "04-preview")

    page.get_by_role("button", name="Register", exact=True).click()
    page.get_by_role("heading", name=re.compile(r"Submission \d+: webform-")).wait_for()
    snap(page, "05-submission-queued")
    # The page follows the worker by itself and shows the log once it is done.
    page.get_by_text("Status: ✓ Completed").wait_for(timeout=90_000)
    row = page.get_by_role("row").filter(has_text=DOI)
    assert row.locator(".badge").inner_text().strip() == "✓ Success"
    snap(page, "06-submission-completed")
    work = Work.objects.get(doi=DOI)
    assert work.url == LANDING
    assert [c["family"] for c in work.data["contributors"]] == ["Parata", "Ora"]
    assert len(work.data["references"]) == 3

    # The DOI resolves to the landing page (the publisher's site, unreachable here, is
    # played by the browser).
    answer = page.request.get(f"/{DOI}", max_redirects=0)
    assert answer.status in (301, 302, 303, 307) and answer.headers["location"] == LANDING
    page.route(
        "https://tuibay.example/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<h1>Tidal flats of Tui Bay</h1>"
        ),
    )
    # Playwright routes only the first request of a redirect chain, so the browser follows
    # the Location it was given (asserted above) itself.
    page.goto(answer.headers["location"])
    assert page.url == LANDING
    page.get_by_role("heading", name="Tidal flats of Tui Bay").wait_for()
    snap(page, "07-landing-page")

    # Edit the title from the dashboard's list of registered DOIs.
    page.goto(f"/account/{organisation.member_id}/dashboard/dois/")
    snap(page, "08-registered-dois")
    page.get_by_role("row").filter(has_text=DOI).get_by_role("link", name="Edit").click()
    page.get_by_role("heading", name=f"Edit {DOI}").wait_for()
    assert page.input_value("#id_title") == "Tidal flats of Tui Bay"
    assert page.input_value("#id_contributors-1-family") == "Ora"
    page.fill("#id_title", "Tidal flats and channels of Tui Bay")
    snap(page, "09-edit-form")
    page.get_by_role("button", name="Register the changes").click()
    page.get_by_text("Status: ✓ Completed").wait_for(timeout=90_000)
    snap(page, "10-edit-completed")

    api = page.request.get(f"/api/works/{DOI}")
    if api.status == 200:
        message = json.loads(api.body())["message"]
        assert message["title"] == ["Tidal flats and channels of Tui Bay"]
        page.goto(f"/api/works/{DOI}")
        snap(page, "11-api")
    work.refresh_from_db()
    assert work.title == "Tidal flats and channels of Tui Bay"


def test_the_form_refuses_bad_input_at_the_field_and_keeps_it(page, publisher):
    organisation, person = publisher
    log_in(page, person)
    page.goto(f"/account/{organisation.member_id}/deposit/new/")
    fill_article(page, title="Will be emptied")
    page.fill("#id_title", "")
    page.fill("#id_suffix", "10.9999/not-ours.1")
    page.fill("#id_contributors-0-orcid", "0000-0002-1825-0098")
    page.get_by_role("button", name="Register", exact=True).click()

    page.get_by_text("Nothing was sent: please correct the fields marked below.").wait_for()
    title_field = page.locator(".field").filter(has=page.locator("#id_title"))
    assert "This field is required." in title_field.inner_text()
    suffix_field = page.locator(".field").filter(has=page.locator("#id_suffix"))
    assert "10.9999, which is not one of yours" in suffix_field.inner_text()
    orcid_field = page.locator(".field").filter(has=page.locator("#id_contributors-0-orcid"))
    assert "wrong check digit" in orcid_field.inner_text()
    # What was typed is still there.
    assert page.input_value("#id_suffix") == "10.9999/not-ours.1"
    assert page.input_value("#id_contributors-0-orcid") == "0000-0002-1825-0098"
    assert page.input_value("#id_contributors-1-family") == "Ora"
    assert page.input_value("#id_references").splitlines() == REFERENCES
    snap(page, "01-errors-at-the-fields")
    assert not Work.objects.exists()


# The public participation report is mounted at "" by portal/urls.py; until then this module
# mounts it for the report test.
urlpatterns = [
    path("", include("portal.dashboard.public_urls")),
    path("", include("portal.urls")),
]


@pytest.mark.urls(__name__)
def test_reports_draw_their_charts(page, publisher):
    organisation, person = publisher
    for month, count in ((1, 12), (2, 30), (3, 21)):
        doi = f"10.5555/r.{month}"
        Work.objects.create(
            doi=doi,
            organisation=organisation,
            type="journal-article",
            title=f"Report {month}",
            issued="2024-01-00",
            data={"abstract": "x"} if month == 1 else {},
        )
        ResolutionCount.objects.create(doi=doi, month=datetime.date(2024, month, 1), count=count)
    log_in(page, person)
    page.goto(f"/account/{organisation.member_id}/dashboard/reports/resolutions/")
    chart = page.get_by_role("img", name="Resolutions per month")
    chart.wait_for()
    assert chart.locator("rect").count() == 3
    snap(page, "01-resolution-report")
    page.goto(f"/account/{organisation.member_id}/dashboard/reports/depositor/")
    snap(page, "02-depositor-report")
    page.goto(f"/members/{organisation.member_id}/participation")
    page.get_by_role("img", name="Coverage in percent").wait_for()
    row = page.get_by_role("row").filter(has_text="journal-article")
    assert "33%" in row.inner_text()  # one of three works has an abstract
    snap(page, "03-participation")
