"""Every billing page of the admin opens, with rows and with the searches staff type."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.billing import models as billing_models
from accounts.billing import services
from accounts.models import OrganisationKind
from tests.accounts.billing.helpers import publisher, register, sponsored
from tests.factories import staff

pytestmark = pytest.mark.django_db

BILLING_MODELS = sorted(
    (model for model in admin.site._registry if model.__module__ == billing_models.__name__),
    key=lambda model: model._meta.model_name,
)


@pytest.fixture
def rows():
    sponsor = publisher(kind=OrganisationKind.SPONSOR)
    register(sponsored(sponsor), "2026-07-01", n=2)
    [invoice] = services.registration_invoices_create(period="2026-Q3")
    invoice = services.invoice_mark_paid(
        invoice=services.invoice_issue(invoice=invoice, actor=None), actor=None
    )
    services.credit_note_create(invoice=invoice, actor=None, reason="x")


def test_every_billing_model_is_in_the_admin():
    from django.apps import apps

    defined = {
        m for m in apps.get_app_config("accounts").get_models() if m.__module__ == billing_models.__name__
    }
    assert set(BILLING_MODELS) == defined and len(defined) == 8


@pytest.mark.parametrize("model", BILLING_MODELS, ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("query", ["", "?q=x", "?q=10.5555", "?q=90001", "?q=%22unterminated"])
def test_changelists_and_change_pages_open(client, rows, model, query):
    client.force_login(staff())
    name = model._meta.model_name
    response = client.get(reverse(f"admin:accounts_{name}_changelist") + query)
    assert response.status_code == 200
    if not query:
        assert response.context["cl"].result_count >= 1
        obj = model._default_manager.first()
        assert client.get(reverse(f"admin:accounts_{name}_change", args=[obj.pk])).status_code == 200
