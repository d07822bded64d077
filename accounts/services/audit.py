from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import AuditEvent, Organisation, User


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The audited state of an instance: plain JSON values for the named fields."""
    state: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        state[name] = value
    return state


def stored_user(actor: User | None) -> User | None:
    """The actor as a foreign key value: None for the system or an unsaved user."""
    return actor if actor is not None and actor.pk else None


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    message: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=stored_user(actor),
        organisation=organisation,
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        before=before or {},
        after=after or {},
        message=message,
    )
