"""A DOI registered without a URL (imported records can lack one) resolves to its landing
page; its unixref says so, since the schema requires a `resource`."""

from __future__ import annotations

import pytest
from lxml import etree

from linking.records import PartialDate, WorkRecord
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = [pytest.mark.django_db, pytest.mark.shared]

CR11 = "http://www.crossref.org/xschema/1.1"


def test_unixref_of_a_work_without_url_names_its_landing_page(client, settings, shared_dir):
    settings.SITE_URL = "https://registry.example"
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    record = WorkRecord(doi="10.5555/no-url.1", type="journal-article", titles=["Without a home"])
    record.issued = PartialDate(2020)
    records_register(records=[record], organisation=organisation, source="import")

    response = client.get("/10.5555/no-url.1", HTTP_ACCEPT="application/vnd.crossref.unixref+xml")
    assert response.status_code == 200
    safe = etree.XMLParser(no_network=True, resolve_entities=False)
    root = etree.fromstring(response.content, safe)
    assert root.findtext(".//doi_data/resource") == "https://registry.example/works/10.5555/no-url.1"
    # Served without a namespace, as the real service does; its shape is unixref 1.1's.
    for element in root.iter():
        if isinstance(element.tag, str) and not etree.QName(element).namespace:
            element.tag = f"{{{CR11}}}{element.tag}"
    schema = etree.XMLSchema(
        etree.parse(str(shared_dir / "schema/crossref-bundle-0.3.1/unixref1.1.xsd"), safe)
    )
    schema.assertValid(etree.fromstring(etree.tostring(root)))
    # ... and the DOI resolves there.
    assert client.get("/10.5555/no-url.1")["Location"].endswith("/works/10.5555/no-url.1")
