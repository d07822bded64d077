from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.models import DepositCredential, Membership, Organisation, Prefix, User
from accounts.services import credential_authenticate

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_each_kind_and_role_and_is_idempotent(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    out = capsys.readouterr().out
    call_command("seed_demo")

    assert User.objects.get(email="staff@demo.example").is_staff
    publisher = Organisation.objects.get(member_id=5555)
    assert list(publisher.prefixes.values_list("value", flat=True)) == ["10.5555"]
    assert set(Membership.objects.filter(organisation=publisher).values_list("role", flat=True)) == {
        "admin",
        "depositor",
        "billing",
        "viewer",
    }
    sponsored = Organisation.objects.get(kind="sponsored_member")
    assert sponsored.sponsor.kind == "sponsor"
    assert Organisation.objects.filter(kind="library").count() == 1
    # Run twice, created once.
    assert Organisation.objects.count() == 4
    assert Prefix.objects.count() == 2
    assert DepositCredential.objects.count() == 1
    for email in ["staff@demo.example", "viewer@demo-publisher.example", "admin@demo-library.example"]:
        assert email in out
    identity = credential_authenticate(login_id="demo-publisher", password="demo-portal-2026")
    assert identity is not None and identity.organisation == publisher


def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
