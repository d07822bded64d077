"""Every real deposit file in shared/samples/deposits/ and shared/data/crossref-sample/deposit-xml/
goes through `POST /servlet/deposit` and a real Celery worker on Redis, and gets the outcome
its manifest implies: registered (each DOI logged and in the registry), or refused for the
stated reason with nothing registered.

Expected outcomes: samples/deposits/MANIFEST.md states PASS / FAIL (line) / NO-SCHEMA per
file. The crossref-sample README describes the jose/ and elife/ files as real deposits sent
to Crossref (registered); a corpus file with the same bytes as a sample takes that sample's
stated outcome (the Crossref test-prefix files and eLife's crossref-606 are error samples).
Resource-only files add to "existing DOIs" (the manifest's words), so their DOIs are
registered first, through the same endpoint. Each file is judged on its own: the registry is
emptied between files, as several files share DOIs with equal timestamps."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection

from deposits.errors import ErrorCode
from deposits.models import RecordStatus, Submission, SubmissionStatus
from deposits.xml.parse import parse_deposit_tree
from deposits.xml.validate import validate_deposit
from linking.models import Title, Work
from tests.deposits.support import _private_media, depositor  # noqa: F401 - autouse fixture
from tests.deposits.test_validation import manifest_outcomes
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import PrefixFactory

pytestmark = [
    pytest.mark.shared,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("installed_schema_dir", "crossref_schemas"),
]

PREFIXES = ("10.5555", "10.32013", "10.50505", "10.7554", "10.1136", "10.5334", "10.21105")
RECEIVED = "Your batch submission was successfully received."
DOAJ_DUPLICATE = "doaj__5.3.1_duplicate_in_file.xml"
QUERY = "crossref__xsd_xml.in.xml"
# Schema-valid files with records the business rules refuse, for what the file itself holds.
RULE_FAILURES = {
    # <ORCID>https://orcid.org/0000-0000-0000-0000</ORCID>: its check digit should be 1.
    "elife__v5.4.0__elife-crossref-preprint-posted_content-202200001-v2-20170717071707.xml": [
        ("10.7554/eLife.202200001", RecordStatus.FAILURE, ErrorCode.ORCID_INVALID)
    ],
    # ISSN 1111-1111 has a wrong check digit; the second record repeats the first one's DOI.
    DOAJ_DUPLICATE: [
        ("10.50505/test_20051229930", RecordStatus.FAILURE, ErrorCode.ISSN_INVALID),
        ("10.50505/test_20051229930", RecordStatus.FAILURE, ErrorCode.DUPLICATE_IN_FILE),
    ],
}
# A corpus file that is not byte for byte a sample, but the same error sample from a later
# commit of eLife's generator: empty <depositor_name> and <registrant> in the head.
CORPUS_REFUSED = {"crossref-606-20170717071707.xml": "FAIL-SCHEMA"}
# Registered cleanly: with no warning, or with one that only reports links we could not make
# (a cited DOI, or a funder named without an id, that is not in this registry).
CLEAN = {
    (RecordStatus.SUCCESS, ""),
    (RecordStatus.WARNING, ErrorCode.REFERENCE_DOI_UNKNOWN),
    (RecordStatus.WARNING, ErrorCode.FUNDER_NAME_UNKNOWN),
}
REFUSAL_CODES = {
    "FAIL-SCHEMA": {ErrorCode.SCHEMA_INVALID},
    "FAIL-PARSE": {ErrorCode.NOT_WELL_FORMED, ErrorCode.NOT_XML},
    "NO-SCHEMA": {ErrorCode.UNKNOWN_ROOT, ErrorCode.UNKNOWN_NAMESPACE},
}


@dataclass(frozen=True)
class Expected:
    outcome: str  # PASS | FAIL-SCHEMA | FAIL-PARSE | NO-SCHEMA
    reason: str


def expectations(shared_dir: Path) -> dict[Path, Expected]:
    samples = shared_dir / "samples" / "deposits"
    stated = manifest_outcomes(samples)
    by_bytes = {hashlib.sha256((samples / name).read_bytes()).digest(): name for name in stated}
    found = {
        samples / name: Expected(outcome, f"MANIFEST.md: {name}") for name, (outcome, _) in stated.items()
    }
    for path in sorted((shared_dir / "data" / "crossref-sample" / "deposit-xml").rglob("*.xml")):
        twin = by_bytes.get(hashlib.sha256(path.read_bytes()).digest())
        if twin is not None:
            found[path] = Expected(stated[twin][0], f"same file as {twin} in MANIFEST.md")
        elif path.name in CORPUS_REFUSED:
            found[path] = Expected(CORPUS_REFUSED[path.name], "an error sample (see CORPUS_REFUSED)")
        else:
            found[path] = Expected("PASS", "crossref-sample README: a real deposit")
    return found


def dois_in(path: Path) -> tuple[str, list[str]]:
    """The deposit's kind and its DOIs as the log writes them (document order)."""
    result = validate_deposit(path)
    parsed = parse_deposit_tree(result.tree)
    return parsed.kind, [r.doi_as_written for r in parsed.records]


