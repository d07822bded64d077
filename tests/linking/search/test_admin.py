"""The registry in the admin: works found by DOI, prefix or title words; reindex action;
every linking model's list page opens."""

from __future__ import annotations

import pytest
from django.urls import reverse

from linking.models import ExternalUpdate, Work
from tests.factories import UserFactory
from tests.linking.search.support import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    registry()
    return client


def listed(client, q: str) -> set[str]:
    response = client.get(reverse("admin:linking_work_changelist"), {"q": q})
    assert response.status_code == 200
    return {w.doi for w in response.context["cl"].result_list}


def test_works_are_found_by_doi_prefix_or_title_words(staff_client):
    assert listed(staff_client, "10.5555/TIDAL.1") == {"10.5555/tidal.1"}
    assert listed(staff_client, "https://doi.org/10.6666/ice.core.7") == {"10.6666/ice.core.7"}
    assert len(listed(staff_client, "10.5555/")) == 5
    assert listed(staff_client, "meltwater glacier") == {"10.5555/glacier.1", "10.5555/notice.1"}


def test_reindex_action_and_read_only_work_pages(staff_client):
    work = Work.objects.get(doi="10.5555/tidal.1")
    response = staff_client.post(
        reverse("admin:linking_work_changelist"),
        {"action": "reindex", "_selected_action": [work.pk]},
        follow=True,
    )
    assert "Reindexed 1 works." in response.content.decode()
    page = staff_client.get(reverse("admin:linking_work_change", args=[work.pk]))
    assert page.status_code == 200 and "Tidal mixing" in page.content.decode()
    assert staff_client.get(reverse("admin:linking_work_add")).status_code == 403


def test_every_registry_list_opens(staff_client):
    ExternalUpdate.objects.create(record_id="1", target="10.5555/tidal.1", type="retraction")
    for name in (
        "work",
        "title",
        "funder",
        "externalupdate",
        "doierrorreport",
        "workconflict",
        "resolutioncount",
    ):
        assert staff_client.get(reverse(f"admin:linking_{name}_changelist")).status_code == 200, name
