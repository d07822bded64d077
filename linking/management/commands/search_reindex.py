"""python manage.py search_reindex [--terms-only]: rebuild the search index from the works."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from linking.search import index_rebuild, search_terms_refresh


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every work and recount token frequencies."

    def add_arguments(self, parser):
        parser.add_argument("--terms-only", action="store_true", help="Only recount token frequencies.")
        parser.add_argument("--batch", type=int, default=5000, help="Works per batch (default 5000).")

    def handle(self, *args, terms_only: bool = False, batch: int = 5000, **options):
        started = time.monotonic()
        if terms_only:
            search_terms_refresh()
            self.stdout.write(f"Token frequencies recounted in {time.monotonic() - started:.1f} s.")
            return

        def progress(done: int) -> None:
            if options.get("verbosity", 1) > 1 or done % (batch * 20) == 0:
                self.stdout.write(f"  {done} works indexed ({time.monotonic() - started:.0f} s)")

        done = index_rebuild(batch=batch, progress=progress)
        self.stdout.write(self.style.SUCCESS(f"Indexed {done} works in {time.monotonic() - started:.1f} s."))
