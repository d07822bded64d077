"""`manage.py export_public_data`: the registry as gzipped JSON-lines shards that the
importer reads back, each record as /api/works/{doi} renders it."""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.management import CommandError, call_command

from linking.models import Work

pytestmark = [pytest.mark.shared, pytest.mark.django_db]


def test_export_writes_every_work_once_in_shards(api, tmp_path):
    out = tmp_path / "pdf"
    call_command("export_public_data", str(out), "--shard-size", "500", "--batch", "130")
    shards = sorted(out.iterdir(), key=lambda p: int(p.name.split(".")[0]))
    total = Work.objects.count()
    assert [p.name for p in shards] == [f"{n}.jsonl.gz" for n in range(-(-total // 500))]
    records = [json.loads(line) for p in shards for line in gzip.open(p, "rt", encoding="utf-8")]
    dois = [r["DOI"] for r in records]
    assert len(dois) == len(set(dois)) == total
    one = next(r for r in records if r["DOI"] == "10.1136/jclinpath-2020-206745")
    served = api.get("/api/works/10.1136/jclinpath-2020-206745").json()["message"]
    assert one == served


def test_export_reads_back_through_the_importer(api, tmp_path):
    from deposits.imports.rest_json import items_from_json

    out = tmp_path / "pdf"
    call_command("export_public_data", str(out), "--shard-size", "100000")
    with open(out / "0.jsonl.gz", "rb") as handle:
        kind, items = items_from_json(gzip.GzipFile(fileobj=handle))
        converted = [item.record() for item in items]
    assert len(converted) == Work.objects.count()


def test_export_refuses_a_directory_with_shards(api, tmp_path):
    (tmp_path / "0.jsonl.gz").write_bytes(b"")
    with pytest.raises(CommandError, match="already holds shards"):
        call_command("export_public_data", str(tmp_path))
