"""A reader in a real browser: a landing page with its Crossmark banner and style chooser,
the multiple-resolution choice, and reporting a DOI that does not resolve."""

from __future__ import annotations

import pytest

from linking.models import DoiErrorReport
from linking.records import PartialDate, Update, WorkRecord
from linking.records import ResourceUrl as Url
from linking.services import records_register
from tests.e2e.conftest import chromium_path, page, snap  # noqa: F401 (fixtures)
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def registry():
    organisation = OrganisationFactory(name="Coastal Press")
    PrefixFactory(value="10.5555", organisation=organisation)
    records_register(
        records=[
            WorkRecord(
                doi="10.5555/main.1",
                type="journal-article",
                titles=["Tidal mixing in small estuaries"],
                issued=PartialDate(2024, 3),
                abstract="<jats:p>Tides <jats:italic>matter</jats:italic>.</jats:p>",
                resource_urls=[
                    Url(url="https://coastal.example/1"),
                    Url(url="https://mirror.example/1", kind="secondary", label="Mirror"),
                ],
            ),
            WorkRecord(
                doi="10.5555/notice.1",
                type="journal-article",
                titles=["Correction"],
                updates=[Update(doi="10.5555/main.1", type="correction", date=PartialDate(2024, 6, 2))],
                resource_urls=[Url(url="https://coastal.example/n")],
            ),
        ],
        organisation=organisation,
    )


def test_landing_page_in_a_browser(page, registry):  # noqa: F811
    page.goto("/works/10.5555/main.1")
    assert page.locator(".crossmark").is_visible()
    assert "corrected" in page.locator(".crossmark").inner_text()
    page.select_option("#style", "ieee")
    page.click("text=Format citation")
    assert "style=ieee" in page.url
    snap(page, "landing")
    page.click(".crossmark a")
    assert page.url.endswith("/works/10.5555/notice.1")
    assert "This notice updates" in page.content()


def test_multiple_resolution_and_a_report_in_a_browser(page, registry):  # noqa: F811
    page.goto("/10.5555/main.1")
    assert page.locator(".location").count() == 2
    snap(page, "choices")
    page.goto("/10.5555/missing.2")
    assert "not registered here" in page.content()
    page.fill("#id_comment", "Cited in a lecture")
    page.click("text=Report the DOI")
    page.wait_for_url("**/resolver/report/thanks*")
    snap(page, "reported")
    assert DoiErrorReport.objects.get().comment == "Cited in a lecture"
