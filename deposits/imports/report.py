"""The report of an import (`deposits.imports.loader.works_import`): counts and refusals per
file, the organisations and prefixes created, and the summary printed for people.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from deposits.imports.base import REFUSAL_TITLES, ItemRefused, Refusal

EXAMPLES_KEPT = 20
PARTIAL_POLICY = (
    "Partial records (no 'type': the output of select= queries) are refused, not imported as type "
    "'other': a partial copy would replace the whole record of a DOI that is already registered."
)
COUNT_KEYS = (
    "read",
    "registered",
    "new",
    "updated",
    "replaced_earlier",
    "refused_total",
    "without_resource_url",
)


@dataclass
class FileReport:
    path: str
    layout: str = ""
    read: int = 0
    new: int = 0
    updated: int = 0
    replaced_earlier: int = 0  # of `updated`: the DOI was read earlier in this import
    refused: dict[str, int] = field(default_factory=dict)
    refused_examples: dict[str, list[str]] = field(default_factory=dict)
    without_resource_url: int = 0
    error: str = ""

    @property
    def registered(self) -> int:
        return self.new + self.updated

    @property
    def refused_total(self) -> int:
        return sum(self.refused.values())

    def counts(self) -> dict[str, int]:
        return {key: getattr(self, key) for key in COUNT_KEYS}

    def refuse(self, refusal: ItemRefused, position: str) -> None:
        code = str(refusal.code)
        self.refused[code] = self.refused.get(code, 0) + 1
        examples = self.refused_examples.setdefault(code, [])
        if len(examples) < EXAMPLES_KEPT:
            detail = refusal.detail or position
            examples.append(detail if position in detail else f"{position}: {detail}")

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "layout": self.layout,
            **self.counts(),
            "refused": {
                code: {
                    "count": n,
                    "reason": REFUSAL_TITLES[Refusal(code)],
                    "examples": self.refused_examples[code],
                }
                for code, n in self.refused.items()
            },
            "error": self.error,
        }


@dataclass
class OrganisationMade:
    member_id: int
    name: str
    stand_in: bool = False
    prefixes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    dry_run: bool = False
    files: list[FileReport] = field(default_factory=list)
    organisations: list[OrganisationMade] = field(default_factory=list)
    prefixes: dict[str, int] = field(default_factory=dict)  # created: prefix → member id
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed_files(self) -> list[FileReport]:
        return [f for f in self.files if f.error]

    def totals(self) -> dict[str, int]:
        return {key: sum(f.counts()[key] for f in self.files) for key in COUNT_KEYS}

    def to_json(self) -> dict[str, Any]:
        refused: Counter[str] = Counter()
        for report in self.files:
            refused.update(report.refused)
        return {
            "dry_run": self.dry_run,
            "partial_records": "refused",
            "files": [f.to_json() for f in self.files],
            "totals": {**self.totals(), "refused": dict(refused), "files_unreadable": len(self.failed_files)},
            "organisations_created": [o.__dict__ for o in self.organisations],
            "prefixes_created": self.prefixes,
            "notes": self.notes,
            "seconds": round(self.seconds, 2),
        }

    def render(self) -> str:
        """The summary for people: per file, then totals, organisations and prefixes."""
        would = "would be " if self.dry_run else ""
        lines = []
        if self.dry_run:
            lines.append("DRY RUN: files read and checked; nothing was written.")
        lines.append(PARTIAL_POLICY)
        for report in self.files:
            lines.append("")
            lines.append(f"{report.path}  [{report.layout or 'unread'}]")
            if report.error:
                lines.append(f"  NOT READ: {report.error}")
                if not report.read:
                    continue
            lines.append("  " + _counts_line(report.counts(), would))
            for code, count in sorted(report.refused.items(), key=lambda kv: -kv[1]):
                lines.append(f"  refused {count} × {code}: {REFUSAL_TITLES[Refusal(code)]}")
                examples = report.refused_examples[code]
                for example in examples[:5]:
                    lines.append(f"      {example}")
                if count > 5:
                    lines.append(f"      ... and {count - 5} more")
            if report.without_resource_url:
                lines.append(
                    f"  {report.without_resource_url} {would}registered without a resource URL "
                    "(the source has no 'resource'): they do not resolve until one is deposited"
                )
        totals = self.totals()
        lines.append("")
        lines.append(f"Total over {len(self.files)} files: " + _counts_line(totals, would))
        if self.failed_files:
            lines.append(f"{len(self.failed_files)} file(s) could not be read (see NOT READ above).")
        members = [o for o in self.organisations if not o.stand_in]
        stand_ins = [o for o in self.organisations if o.stand_in]
        lines.append(f"Organisations {would}created for member ids: {len(members)}")
        if stand_ins:
            lines.append(
                f"Organisations {would}created for records without a member id whose prefix has no "
                f"known owner: {len(stand_ins)}, named after the publisher, with new member ids:"
            )
            for made in stand_ins:
                lines.append(f"  member {made.member_id} '{made.name}' for {', '.join(made.prefixes)}")
        lines.append(f"Prefixes {would}created: {len(self.prefixes)}")
        for note in self.notes:
            lines.append(f"Note: {note}")
        lines.append(f"Took {self.seconds:.1f} s.")
        return "\n".join(lines)


def _counts_line(counts: dict[str, Any], would: str) -> str:
    line = (
        f"read {counts['read']}, {would}registered {counts['registered']} "
        f"(new {counts['new']}, updated {counts['updated']}"
    )
    if counts["replaced_earlier"]:
        line += f", of which {counts['replaced_earlier']} replaced a copy read earlier in this import"
    return line + f"), refused {counts['refused_total']}"