def post(client, press, name: str, content: bytes, operation: str) -> Submission:
    for attempt in range(3):
        upload = SimpleUploadedFile(name, content, content_type="application/xml; charset=utf-8")
        try:
            response = client.post(
                "/servlet/deposit", {"operation": operation, **press.fields(), "fname": upload}
            )
            break
        except OperationalError:
            # SQLite has one writer: the worker may still be busy with the previous file's
            # follow-up tasks (reference matching). PostgreSQL never gets here.
            if connection.vendor != "sqlite" or attempt == 2:
                raise
            time.sleep(2)
    assert response.status_code == 200 and RECEIVED in response.content.decode(), response.content[:300]
    return Submission.objects.order_by("-pk").first()


def test_every_real_deposit_gets_the_outcome_its_manifest_implies(
    client, shared_dir, celery_worker, wait_for
):
    press = depositor(prefix=PREFIXES[0])
    for value in PREFIXES[1:]:
        PrefixFactory(value=value, organisation=press.organisation)

    def finished(pk):
        def check():
            current = Submission.objects.get(pk=pk)
            return current if current.is_finished else None

        return check

    problems: list[str] = []
    expected_all = expectations(shared_dir)
    assert len(expected_all) == 40 + 114
    for path, expected in expected_all.items():
        Work.objects.all().delete()
        Title.objects.all().delete()
        label = f"{path.parent.name}/{path.name} ({expected.reason})"
        content = path.read_bytes()
        kind, dois = dois_in(path) if expected.outcome == "PASS" and path.name != QUERY else ("", [])
        if kind == "resources":  # "adds ... to existing DOIs": register them first
            targets = sorted({d.lower() for d in dois})
            articles = [Article(doi, first_page=str(i + 1)) for i, doi in enumerate(targets)]
            first = post(client, press, "existing.xml", journal_deposit(*articles), "doMDUpload")
            assert wait_for(finished(first.pk), timeout=60).status == SubmissionStatus.COMPLETED
        operation = "doDOICitUpload" if kind == "resources" else "doMDUpload"
        submission = post(client, press, path.name, content, operation)
        done = wait_for(finished(submission.pk), timeout=60)
        records = list(done.records.values_list("doi", "status", "code"))
        codes = {p["code"] for p in done.problems if p.get("severity") == "error"}

        if path.name == QUERY:  # a query_batch is valid XML, but not a deposit
            if codes != {ErrorCode.QUERY_NOT_DEPOSIT} or records or Work.objects.exists():
                problems.append(f"{label}: a query_batch was not refused: {done.status} {codes}")
        elif expected.outcome != "PASS":
            if (
                done.status != SubmissionStatus.FAILED
                or not codes
                or not codes <= REFUSAL_CODES[expected.outcome]
            ):
                problems.append(f"{label}: expected refusal {expected.outcome}, got {done.status} {codes}")
            if records or Work.objects.exists():
                problems.append(f"{label}: a refused file registered something")
        elif path.name in RULE_FAILURES:
            if records != RULE_FAILURES[path.name] or Work.objects.exists():
                problems.append(
                    f"{label}: expected the rules to refuse {RULE_FAILURES[path.name]}: {records}"
                )
        else:
            if done.status not in (SubmissionStatus.COMPLETED, SubmissionStatus.COMPLETED_WITH_WARNINGS):
                problems.append(f"{label}: {done.status}")
            if done.problems:
                problems.append(f"{label}: file problems {[p['code'] for p in done.problems]}")
            if [d for d, _, _ in records] != dois:
                problems.append(f"{label}: log DOIs {[d for d, _, _ in records]} != file DOIs {dois}")
            # Real deposits cite works registered elsewhere: a Warning naming those reference
            # DOIs is the one note a cleanly registered record may carry here.
            bad = [(d, s, c) for d, s, c in records if (s, c) not in CLEAN]
            if bad:
                problems.append(f"{label}: records not registered cleanly: {bad}")
            registered = set(Work.objects.values_list("doi", flat=True))
            if missing := {d.lower() for d in dois} - registered:
                problems.append(f"{label}: not in the registry: {sorted(missing)}")
    assert not problems, "\n".join(problems)
