from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import (
    Contact,
    ContactRole,
    Invitation,
    Membership,
    MembershipApplication,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Prefix,
    RevenueTier,
    Role,
    User,
)

PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Publisher {n}")
    member_id = factory.Sequence(lambda n: 90000 + n)
    kind = OrganisationKind.MEMBER
    status = OrganisationStatus.ACTIVE
    country = "GB"
    revenue_tier = RevenueTier.UNDER_1M


class PrefixFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prefix

    value = factory.Sequence(lambda n: f"10.{20000 + n}")
    organisation = factory.SubFactory(OrganisationFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ADMIN


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    role = ContactRole.PRIMARY
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@example.org")


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipApplication

    organisation_name = factory.Sequence(lambda n: f"Applicant Press {n}")
    kind = OrganisationKind.MEMBER
    country = "KE"
    revenue_tier = RevenueTier.UNDER_1M
    publishes = "Two open-access journals in linguistics."
    primary_name = "Amina Otieno"
    primary_email = factory.Sequence(lambda n: f"amina{n}@applicant.example")
    billing_name = "Billing Office"
    billing_email = factory.Sequence(lambda n: f"billing{n}@applicant.example")


def member(organisation: Organisation, *roles: str, **user_fields) -> User:
    """A user who acts for `organisation` with `roles`."""
    user = UserFactory(**user_fields)
    for role in roles or (Role.ADMIN,):
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user


class InvitationFactory(factory.django.DjangoModelFactory):
    """An open invitation; pass `expires_at`, `revoked_at` or `accepted_at` to close it."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    roles = factory.LazyFunction(lambda: [Role.VIEWER.value])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


def staff(**user_fields) -> User:
    """A staff superuser, as the back office uses."""
    return UserFactory(is_staff=True, is_superuser=True, **user_fields)
