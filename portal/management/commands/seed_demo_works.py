"""Register the generated demo registry (portal/demo.py) for the demo members, so a local
portal has works to resolve, search, cite and bill. Run after seed_demo; safe to repeat."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organisation
from linking.models import Funder, Work
from linking.services import records_register
from portal.demo import demo_funders, demo_records

DEMO_MEMBERS = {5555: "10.5555", 5601: "10.55601"}


class Command(BaseCommand):
    help = "Register demo works for the demo members (run seed_demo first)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo_works writes demo records: run it with DEBUG on, or pass --force.")
        site = settings.SITE_URL.rstrip("/") + "/demo-publisher"
        with transaction.atomic():
            for funder_id, name in demo_funders():
                Funder.objects.get_or_create(funder_id=funder_id, defaults={"name": name})
            for member_id, prefix in DEMO_MEMBERS.items():
                organisation = Organisation.objects.filter(member_id=member_id).first()
                if organisation is None:
                    raise CommandError(f"Demo member {member_id} is missing: run seed_demo first.")
                records = list(demo_records(prefix, site=site, seed=member_id))
                stored = Work.objects.filter(doi__in=[r.doi for r in records])
                known = set(stored.values_list("doi", flat=True))
                fresh = [r for r in records if r.doi not in known]
                records_register(records=fresh, organisation=organisation, source="deposit")
                self.stdout.write(
                    f"{organisation.name}: {len(fresh)} demo works registered, {len(known)} already there."
                )
