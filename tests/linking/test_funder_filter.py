"""`filter=funder:` finds a registry funder's works whether they were deposited with its
funder DOI or its ROR id, and whichever of the two the filter names."""

from __future__ import annotations

import pytest

from linking.models import Funder
from linking.records import Funding, ResourceUrl, WorkRecord
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded_works():
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    Funder.objects.create(
        funder_id="100000001", name="National Science Foundation", ror="https://ror.org/021nxhr62"
    )
    records = [
        WorkRecord(
            doi=f"10.5555/{name}",
            type="journal-article",
            titles=[name],
            resource_urls=[ResourceUrl(url=f"https://example.org/{name}")],
            funding=[Funding(name="NSF", funder_id=funder_id)],
        )
        for name, funder_id in [
            ("by-doi", "10.13039/100000001"),
            ("by-ror", "https://ror.org/021nxhr62"),
            ("other", "10.13039/501100000780"),
        ]
    ]
    records_register(records=records, organisation=organisation)


@pytest.mark.parametrize(
    "value", ["100000001", "10.13039/100000001", "https://ror.org/021nxhr62", "021nxhr62"]
)
def test_funder_filter_finds_works_under_either_identifier(client, funded_works, value):
    response = client.get("/api/works", {"filter": f"funder:{value}", "rows": 10})
    assert response.status_code == 200, response.content
    found = sorted(item["DOI"] for item in response.json()["message"]["items"])
    assert found == ["10.5555/by-doi", "10.5555/by-ror"]


def test_a_funder_not_in_the_registry_still_filters_by_its_doi(client, funded_works):
    response = client.get("/api/works", {"filter": "funder:501100000780"})
    assert [item["DOI"] for item in response.json()["message"]["items"]] == ["10.5555/other"]
