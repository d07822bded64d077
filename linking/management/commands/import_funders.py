"""python manage.py import_funders FILE [FILE...]: load the funder registry (CSV or JSON)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linking.funder_files import FunderFileError, entries_from_file
from linking.funders import funders_import


class Command(BaseCommand):
    help = (
        "Create or update funders from Open Funder Registry CSV/JSON, REST API /funders JSON or a ROR "
        "data dump. A re-import updates entries by registry id; it never duplicates them."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files: list[Path], **options):
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                entries = entries_from_file(path.name, path.read_bytes())
            except FunderFileError as error:
                raise CommandError(f"{path}: {error}") from error
            result = funders_import(entries=entries)
            for problem in result.problems[:50]:
                self.stderr.write(f"{path}: {problem}")
            if len(result.problems) > 50:
                self.stderr.write(f"{path}: ... and {len(result.problems) - 50} more problems")
            self.stdout.write(f"{path}: {result}")
