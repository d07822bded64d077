"""Demo data for a local portal: one organisation of each kind, a user for each role.

Safe to run again: it finds what exists and creates only what is missing. Refuses to run
with DEBUG off unless --force, so production never gets well-known passwords."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import (
    ContactRole,
    DepositCredential,
    Organisation,
    OrganisationKind,
    Prefix,
    Role,
    User,
)

DEMO_PASSWORD = "demo-portal-2026"
DEMO_TOKEN_LABEL = "demo token"


class Command(BaseCommand):
    help = "Create demo organisations, prefixes, users and deposit credentials, and print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password for every demo user.")

    def handle(self, *args, force: bool, password: str, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates well-known logins: run it with DEBUG on, or pass --force.")
        with transaction.atomic():
            logins = self._seed(password)
            call_command("load_fee_schedule", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in at /auth/login/ with:"))
        for who, email in logins:
            self.stdout.write(f"  {who:<34} {email:<34} password: {password}")
        self.stdout.write("Deposit with login_id=demo-publisher, login_passwd=" + password)

    def _organisation(self, member_id: int, name: str, kind: str, country: str, sponsor=None) -> Organisation:
        organisation = Organisation.objects.filter(member_id=member_id).first()
        if organisation is None:
            organisation = services.organisation_create(
                member_id=member_id, name=name, kind=kind, country=country, sponsor=sponsor, actor=None
            )
            services.contact_save(
                organisation=organisation,
                actor=None,
                role=ContactRole.PRIMARY,
                name=f"{name} office",
                email=f"office@{name.lower().replace(' ', '-')}.example",
            )
        return organisation

    def _prefix(self, organisation: Organisation, value: str) -> None:
        if not Prefix.objects.filter(value=value).exists():
            services.prefix_assign(organisation=organisation, value=value, actor=None)

    def _user(self, email: str, name: str, password: str, **flags) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, full_name=name, **flags)
        return user

    def _seed(self, password: str) -> list[tuple[str, str]]:
        staff = self._user("staff@demo.example", "Sam Staff", password, is_staff=True, is_superuser=True)
        publisher = self._organisation(5555, "Demo Publisher", OrganisationKind.MEMBER, "GB")
        self._prefix(publisher, "10.5555")
        sponsor = self._organisation(5600, "Demo Sponsor", OrganisationKind.SPONSOR, "NL")
        sponsored = self._organisation(
            5601, "Small Society Press", OrganisationKind.SPONSORED_MEMBER, "KE", sponsor=sponsor
        )
        self._prefix(sponsored, "10.55601")
        library = self._organisation(5700, "Demo University Library", OrganisationKind.LIBRARY, "US")

        logins = [("staff (admin back office)", staff.email)]
        for role in Role:
            email = f"{role.value}@demo-publisher.example"
            user = self._user(email, f"Demo {role.label}", password)
            services.membership_set_roles(organisation=publisher, user=user, roles=[role], actor=None)
            logins.append((f"Demo Publisher {role.label.lower()}", email))
        for organisation, email in [
            (sponsor, "admin@demo-sponsor.example"),
            (sponsored, "admin@small-society.example"),
            (library, "admin@demo-library.example"),
        ]:
            user = self._user(email, f"{organisation.name} admin", password)
            services.membership_set_roles(
                organisation=organisation, user=user, roles=[Role.ADMIN], actor=None
            )
            logins.append((f"{organisation.name} admin", email))

        credential = DepositCredential.objects.filter(username="demo-publisher").first()
        if credential is None:
            credential, _generated = services.credential_create_role(
                organisation=publisher, username="demo-publisher", label="demo role login", actor=None
            )
        # A known password, so the README's deposit examples work as written.
        from django.contrib.auth.hashers import make_password

        credential.password_hash = make_password(password)
        credential.save(update_fields=["password_hash"])
        return logins
