"""import_retraction_watch: the public CSV into third-party updated-by entries; a newer file
updates, never duplicates, and drops entries it no longer has."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from linking.crossmark import updated_by_map
from linking.models import ExternalUpdate

pytestmark = pytest.mark.django_db

HEADER = [
    "Record ID",
    "Title",
    "Subject",
    "Institution",
    "Journal",
    "Publisher",
    "Country",
    "Author",
    "URLS",
    "ArticleType",
    "RetractionDate",
    "RetractionDOI",
    "RetractionPubMedID",
    "OriginalPaperDate",
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "Reason",
    "Paywalled",
    "Notes",
]


def row(
    record_id, original_doi, nature="Retraction", notice_doi="unavailable", date="3/15/2023 0:00", **more
):
    values = {
        "Record ID": record_id,
        "Title": f"Paper {record_id}",
        "Journal": "Coastal Letters",
        "Publisher": "Tide Press",
        "Author": "Parata M;Okland J",
        "URLS": "https://retractionwatch.example/1",
        "ArticleType": "Research Article;",
        "RetractionDate": date,
        "RetractionDOI": notice_doi,
        "RetractionPubMedID": "0",
        "OriginalPaperDate": "1/2/2020 0:00",
        "OriginalPaperDOI": original_doi,
        "OriginalPaperPubMedID": "0",
        "RetractionNature": nature,
        "Reason": "+Concerns/Issues About Data;+Investigation by Journal/Publisher;",
        "Paywalled": "No",
        "Notes": "",
    }
    values.update(more)
    return values


def write(path, rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER)
    writer.writeheader()
    for r in rows:
        writer.writerow(r)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


def entries():
    return {
        u.record_id: (u.target, u.notice_doi, u.type, u.date)
        for u in ExternalUpdate.objects.filter(source="retraction-watch")
    }


def test_import_then_reimport_of_a_changed_file(tmp_path):
    path = tmp_path / "retraction_watch.csv"
    write(
        path,
        [
            row("1001", "10.5555/Tidal.1", notice_doi="10.5555/RETRACT.1"),
            row("1002", "10.5555/tidal.2", nature="Correction", date="11/2/2023 0:00"),
            row("1003", "10.5555/glacier.1", nature="Expression of concern"),
            row("1004", "Unavailable"),  # nothing to attach it to
            row("1005", "10.5555/glacier.1", nature="Reinstatement", date="1/5/2024 0:00"),
        ],
    )
    call_command("import_retraction_watch", str(path))
    assert entries() == {
        "1001": ("10.5555/tidal.1", "10.5555/retract.1", "retraction", "2023-03-15"),
        "1002": ("10.5555/tidal.2", "", "correction", "2023-11-02"),
        "1003": ("10.5555/glacier.1", "", "expression_of_concern", "2023-03-15"),
        "1005": ("10.5555/glacier.1", "", "reinstatement", "2024-01-05"),
    }
    stored = ExternalUpdate.objects.get(record_id="1001")
    assert stored.data["Reason"] == ["Concerns/Issues About Data", "Investigation by Journal/Publisher"]
    shown = updated_by_map(["10.5555/tidal.1"])["10.5555/tidal.1"]
    assert [(u["type"], u["source"], u["DOI"]) for u in shown] == [
        ("retraction", "retraction-watch", "10.5555/retract.1")
    ]

    # A newer file: 1001 gains a notice DOI and date, 1002 is gone, 1006 is new, 1003/1005 unchanged.
    write(
        path,
        [
            row("1001", "10.5555/tidal.1", notice_doi="10.5555/retract.2", date="4/1/2023 0:00"),
            row("1003", "10.5555/glacier.1", nature="Expression of concern"),
            row("1005", "10.5555/glacier.1", nature="Reinstatement", date="1/5/2024 0:00"),
            row("1006", "10.6666/ice.core.7", nature="Retraction", date="2/2/2025 0:00"),
        ],
    )
    out = io.StringIO()
    call_command("import_retraction_watch", str(path), stdout=out)
    assert "1 created, 1 updated, 2 unchanged, 1 removed" in out.getvalue()
    assert entries() == {
        "1001": ("10.5555/tidal.1", "10.5555/retract.2", "retraction", "2023-04-01"),
        "1003": ("10.5555/glacier.1", "", "expression_of_concern", "2023-03-15"),
        "1005": ("10.5555/glacier.1", "", "reinstatement", "2024-01-05"),
        "1006": ("10.6666/ice.core.7", "", "retraction", "2025-02-02"),
    }
    assert ExternalUpdate.objects.get(record_id="1001").pk == stored.pk  # updated in place


def test_a_file_much_smaller_than_the_stored_set_does_not_remove_unless_told(tmp_path):
    path = tmp_path / "rw.csv"
    write(path, [row(str(n), f"10.5555/w.{n}") for n in range(1, 11)])
    call_command("import_retraction_watch", str(path))
    write(path, [row("1", "10.5555/w.1")])
    err = io.StringIO()
    call_command("import_retraction_watch", str(path), stderr=err)
    assert ExternalUpdate.objects.count() == 10
    assert "looks truncated" in err.getvalue()
    call_command("import_retraction_watch", str(path), "--prune")
    assert list(ExternalUpdate.objects.values_list("record_id", flat=True)) == ["1"]


def test_other_sources_are_never_touched(tmp_path):
    ExternalUpdate.objects.create(source="other", record_id="1", target="10.5555/x", type="retraction")
    path = tmp_path / "rw.csv"
    write(path, [row("1", "10.5555/y")])
    call_command("import_retraction_watch", str(path))
    assert ExternalUpdate.objects.filter(source="other").count() == 1
    assert ExternalUpdate.objects.filter(source="retraction-watch").count() == 1


def test_a_file_without_the_columns_is_refused_by_name(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("doi,what\n10.5555/x,retracted\n")
    with pytest.raises(CommandError, match="lacks Record ID, OriginalPaperDOI, RetractionNature"):
        call_command("import_retraction_watch", str(path))
    assert ExternalUpdate.objects.count() == 0
