"""Writes of the web form: a record becomes deposit XML, is validated against schema 5.5.0
and goes down the same road as an uploaded file (`deposits.uploads.receive` →
`deposits.services.submission_create`, channel "form"). Nothing is registered here."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Organisation, User
from deposits.errors import DepositProblem
from deposits.models import Channel, Operation, Submission
from deposits.services import IncomingFile
from deposits.uploads import receive
from deposits.webform.xml import deposit_xml, references_xml
from deposits.xml.validate import validate_deposit
from linking.records import Reference, WorkRecord


class DepositInvalid(Exception):
    """The XML built from the form does not validate: a bug of ours, or a value the form
    let through. The problems name the element."""

    def __init__(self, problems: list[DepositProblem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass
class BuiltDeposit:
    xml: bytes
    file_name: str
    timestamp: int


def deposit_timestamp(*, stored: int | None = None) -> int:
    """Now as yyyymmddHHMMSS + milliseconds, and always after the stored timestamp, so a
    redeposit is never refused as older than what is registered."""
    now = int(timezone.now().strftime("%Y%m%d%H%M%S%f")[:17])
    return max(now, (stored or 0) + 1)


def _depositor(organisation: Organisation, user: User | None) -> tuple[str, str]:
    email = (user.email if user is not None and user.email else "") or "deposits@invalid.example"
    return organisation.name, email


def deposit_build(
    *, record: WorkRecord, organisation: Organisation, user: User | None, stored_timestamp: int | None = None
) -> BuiltDeposit:
    """The deposit XML for `record` (also used for the preview)."""
    timestamp = deposit_timestamp(stored=stored_timestamp)
    depositor, email = _depositor(organisation, user)
    batch_id = f"form-{timestamp}"
    xml = deposit_xml(record, batch_id=batch_id, timestamp=timestamp, depositor=depositor, email=email)
    safe_doi = record.doi.split("/", 1)[-1].replace("/", "_")[:80]
    return BuiltDeposit(xml=xml, file_name=f"webform-{safe_doi}-{timestamp}.xml", timestamp=timestamp)


def _submit(
    *, organisation: Organisation, user: User | None, built: BuiltDeposit, operation: str
) -> Submission:
    result = validate_deposit(built.xml)
    if not result.ok:
        raise DepositInvalid(result.errors)
    return receive(
        organisation=organisation,
        upload=IncomingFile(name=built.file_name, content=built.xml),
        channel=Channel.FORM,
        operation=operation,
        user=user,
    )


def webform_deposit(
    *, organisation: Organisation, user: User | None, record: WorkRecord, stored_timestamp: int | None = None
) -> Submission:
    """Validate and submit a full metadata deposit of `record`. Raises DepositInvalid (with
    the schema's findings) or deposits.services.SubmissionRefused (full queue)."""
    built = deposit_build(
        record=record, organisation=organisation, user=user, stored_timestamp=stored_timestamp
    )
    return _submit(organisation=organisation, user=user, built=built, operation=Operation.METADATA)


def webform_references_add(
    *,
    organisation: Organisation,
    user: User | None,
    doi: str,
    existing: list[Reference],
    added: list[Reference],
) -> Submission:
    """A doi_resources (doi_citations) deposit: the registered references plus `added`; the
    rest of the record stays as registered."""
    record = WorkRecord(doi=doi, type="", references=[*existing, *added])
    timestamp = deposit_timestamp()
    depositor, email = _depositor(organisation, user)
    xml = references_xml(
        record, batch_id=f"form-refs-{timestamp}", timestamp=timestamp, depositor=depositor, email=email
    )
    safe_doi = doi.split("/", 1)[-1].replace("/", "_")[:80]
    built = BuiltDeposit(
        xml=xml, file_name=f"webform-references-{safe_doi}-{timestamp}.xml", timestamp=timestamp
    )
    return _submit(organisation=organisation, user=user, built=built, operation=Operation.RESOURCES)
