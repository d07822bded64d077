"""The demo registry that `make run` creates: every kind of record the portal shows."""

import pytest
from django.core.management import call_command

from linking.models import Funder, Work, WorkRelation


@pytest.fixture
def demo_registry(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_works")


@pytest.mark.django_db
def test_demo_works_cover_what_the_portal_shows(demo_registry):
    works = Work.objects.filter(organisation__member_id=5555)
    assert works.filter(type="journal-article").count() >= 56
    assert set(works.values_list("type", flat=True)) >= {"dataset", "posted-content", "book", "book-chapter"}
    retraction = WorkRelation.objects.filter(kind="update", type="retraction", target="10.5555/jds.2020.006")
    assert retraction.exists()
    dataset = works.get(doi="10.5555/data.soil.2023")
    assert [u.kind for u in dataset.resource_urls.all()] == ["primary", "secondary"]
    assert Funder.objects.filter(funder_id="100000001").exists()
    assert Work.objects.filter(organisation__member_id=5601).count() >= 56


@pytest.mark.django_db
def test_running_demo_works_again_adds_nothing(demo_registry, capsys):
    before = Work.objects.count()
    call_command("seed_demo_works")
    assert Work.objects.count() == before
    assert "0 demo works registered" in capsys.readouterr().out


@pytest.mark.django_db
def test_demo_works_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo_works")
