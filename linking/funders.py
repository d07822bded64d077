"""The funder registry: finding a funder by any of its ids or by name, and importing the
registry from the files funders are published in.

Ids accepted everywhere a funder id is: the registry id (`100000001`), its DOI in any
spelling (`10.13039/100000001`, `https://doi.org/10.13039/100000001`), and the funder's
ROR id (`https://ror.org/021nxhr62`, `ror.org/021nxhr62`, `021nxhr62`)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from unidecode import unidecode

from linking.models import Funder

FUNDER_DOI_PREFIX = "10.13039/"
_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/", re.I)
_ROR_URL = re.compile(r"^(?:https?://)?(?:www\.)?ror\.org/", re.I)
_ROR_ID = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}\d{2}$")
_REGISTRY_ID = re.compile(r"^\d{6,12}$")


def ror_normalised(value: str) -> str:
    """'ror.org/021NXHR62' / '021nxhr62' → 'https://ror.org/021nxhr62'; '' if not a ROR id."""
    bare = _ROR_URL.sub("", value.strip()).strip("/").lower()
    return f"https://ror.org/{bare}" if _ROR_ID.match(bare) else ""


def registry_id(value: str) -> str:
    """'10.13039/100000001' in any spelling, or '100000001' → '100000001'; '' otherwise."""
    bare = _DOI_URL.sub("", value.strip()).strip("/")
    bare = bare[len(FUNDER_DOI_PREFIX) :] if bare.lower().startswith(FUNDER_DOI_PREFIX) else bare
    return bare if _REGISTRY_ID.match(bare) else ""


def funder_resolve(value: str) -> Funder | None:
    """The registry entry named by a registry id, funder DOI or ROR id (any spelling)."""
    if not value or not value.strip():
        return None
    if found := registry_id(value):
        return Funder.objects.filter(funder_id=found).first()
    if ror := ror_normalised(value):
        return Funder.objects.filter(ror=ror).order_by("funder_id").first()
    return None


def funder_work_ids(funder: Funder) -> list[str]:
    """How deposits may name this funder in `WorkFunder.funder_id` (lower case)."""
    ids = [f"{FUNDER_DOI_PREFIX}{funder.funder_id}"]
    if funder.ror:
        ids.append(funder.ror.lower())
    return ids


def name_normalised(name: str) -> str:
    """Folded for comparison: ASCII, lower case, punctuation and a leading 'the' dropped."""
    words = re.findall(r"[a-z0-9]+", unidecode(name or "").lower().replace("&", " and "))
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


class _NameIndex:
    """Normalised primary and alternative names → funder ids, reloaded when the registry
    changes (checked at most every `ttl` seconds)."""

    ttl = 60.0

    def __init__(self) -> None:
        self.checked_at = 0.0
        self.version: tuple = ()
        self.primary: dict[str, set[int]] = {}
        self.alternative: dict[str, set[int]] = {}

    def _current(self) -> None:
        if time.monotonic() - self.checked_at < self.ttl:
            return
        latest = Funder.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
        version = (Funder.objects.count(), latest)
        if version != self.version:
            primary: dict[str, set[int]] = {}
            alternative: dict[str, set[int]] = {}
            for pk, name, alt_names in Funder.objects.values_list("pk", "name", "alt_names").iterator(2000):
                primary.setdefault(name_normalised(name), set()).add(pk)
                for alt in alt_names or []:
                    if isinstance(alt, str) and name_normalised(alt):
                        alternative.setdefault(name_normalised(alt), set()).add(pk)
            self.primary, self.alternative, self.version = primary, alternative, version
        self.checked_at = time.monotonic()

    def reset(self) -> None:
        self.checked_at = 0.0
        self.version = ()

    def find(self, name: str) -> int | None:
        self._current()
        key = name_normalised(name)
        if not key:
            return None
        for table in (self.primary, self.alternative):
            ids = table.get(key, set())
            if len(ids) == 1:
                return next(iter(ids))
            if len(ids) > 1:
                return None  # ambiguous: several funders share this name
        return None


NAMES = _NameIndex()


def funder_match_name(name: str) -> Funder | None:
    """The one registry funder whose name or alternative name equals `name` once both are
    normalised (case, accents, punctuation, a leading 'the'); None when there is none or
    when several share it."""
    pk = NAMES.find(name)
    return Funder.objects.filter(pk=pk).first() if pk else None


# -- import ----------------------------------------------------------------------------------


@dataclass
class FunderEntry:
    """One funder as read from a file, before it is stored."""

    funder_id: str
    name: str
    alt_names: list[str] = field(default_factory=list)
    ror: str = ""
    country: str = ""
    uri: str = ""
    parent: str = ""  # a registry id or ROR id of the parent


@dataclass
class FunderImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return text + (f"; {len(self.problems)} problems" if self.problems else "")


def _entry_values(entry: FunderEntry) -> dict:
    names = [n for n in dict.fromkeys(a.strip() for a in entry.alt_names) if n and n != entry.name]
    return {
        "name": entry.name.strip(),
        "alt_names": names,
        "ror": ror_normalised(entry.ror) if entry.ror else "",
        "country": entry.country.strip()[:64],
        "uri": entry.uri.strip() or f"http://dx.doi.org/{FUNDER_DOI_PREFIX}{entry.funder_id}",
    }


@transaction.atomic
def funders_import(*, entries: Iterable[FunderEntry]) -> FunderImport:
    """Create or update registry entries by registry id (a re-import updates, never
    duplicates), then link parents. Entries without a valid id or name are reported and
    skipped; nothing else is written for them."""
    result = FunderImport()
    wanted: dict[str, FunderEntry] = {}
    for number, entry in enumerate(entries, start=1):
        funder_id = registry_id(entry.funder_id)
        if not funder_id:
            result.problems.append(f"entry {number}: '{entry.funder_id}' is not a funder registry id or DOI")
            continue
        if not entry.name.strip():
            result.problems.append(f"entry {number} ({funder_id}): the funder has no name")
            continue
        entry.funder_id = funder_id
        wanted[funder_id] = entry
    stored = {f.funder_id: f for f in Funder.objects.filter(funder_id__in=wanted)}
    to_create, to_update = [], []
    for funder_id, entry in wanted.items():
        values = _entry_values(entry)
        funder = stored.get(funder_id)
        if funder is None:
            to_create.append(Funder(funder_id=funder_id, **values))
        elif any(getattr(funder, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(funder, k, v)
            funder.updated_at = timezone.now()  # bulk_update skips auto_now
            to_update.append(funder)
        else:
            result.unchanged += 1
    Funder.objects.bulk_create(to_create, batch_size=1000)
    Funder.objects.bulk_update(to_update, ["name", "alt_names", "ror", "country", "uri", "updated_at"], 1000)
    result.created, result.updated = len(to_create), len(to_update)
    _link_parents(wanted, result)
    NAMES.reset()
    return result


def _link_parents(wanted: dict[str, FunderEntry], result: FunderImport) -> None:
    funders = {f.funder_id: f for f in Funder.objects.filter(funder_id__in=wanted)}
    parent_keys = {e.parent for e in wanted.values() if e.parent}
    by_id = {
        f.funder_id: f
        for f in Funder.objects.filter(funder_id__in={registry_id(p) for p in parent_keys} - {""})
    }
    by_ror = {
        f.ror: f for f in Funder.objects.filter(ror__in={ror_normalised(p) for p in parent_keys} - {""})
    }
    changed = []
    for funder_id, entry in wanted.items():
        funder = funders[funder_id]
        parent = None
        if entry.parent:
            parent = by_id.get(registry_id(entry.parent)) or by_ror.get(ror_normalised(entry.parent))
            if parent is None:
                result.problems.append(f"{funder_id}: parent '{entry.parent}' is not in the registry")
            elif parent.pk == funder.pk:
                parent = None
        if funder.parent_id != (parent.pk if parent else None):
            funder.parent = parent
            changed.append(funder)
    Funder.objects.bulk_update(changed, ["parent"], 1000)
