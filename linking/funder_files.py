"""Reading funder registry files into `FunderEntry`s (see `linking.funders.funders_import`).

Layouts understood:
- CSV with a header row. Column names are matched loosely (case, spaces, `-`/`_`):
  id: `id`, `funder_id`, `funder`, `uri`, `doi`; name: `name`, `primary_name_display`,
  `pre_label`, `preflabel`; alternative names: `alt_names`, `other_names_display`,
  `alt_label`, `altlabel` (several separated by `|` or `;`); parent: `parent`,
  `parent_id`, `parent_uri`, `broader`; `country` or `location`; `ror` or `ror_id`.
- JSON as the REST API gives funders: a list of funder objects, or `{"message":
  {"items": [...]}}`, or one `{"message": {...}}`; each with `id`, `name`, `alt-names`,
  `location`, `uri`, optionally `ror` and `parent` (or `hierarchy`, whose nearest
  enclosing key is taken as the parent).
- The ROR data dump (schema v1 or v2): organisations with a FundRef external id become
  funders, with their ROR id, the ROR display name, aliases, labels and acronyms as
  alternative names, and the `parent` relationship.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from linking.funders import FunderEntry

MAX_BYTES = 500 * 1024 * 1024

COLUMNS = {
    "funder_id": ("id", "funder_id", "funder", "uri", "doi", "funder_doi"),
    "name": ("name", "primary_name_display", "pre_label", "preflabel", "primary_name"),
    "alt_names": ("alt_names", "other_names_display", "alt_label", "altlabel", "other_names"),
    "parent": ("parent", "parent_id", "parent_uri", "broader"),
    "country": ("country", "location"),
    "ror": ("ror", "ror_id"),
}


class FunderFileError(ValueError):
    """The file cannot be read as a funder registry file; the message says why."""


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _split(value: str) -> list[str]:
    return [v.strip() for v in re.split(r"[|;]", value or "") if v.strip()]


def entries_from_csv(text: str) -> list[FunderEntry]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise FunderFileError("The CSV file is empty: it needs a header row naming its columns.")
    by_key = {_key(name): name for name in reader.fieldnames}
    columns = {}
    for target, names in COLUMNS.items():
        columns[target] = next((by_key[n] for n in names if n in by_key), None)
    missing = [t for t in ("funder_id", "name") if columns[t] is None]
    if missing:
        raise FunderFileError(
            f"The CSV header has no {' or '.join(missing)} column (found: {', '.join(reader.fieldnames)}); "
            f"use e.g. {', '.join(COLUMNS[missing[0]][:3])}."
        )

    def cell(row: dict, target: str) -> str:
        column = columns[target]
        return (row.get(column) or "").strip() if column else ""

    return [
        FunderEntry(
            funder_id=cell(row, "funder_id"),
            name=cell(row, "name"),
            alt_names=_split(cell(row, "alt_names")),
            parent=cell(row, "parent"),
            country=cell(row, "country"),
            ror=cell(row, "ror"),
        )
        for row in reader
    ]


def _ror_names(item: dict[str, Any]) -> tuple[str, list[str]]:
    if isinstance(item.get("names"), list):  # schema v2
        display, others = "", []
        for name in item["names"]:
            if not isinstance(name, dict):
                continue
            if "ror_display" in (name.get("types") or []):
                display = name.get("value", "")
            else:
                others.append(name.get("value", ""))
        return display, others
    labels = [lab.get("label", "") for lab in item.get("labels") or [] if isinstance(lab, dict)]
    return item.get("name", ""), [*(item.get("aliases") or []), *(item.get("acronyms") or []), *labels]


def _ror_fundref(item: dict[str, Any]) -> str:
    ids = item.get("external_ids")
    if isinstance(ids, list):  # v2: [{"type": "fundref", "all": [...], "preferred": ...}]
        for entry in ids:
            if isinstance(entry, dict) and str(entry.get("type", "")).lower() == "fundref":
                return str(entry.get("preferred") or (entry.get("all") or [""])[0] or "")
    elif isinstance(ids, dict):  # v1: {"FundRef": {"preferred": ..., "all": [...]}}
        entry = ids.get("FundRef") or ids.get("fundref") or {}
        return str(entry.get("preferred") or (entry.get("all") or [""])[0] or "")
    return ""


def _ror_entry(item: dict[str, Any]) -> FunderEntry | None:
    fundref = _ror_fundref(item)
    if not fundref:
        return None
    name, others = _ror_names(item)
    parent = next(
        (
            r.get("id", "")
            for r in item.get("relationships") or []
            if isinstance(r, dict) and str(r.get("type", "")).lower() == "parent"
        ),
        "",
    )
    country = ""
    if isinstance(item.get("country"), dict):
        country = item["country"].get("country_name", "")
    for location in item.get("locations") or []:
        country = country or ((location or {}).get("geonames_details") or {}).get("country_name", "")
    return FunderEntry(
        funder_id=fundref, name=name, alt_names=others, ror=item.get("id", ""), country=country, parent=parent
    )


def _api_entry(item: dict[str, Any]) -> FunderEntry:
    parent = str(item.get("parent") or "")
    hierarchy = item.get("hierarchy")
    if not parent and isinstance(hierarchy, dict):
        parent = _parent_in_hierarchy(hierarchy, str(item.get("id", "")))
    return FunderEntry(
        funder_id=str(item.get("id") or item.get("uri") or ""),
        name=str(item.get("name") or ""),
        alt_names=[a for a in item.get("alt-names") or item.get("alt_names") or [] if isinstance(a, str)],
        ror=str(item.get("ror") or ""),
        country=str(item.get("location") or item.get("country") or ""),
        uri=str(item.get("uri") or ""),
        parent=parent,
    )


def _parent_in_hierarchy(tree: dict, wanted: str, parent: str = "") -> str:
    for key, below in tree.items():
        if key == wanted:
            return parent
        if isinstance(below, dict) and (found := _parent_in_hierarchy(below, wanted, key)):
            return found
    return ""


def entries_from_json(text: str) -> list[FunderEntry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FunderFileError(f"The file is not valid JSON: {error.msg} at line {error.lineno}.") from error
    if isinstance(data, dict) and "message" in data:
        message = data["message"]
        data = message.get("items", [message]) if isinstance(message, dict) else message
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise FunderFileError("The JSON must be a list of funders, a REST API funders answer or a ROR dump.")
    entries = []
    for item in data:
        if not isinstance(item, dict):
            continue
        if str(item.get("id", "")).startswith(("https://ror.org/", "http://ror.org/")):
            entry = _ror_entry(item)
            if entry:
                entries.append(entry)
        else:
            entries.append(_api_entry(item))
    return entries


def entries_from_file(name: str, content: bytes) -> list[FunderEntry]:
    """Entries of a .csv or .json funder file (by name, else by its first character)."""
    if len(content) > MAX_BYTES:
        raise FunderFileError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MiB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FunderFileError(f"The file is not UTF-8 text (byte {error.start}).") from error
    lowered = name.lower()
    if lowered.endswith(".json") or (not lowered.endswith(".csv") and text.lstrip()[:1] in "[{"):
        return entries_from_json(text)
    return entries_from_csv(text)
