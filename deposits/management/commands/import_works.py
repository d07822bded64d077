"""Bulk-load existing records into the registry: `python manage.py import_works FILE_OR_FOLDER...`.

Takes REST API JSON (lines, single works, list pages), Public Data File shards, and
unixref/unixsd/OAI-PMH XML, gzipped or not, told apart by content. The work is done by
`deposits.imports.loader.works_import`; this only reads arguments and prints the summary.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from deposits.imports.loader import BATCH_SIZE, import_files_expand, works_import


class Command(BaseCommand):
    help = (
        "Import existing works (Crossref REST API JSON, Public Data File, unixref/unixsd/OAI-PMH XML) "
        "through the registration service, creating the organisations and prefixes they name."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Files, or folders to read recursively.")
        parser.add_argument("--dry-run", action="store_true", help="Read, convert and count; write nothing.")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="Records per registration batch."
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the summary as JSON.")

    def handle(self, *args, paths: list[str], dry_run: bool, batch_size: int, as_json: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        files = import_files_expand(paths=paths)
        if not files:
            raise CommandError(f"No files in {', '.join(paths)}.")
        report = works_import(paths=files, dry_run=dry_run, batch_size=batch_size)
        if as_json:
            self.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(report.render())
        if report.failed_files:
            names = ", ".join(f.path for f in report.failed_files[:5])
            more = f" and {len(report.failed_files) - 5} more" if len(report.failed_files) > 5 else ""
            raise CommandError(f"{len(report.failed_files)} file(s) could not be read: {names}{more}.")
