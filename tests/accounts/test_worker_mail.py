"""Mail queued by services reaches a real Celery worker through Redis and is sent."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts import services
from accounts.models import Role
from tests.factories import ApplicationFactory, OrganisationFactory, member

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_approval_mail_goes_through_the_worker(celery_worker, wait_for):
    application = ApplicationFactory(primary_email="editor@river-press.example")
    services.application_approve(application=application, actor=None)
    message = wait_for(lambda: next((m for m in mail.outbox if "Welcome" in m.subject), None))
    assert message.to == ["editor@river-press.example"]
    assert application.organisation_name in message.subject


def test_invitation_mail_goes_through_the_worker(celery_worker, wait_for):
    organisation = OrganisationFactory()
    admin = member(organisation, Role.ADMIN)
    services.invitation_create(
        organisation=organisation, email="new.colleague@example.org", roles=[Role.DEPOSITOR], actor=admin
    )
    message = wait_for(lambda: next((m for m in mail.outbox if m.to == ["new.colleague@example.org"]), None))
    assert "/account/invitations/" in message.body
