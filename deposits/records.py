"""What parsing a deposit file yields: its head and, in document order, one entry per DOI.

The registry's record shape itself (`WorkRecord`, `ResourceRecord`) is defined by linking,
which stores it; these wrappers add what only the deposit pipeline needs (where in the file
a record came from, what the parser noticed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from deposits.errors import DepositProblem
from linking.records import WorkRecord
from linking.services import ResourceRecord


@dataclass
class Head:
    doi_batch_id: str = ""
    timestamp: int | None = None
    depositor_name: str = ""
    depositor_email: str = ""
    registrant: str = ""


@dataclass
class ParsedRecord:
    """One DOI of the file: a full record (metadata deposits) or a resource update
    (doi_resources deposits). `problems` are per-record findings of the parser
    (warnings or failures); the rules add theirs later."""

    doi: str
    line: int | None = None
    path: str = ""
    record: WorkRecord | None = None
    resource: ResourceRecord | None = None
    problems: list[DepositProblem] = field(default_factory=list)
    written: str = ""  # the DOI as the member wrote it (`doi` is lower case); logs show this

    @property
    def doi_as_written(self) -> str:
        return self.written if self.written and self.written.lower() == self.doi.lower() else self.doi


@dataclass
class ParsedDeposit:
    head: Head
    kind: str  # deposit | resources | grant
    records: list[ParsedRecord] = field(default_factory=list)
