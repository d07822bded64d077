"""Who owns what (the survey pass of `deposits.imports.loader.works_import`): the ownership
claims read from the items' envelopes, the plan made from them once for the whole import, and
the organisations and prefixes it creates.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max

from accounts.errors import AccountsError
from accounts.models import Organisation, OrganisationStatus, Prefix
from accounts.services import organisation_create, prefix_assign
from deposits.imports.base import ItemRefused, SourceItem, check_doi, doi_prefix
from deposits.imports.report import ImportReport, OrganisationMade
from linking.records import WorkRecord


@dataclass
class _Claims:
    """What the files say about ownership, collected by the survey."""

    member_names: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    owner_prefix_members: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    doi_prefix_members: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    # Items without a member id: their owner prefix → publisher names, and DOI prefix → owner prefix.
    memberless: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    memberless_doi_prefixes: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, item: SourceItem) -> None:
        if item.refused is not None:
            return
        try:
            prefix = doi_prefix(check_doi(item.doi))
        except ItemRefused:
            return
        owner_prefix = item.owner_prefix or prefix
        if item.member_id is not None:
            self.member_names[item.member_id][item.publisher] += 1
            self.owner_prefix_members[owner_prefix][item.member_id] += 1
            if prefix != owner_prefix:
                self.doi_prefix_members[prefix][item.member_id] += 1
        else:
            self.memberless[owner_prefix][item.publisher] += 1
            if prefix != owner_prefix:
                self.memberless_doi_prefixes[prefix][owner_prefix] += 1

    def prefixes(self) -> set[str]:
        return {
            *self.owner_prefix_members,
            *self.doi_prefix_members,
            *self.memberless,
            *self.memberless_doi_prefixes,
        }


def _most_common(counter: Counter) -> Any:
    # Ties go to the smallest key, so the plan does not depend on the order of the files.
    return min(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))[0]


def _name(names: Counter[str]) -> str:
    named = Counter({k: v for k, v in names.items() if k})
    return _most_common(named)[:255] if named else ""


@dataclass
class _Plan:
    """Member id of each organisation to use (existing or to create) and of each prefix's owner."""

    organisations: dict[int, Organisation | None] = field(default_factory=dict)  # None: to create
    names: dict[int, str] = field(default_factory=dict)
    stand_ins: set[int] = field(default_factory=set)
    prefix_owner: dict[str, int] = field(default_factory=dict)
    existing_prefixes: dict[str, Prefix] = field(default_factory=dict)

    def owner_of(self, record: WorkRecord) -> int | None:
        if record.member_id is not None:
            return record.member_id
        for prefix in (record.prefix, doi_prefix(record.doi)):
            if prefix and prefix in self.prefix_owner:
                return self.prefix_owner[prefix]
        return None


def _plan(claims: _Claims, report: ImportReport) -> _Plan:
    plan = _Plan()
    prefixes = claims.prefixes()
    plan.existing_prefixes = {
        p.value: p for p in Prefix.objects.filter(value__in=prefixes).select_related("organisation")
    }
    wanted_members = set(claims.member_names)
    existing = {o.member_id: o for o in Organisation.objects.filter(member_id__in=wanted_members)}
    for member_id in sorted(wanted_members):
        plan.organisations[member_id] = existing.get(member_id)
        plan.names[member_id] = _name(claims.member_names[member_id]) or f"Member {member_id}"
    for value, prefix in plan.existing_prefixes.items():
        if prefix.organisation is not None:
            plan.prefix_owner[value] = prefix.organisation.member_id
            plan.organisations.setdefault(prefix.organisation.member_id, prefix.organisation)
    for value in sorted(prefixes - set(plan.prefix_owner)):
        claimed = claims.owner_prefix_members.get(value) or claims.doi_prefix_members.get(value)
        if claimed:
            plan.prefix_owner[value] = _most_common(claimed)
    for value, prefix in plan.existing_prefixes.items():
        claimed = claims.owner_prefix_members.get(value)
        if prefix.organisation is not None and claimed and prefix.organisation.member_id not in claimed:
            report.notes.append(
                f"prefix {value} belongs to {prefix.organisation} in the registry, but the files name "
                f"member {_most_common(claimed)} as its owner; the registry's owner was kept"
            )
    # Owner prefixes that only memberless items name, and nobody owns: one stand-in per publisher.
    highest = Organisation.objects.aggregate(highest=Max("member_id"))["highest"] or 0
    next_id = max([highest, *wanted_members]) + 1
    stand_in_by_name: dict[str, int] = {}
    for value in sorted(set(claims.memberless) - set(plan.prefix_owner)):
        name = _name(claims.memberless[value])
        key = name.lower() or f"prefix {value}"
        if key not in stand_in_by_name:
            stand_in_by_name[key] = next_id
            plan.organisations[next_id] = None
            plan.names[next_id] = name or f"Publisher of prefix {value}"
            plan.stand_ins.add(next_id)
            next_id += 1
        plan.prefix_owner[value] = stand_in_by_name[key]
    # DOI prefixes of memberless items under another owner prefix: owned like that prefix.
    for value in sorted(set(claims.memberless_doi_prefixes) - set(plan.prefix_owner)):
        owner_prefix = _most_common(claims.memberless_doi_prefixes[value])
        if owner_prefix in plan.prefix_owner:
            plan.prefix_owner[value] = plan.prefix_owner[owner_prefix]
    return plan


def _apply(plan: _Plan, report: ImportReport, *, dry_run: bool) -> None:
    """Create the planned organisations and prefixes (audited, actor None: the system)."""
    made: dict[int, OrganisationMade] = {}
    for member_id, organisation in sorted(plan.organisations.items()):
        if organisation is not None:
            continue
        made[member_id] = OrganisationMade(
            member_id=member_id, name=plan.names[member_id], stand_in=member_id in plan.stand_ins
        )
        if not dry_run:
            plan.organisations[member_id] = organisation_create(
                name=plan.names[member_id],
                actor=None,
                member_id=member_id,
                status=OrganisationStatus.ACTIVE,
            )
    for value, member_id in sorted(plan.prefix_owner.items()):
        if value in plan.existing_prefixes:
            continue
        if member_id in made:
            made[member_id].prefixes.append(value)
        if dry_run:
            report.prefixes[value] = member_id
            continue
        organisation = plan.organisations[member_id]
        try:
            plan.existing_prefixes[value] = prefix_assign(organisation=organisation, actor=None, value=value)
            report.prefixes[value] = member_id
        except AccountsError as exc:
            report.notes.append(f"prefix {value} was not created for {organisation}: {exc}")
    report.organisations = list(made.values())
