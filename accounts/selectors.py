"""Reads of the accounts app, shared by views, the admin, commands and other apps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import (
    AuditEvent,
    DepositCredential,
    Invitation,
    Membership,
    Organisation,
    Prefix,
    Role,
    User,
)


def roles_for(*, user: User, organisation: Organisation) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True))


def has_any_role(held: set[str], needed: set[str] | frozenset[str]) -> bool:
    """Admin may do everything; otherwise one of the needed roles must be held."""
    return Role.ADMIN in held or bool(held & set(needed))


def organisations_for_user(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).distinct().order_by("name")


def organisation_for_user(*, user: User, member_id: int) -> tuple[Organisation, set[str]]:
    """The organisation with `member_id` and the user's roles there. 404 unless the user
    acts for it, so guessing another member's URL reveals nothing."""
    organisation = Organisation.objects.filter(member_id=member_id).first()
    roles = roles_for(user=user, organisation=organisation) if organisation else set()
    if organisation is None or not roles:
        raise Http404("No organisation of yours has that member id.")
    return organisation, roles


@dataclass(frozen=True)
class Person:
    user: User
    roles: list[str]


def organisation_people(organisation: Organisation) -> list[Person]:
    grouped: dict[int, list[str]] = defaultdict(list)
    users: dict[int, User] = {}
    memberships = (
        Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__email")
    )
    for membership in memberships:
        users[membership.user_id] = membership.user
        grouped[membership.user_id].append(membership.role)
    return [
        Person(user=users[uid], roles=sorted(roles, key=Role.values.index)) for uid, roles in grouped.items()
    ]


def organisation_prefixes(organisation: Organisation) -> QuerySet[Prefix]:
    return organisation.prefixes.order_by("value").prefetch_related("transfers")


def organisation_credentials(organisation: Organisation) -> QuerySet[DepositCredential]:
    return organisation.credentials.select_related("created_by", "revoked_by").order_by(
        "revoked_at", "-created_at"
    )


def organisation_open_invitations(organisation: Organisation) -> list[Invitation]:
    return [i for i in organisation.invitations.select_related("invited_by") if i.is_open]


def organisation_audit(organisation: Organisation, limit: int = 50) -> QuerySet[AuditEvent]:
    return organisation.audit_events.select_related("actor")[:limit]


def prefixes_depositable_by(organisation: Organisation) -> QuerySet[Prefix]:
    """Prefixes a deposit acting for `organisation` may use: its own, and those of the
    members it sponsors."""
    return Prefix.objects.filter(
        organisation__in=Organisation.objects.filter(pk=organisation.pk)
        | Organisation.objects.filter(sponsor=organisation),
        status="active",
    )
