"""import_works as a command: malformed lines, dry runs, unreadable files, records without a member."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, Organisation, Prefix
from deposits.imports.loader import works_import
from linking.models import Title, Work, WorkReference
from tests.deposits.import_support import (
    rest_works,
    stand_in_converter,
    summary,
)

pytestmark = pytest.mark.shared


@pytest.mark.django_db
def test_a_malformed_line_is_refused_with_its_line_and_the_rest_loads(sample, tmp_path):
    lines = [json.dumps(w) for w in rest_works(sample)[:4]]
    lines[2] = lines[2][:-40]  # cut short: not JSON any more
    path = tmp_path / "works.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command("import_works", str(path), stdout=out)
    text = out.getvalue()
    assert "refused 1 × NOT_JSON" in text and "line 3:" in text
    assert "Partial records" in text  # the policy is stated in every summary
    (file,) = summary(path)["files"]
    assert (file["read"], file["registered"], file["refused_total"]) == (4, 3, 1)
    assert file["refused"]["NOT_JSON"]["examples"][0].startswith("line 3:")
    loaded = [json.loads(line)["DOI"].lower() for n, line in enumerate(lines) if n != 2]
    assert Work.objects.filter(doi__in=loaded).count() == 3


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_counts_what_a_real_run_does(sample):
    shards = sorted((sample / "public-data-file").glob("alexandria3k-*"))
    tables = (Work, Organisation, Prefix, AuditEvent, Title, WorkReference)
    before = [model.objects.count() for model in tables]
    dry = summary(*shards, "--dry-run")
    assert [model.objects.count() for model in tables] == before
    assert dry["dry_run"] is True
    real = summary(*shards)
    for key in ("read", "registered", "new", "updated", "refused_total"):
        assert dry["totals"][key] == real["totals"][key], key
    assert dry["prefixes_created"] == real["prefixes_created"]
    assert [o["member_id"] for o in dry["organisations_created"]] == [
        o["member_id"] for o in real["organisations_created"]
    ]


@pytest.mark.django_db
def test_unreadable_files_exit_non_zero_after_the_others_load(sample, tmp_path):
    (tmp_path / "notes.txt").write_text("not a record\n")
    (tmp_path / "broken.json.gz").write_bytes(gzip.compress(b'{"items": [')[:-6])
    good = sample / "public-data-file" / "crossref-lmdb-0.json.gz"
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 file"):
        call_command("import_works", str(good), str(tmp_path), str(tmp_path / "missing.json"), stdout=out)
    text = out.getvalue()
    assert text.count("  NOT READ: ") == 3
    assert Work.objects.filter(doi="10.1021/jo020170p").exists()


@pytest.mark.django_db
def test_memberless_records_take_their_prefix_owner_or_a_stand_in(tmp_path):
    owner = Organisation.objects.create(name="Psychoceramics Press", member_id=990001, status="active")
    Prefix.objects.create(value="10.5555", organisation=owner)
    known = tmp_path / "known.xml"
    known.write_text(
        '<doi_records><doi_record owner="10.5555"><crossref><journal><journal_article>'
        "<titles><title>Known</title></titles><doi_data><doi>10.5555/known-1</doi></doi_data>"
        "</journal_article></journal></crossref></doi_record></doi_records>"
    )
    unknown = tmp_path / "unknown.xml"
    unknown.write_text(
        "<doi_records><doi_record><crossref><book><book_metadata><publisher><publisher_name>Obscure Books"
        "</publisher_name></publisher><doi_data><doi>10.98765/b-1</doi></doi_data></book_metadata></book>"
        "</crossref></doi_record></doi_records>"
    )
    report = works_import(paths=[known, unknown], converter=stand_in_converter)
    assert Work.objects.get(doi="10.5555/known-1").organisation == owner
    (made,) = report.organisations
    assert (made.name, made.stand_in, made.prefixes) == ("Obscure Books", True, ["10.98765"])
    assert made.member_id > 990001  # the next member id: above every one that exists
    stand_in = Organisation.objects.get(member_id=made.member_id)
    assert Work.objects.get(doi="10.98765/b-1").organisation == stand_in
    assert Prefix.objects.get(value="10.98765").organisation == stand_in
    assert AuditEvent.objects.filter(action="organisation.create", target_id=str(stand_in.pk)).exists()
    assert "named after the publisher" in report.render()


# -- the whole sample, loaded once ------------------------------------------------------------------------
