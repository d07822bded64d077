"""`manage.py export_public_data DIR`: the whole registry as a Public Data File.

Layout as Crossref's 2025 dump: gzipped JSON-lines shards `DIR/0.jsonl.gz`,
`DIR/1.jsonl.gz`, ..., one work per line in the record shape of `/api/works/{doi}`.
Works are read in keyset pages of `--batch` by id, so memory stays flat whatever the size
of the registry; each shard is written under a temporary name and renamed when complete,
so an interrupted export never leaves a truncated shard that looks whole."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from linking.api.render import work_message
from linking.api.selectors import work_sides, works_base


class Command(BaseCommand):
    help = "Write every work as gzipped JSON-lines shards (Public Data File layout) into DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--shard-size", type=int, default=10_000, help="Works per shard (default 10000).")
        parser.add_argument("--batch", type=int, default=1000, help="Works read per query (default 1000).")

    def handle(self, *args, directory: Path, shard_size: int, batch: int, **options):
        if shard_size < 1 or batch < 1:
            raise CommandError("--shard-size and --batch must be positive")
        directory.mkdir(parents=True, exist_ok=True)
        if any(directory.glob("*.jsonl.gz")):
            raise CommandError(f"{directory} already holds shards; export into an empty directory")
        last_id, shard, in_shard, written = 0, 0, 0, 0
        handle, partial = None, None
        try:
            while True:
                page = list(works_base().filter(pk__gt=last_id).order_by("pk")[:batch])
                if not page:
                    break
                sides = work_sides(page)
                for work in page:
                    if handle is None:
                        partial = directory / f".{shard}.jsonl.gz.partial"
                        handle = gzip.open(partial, "wt", encoding="utf-8")
                    handle.write(json.dumps(work_message(work, sides, singleton=True), ensure_ascii=False))
                    handle.write("\n")
                    in_shard += 1
                    written += 1
                    if in_shard == shard_size:
                        handle.close()
                        os.replace(partial, directory / f"{shard}.jsonl.gz")
                        handle, shard, in_shard = None, shard + 1, 0
                last_id = page[-1].pk
            if handle is not None:
                handle.close()
                os.replace(partial, directory / f"{shard}.jsonl.gz")
                shard += 1
        finally:
            if handle is not None and not handle.closed:
                handle.close()
                partial.unlink(missing_ok=True)
        self.stdout.write(f"{written} works in {shard} shards in {directory}")
