"""python manage.py import_retraction_watch FILE.csv: load the Retraction Watch database."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linking.retraction_watch import RetractionWatchFileError, retraction_watch_import, rows_from_csv

MAX_BYTES = 500 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Make the stored Retraction Watch updates equal to this CSV (the public retraction_watch.csv): "
        "adds new Record IDs, updates changed ones, removes those no longer in the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--prune", action="store_true", help="Remove missing entries even from a small file."
        )
        group.add_argument(
            "--keep-missing", action="store_true", help="Never remove entries missing from the file."
        )

    def handle(self, *args, file: Path, prune: bool, keep_missing: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
        try:
            rows = rows_from_csv(file.read_bytes())
            result = retraction_watch_import(
                rows=rows, prune=True if prune else False if keep_missing else None
            )
        except RetractionWatchFileError as error:
            raise CommandError(f"{file}: {error}") from error
        for line in result.skipped[:20]:
            self.stderr.write(f"{file}: skipped {line}")
        if len(result.skipped) > 20:
            self.stderr.write(f"{file}: ... and {len(result.skipped) - 20} more rows skipped")
        for note in result.notes:
            self.stderr.write(f"{file}: {note}")
        self.stdout.write(f"{file}: {result}")
