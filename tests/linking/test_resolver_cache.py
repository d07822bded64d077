"""The resolver's per-process cache of targets: a resolution is served without a query
once cached, and every kind of change is seen at once here and, through the shared
generation number, by the other processes."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from linking.models import Work
from linking.records import PartialDate, WorkRecord
from linking.records import ResourceUrl as Url
from linking.resolver.cache import GENERATION_KEY
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def register(organisation, url: str, doi: str = "10.5555/cached.1") -> None:
    record = WorkRecord(
        doi=doi,
        type="journal-article",
        titles=["Caching persistent identifiers"],
        issued=PartialDate(2024),
        resource_urls=[Url(url=url)],
    )
    records_register(records=[record], organisation=organisation)


def location(client, doi: str = "10.5555/cached.1") -> str:
    response = client.get(f"/{doi}")
    assert response.status_code == 302
    return response["Location"]


def test_a_cached_resolution_reads_nothing_from_the_database(client, organisation):
    register(organisation, "https://p.example/one")
    assert location(client) == "https://p.example/one"
    with CaptureQueriesContext(connection) as queries:
        assert location(client) == "https://p.example/one"
    assert not [q for q in queries.captured_queries if "linking_work" in q["sql"]]


def test_a_redeposit_is_served_at_once(client, organisation):
    register(organisation, "https://p.example/one")
    assert location(client) == "https://p.example/one"
    register(organisation, "https://p.example/two")
    assert location(client) == "https://p.example/two"


def test_a_work_saved_one_at_a_time_is_served_at_once(client, organisation):
    register(organisation, "https://p.example/one")
    assert location(client) == "https://p.example/one"
    work = Work.objects.get(doi="10.5555/cached.1")
    work.url = "https://p.example/admin-edit"
    work.save()  # as the admin does
    assert location(client) == "https://p.example/admin-edit"
    work.delete()
    assert client.get("/10.5555/cached.1").status_code == 404


def test_another_processs_change_is_seen_after_the_generation_check(client, organisation, settings):
    settings.RESOLVER_GENERATION_CHECK = 0  # compare on every resolution
    register(organisation, "https://p.example/one")
    assert location(client) == "https://p.example/one"
    # What another process's registration leaves behind: the new URL in the database
    # (written without this process noticing) and a bumped shared generation.
    Work.objects.filter(doi="10.5555/cached.1").update(url="https://p.example/elsewhere")
    assert location(client) == "https://p.example/one"  # still cached: nothing said it changed
    cache.incr(GENERATION_KEY)
    assert location(client) == "https://p.example/elsewhere"


def test_unknown_dois_are_not_cached_and_the_cache_can_be_turned_off(client, organisation, settings):
    assert client.get("/10.5555/cached.1").status_code == 404
    # Written without telling anyone (bulk_create sends no signal, bumps no generation).
    Work.objects.bulk_create(
        [
            Work(
                doi="10.5555/cached.1",
                type="journal-article",
                url="https://p.example/one",
                organisation=organisation,
            )
        ]
    )
    assert location(client) == "https://p.example/one"
    settings.RESOLVER_CACHE_SIZE = 0
    with CaptureQueriesContext(connection) as queries:
        assert location(client) == "https://p.example/one"
    assert [q for q in queries.captured_queries if "linking_work" in q["sql"]]
