"""The works `filter` list → ORM conditions.

Rules (spec 3.3): different names are ANDed, the same name repeated is ORed, dotted names
with one prefix (`license.*`, `full-text.*`, `award.*`, `relation.*`) must hold for one
and the same sub-record, dates are inclusive whole periods and a partial publication date
counts as the earliest day it could be."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import Organisation
from linking.api import jsonsql
from linking.api.jsonsql import Cond
from linking.api.params import ValidationFailure, fail, problem
from linking.api.types import TYPE_IDS, TYPE_LABELS
from linking.funders import funder_resolve, funder_work_ids
from linking.models import TitleIdentifier, Work, WorkFunder, WorkReference, WorkRelation

DOI_URL = re.compile(r"^(https?://)?(dx\.)?doi\.org/", re.I)
ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.I)
FUNDER_PREFIX = "10.13039/"

DATE_FILTERS = {
    "index-date": ("column", "indexed_at"),
    "deposit-date": ("column", "updated_at"),
    "update-date": ("column", "updated_at"),
    "created-date": ("column", "created_at"),
    "pub-date": ("issued", "issued"),
    "issued-date": ("issued", "issued"),
    "online-pub-date": ("record", "published_online"),
    "print-pub-date": ("record", "published_print"),
    "posted-date": ("record", "posted"),
    "accepted-date": ("record", "accepted"),
    "approved-date": ("record", "approved"),
    "awarded-date": ("extra", ("extra", "award-start")),
    "event-start-date": ("extra", ("extra", "event", "start")),
    "event-end-date": ("extra", ("extra", "event", "end")),
}

BOOLEANS = (
    "has-abstract has-affiliation has-archive has-assertion has-authenticated-orcid has-award "
    "has-clinical-trial-number has-content-domain has-description has-domain-restriction has-event "
    "has-full-text has-funder has-funder-doi has-license has-orcid has-references has-relation has-ror-id "
    "has-update has-update-policy is-update has-alias has-prime-doi"
).split()

VALUES = (
    "doi updates update-type member prefix issn isbn orcid ror-id funder funder-doi-asserted-by "
    "gte-award-amount lte-award-amount type type-name container-title category-name group-title "
    "alternative-id article-number clinical-trial-number archive assertion assertion-group content-domain "
    "directory citation-id reference-visibility"
).split()

DOTTED = {
    "award": ("number", "funder"),
    "license": ("url", "version", "delay"),
    "full-text": ("type", "version", "application"),
    "relation": ("type", "object", "object-type"),
}

WORKS_FILTERS = [
    *[f"{end}-{name}" for name in DATE_FILTERS for end in ("from", "until")],
    *BOOLEANS,
    *VALUES,
    *[f"{prefix}.{part}" for prefix, parts in DOTTED.items() for part in parts],
]

ARCHIVES = {
    "Portico",
    "CLOCKSS",
    "DWT",
    "LOCKSS",
    "KB",
    "Internet Archive",
    "PKP PN",
    "Deep Web Technologies",
}
RELATION_OBJECT_TYPES = set(
    "doi issn isbn uri pmid pmcid purl arxiv ark handle uuid ecli accession other".split()
)


def unknown_filter(name: str, valid: list[str]) -> dict:
    return problem(
        "filter-not-available",
        name,
        f"Filter '{name}' specified but there is no such filter for this route. "
        f"Valid filters for this route are: {', '.join(valid)}",
    )


# -- values ------------------------------------------------------------------------------------


def boolean(name: str, value: str) -> bool:
    low = value.lower()
    if low in ("t", "true", "1"):
        return True
    if low in ("f", "false", "0"):
        return False
    raise fail(
        "boolean-not-valid", value, f"Boolean specified as {value} but must be one of t, true, 1, f, false, 0"
    )


def integer(value: str) -> int:
    if not re.fullmatch(r"-?\d{1,12}", value):
        raise fail("integer-not-valid", value, f"Integer specified as {value} but must be an integer")
    return int(value)


def date_bounds(value: str) -> tuple[str, str]:
    """'2010' → ('2010-01-01', '2010-12-31'); '2010-02' → ('2010-02-01', '2010-02-28'); times ignored."""
    found = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ].*)?)?)?", value.strip())
    if not found:
        raise fail(
            "date-not-valid",
            value,
            f"Date specified as {value} but must be of the form yyyy, yyyy-mm or yyyy-mm-dd",
        )
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else None
    day = int(found.group(3)) if found.group(3) else None
    if year < 1 or (month is not None and not 1 <= month <= 12):
        raise fail("date-not-legitimate", value, f"Date specified as {value} is not a real date")
    if month is None:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"
    if not 1 <= day <= last:
        raise fail("date-not-legitimate", value, f"Date specified as {value} is not a real date")
    return (f"{year:04d}-{month:02d}-{day:02d}",) * 2


def clean_doi(value: str) -> str:
    return DOI_URL.sub("", value.strip()).lower()


def funder_doi(value: str) -> str:
    """A funder id in any of its spellings as WorkFunder stores it (lower case)."""
    value = DOI_URL.sub("", value.strip()).lower()
    if value.startswith(("https://ror.org/", "http://ror.org/")):
        return "https://ror.org/" + value.rsplit("/", 1)[-1]
    if re.fullmatch(r"0[a-z0-9]{6}\d{2}", value):
        return "https://ror.org/" + value
    return value if value.startswith(FUNDER_PREFIX) else FUNDER_PREFIX + value


def ror_url(value: str) -> str:
    return "https://ror.org/" + value.strip().rstrip("/").rsplit("/", 1)[-1].lower()


def normalised_issn(value: str) -> str:
    if not re.fullmatch(r"\d{4}-?\d{3}[\dXx]", value.strip()):
        raise fail("issn-not-valid", value, f"ISSN specified as {value} but must be of the form NNNN-NNNN")
    return value.strip().replace("-", "").upper()


def relation_type(value: str) -> str:
    """'is-preprint-of' → 'isPreprintOf' (the stored, deposited spelling)."""
    head, *rest = value.split("-")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# -- one filter name → Q -----------------------------------------------------------------------


def _exists(model, **lookups) -> Exists:
    return Exists(model.objects.filter(work=OuterRef("pk"), **lookups))


def _json_exists(arrays, *groups) -> Q:
    return Q(jsonsql.exists(arrays, *groups))


def _boolean_q(name: str) -> Q:
    contributors = [("contributors",)]
    affiliations = [("contributors",), ("affiliations",)]
    by_name: dict[str, Callable[[], Q]] = {
        "has-abstract": lambda: Q(jsonsql.nonempty(("abstract",))),
        "has-affiliation": lambda: _json_exists(affiliations, [Cond(("name",), "nonempty")]),
        "has-archive": lambda: _json_exists([("archive_locations",)]),
        "has-assertion": lambda: _json_exists([("crossmark", "assertions")]),
        "has-authenticated-orcid": lambda: _json_exists(
            contributors, [Cond(("orcid_authenticated",), "true")]
        ),
        "has-award": lambda: _json_exists([("funding",), ("awards",)]),
        "has-clinical-trial-number": lambda: _json_exists([("extra", "clinical-trial-number")]),
        "has-content-domain": lambda: _json_exists([("crossmark", "domains")]),
        "has-description": lambda: Q(jsonsql.nonempty(("extra", "description"))),
        "has-domain-restriction": lambda: Q(jsonsql.is_true(("crossmark", "domain_exclusive"))),
        "has-event": lambda: Q(jsonsql.nonempty(("extra", "event", "name"))),
        "has-full-text": lambda: _json_exists([("links",)]),
        "has-funder": lambda: Q(_exists(WorkFunder)),
        "has-funder-doi": lambda: Q(_exists(WorkFunder, funder_id__startswith=FUNDER_PREFIX)),
        "has-license": lambda: _json_exists([("licenses",)]),
        "has-orcid": lambda: _json_exists(contributors, [Cond(("orcid",), "nonempty")]),
        "has-references": lambda: Q(_exists(WorkReference)),
        "has-relation": lambda: (
            Q(_exists(WorkRelation, kind="relation"))
            | Q(Exists(WorkRelation.objects.filter(kind="relation", target=OuterRef("doi"))))
        ),
        "has-ror-id": lambda: (
            _json_exists([("contributors",), ("affiliations",), ("ids",)], [Cond(("id-type",), "ieq", "ROR")])
            | Q(_exists(WorkFunder, funder_id__startswith="https://ror.org/"))
        ),
        "has-update": lambda: Q(Exists(WorkRelation.objects.filter(kind="update", target=OuterRef("doi")))),
        "has-update-policy": lambda: Q(jsonsql.nonempty(("crossmark", "policy"))),
        "is-update": lambda: Q(_exists(WorkRelation, kind="update")),
        "has-alias": lambda: Q(pk__in=[]),
        "has-prime-doi": lambda: Q(pk__in=[]),
    }
    return by_name[name]()


def _value_q(name: str, value: str) -> Q:
    if name == "doi":
        return Q(doi=clean_doi(value))
    if name == "updates":
        return Q(_exists(WorkRelation, kind="update", target=clean_doi(value)))
    if name == "update-type":
        return Q(_exists(WorkRelation, kind="update", type=value))
    if name == "member":
        return Q(organisation__member_id=integer(value))
    if name == "prefix":
        if not re.fullmatch(r"10\.\d{4,9}", value):
            raise fail(
                "prefix-not-valid", value, f"Prefix specified as {value} but must be of the form 10.NNNN"
            )
        return Q(prefix__value=value)
    if name == "issn":
        issn = normalised_issn(value)
        return Q(
            Exists(TitleIdentifier.objects.filter(title=OuterRef("container"), scheme="issn", value=issn))
        )
    if name == "isbn":
        isbn = re.sub(r"[\s-]", "", value).upper()
        return Q(
            Exists(TitleIdentifier.objects.filter(title=OuterRef("container"), scheme="isbn", value=isbn))
        ) | _json_exists([("isbns",)], [Cond(("value",), "eq", value), Cond(("value",), "eq", isbn)])
    if name == "orcid":
        found = ORCID.search(value)
        if not found:
            raise fail(
                "orcid-not-valid",
                value,
                f"ORCID specified as {value} but must be of the form NNNN-NNNN-NNNN-NNNN",
            )
        orcid = found.group(1).upper()
        return _json_exists(
            [("contributors",)],
            [Cond(("orcid",), "in", [f"https://orcid.org/{orcid}", f"http://orcid.org/{orcid}", orcid])],
        )
    if name == "ror-id":
        ror = ror_url(value)
        return _json_exists(
            [("contributors",), ("affiliations",), ("ids",)],
            [Cond(("id",), "in", [ror, ror.replace("https://", "http://"), ror.rsplit("/", 1)[-1]])],
        ) | Q(_exists(WorkFunder, funder_id=ror))
    if name == "funder":
        # A registry funder is found by its funder DOI and its ROR id, whichever was deposited.
        found = funder_resolve(value)
        ids = funder_work_ids(found) if found else [funder_doi(value)]
        return Q(_exists(WorkFunder, funder_id__in=ids))
    if name == "funder-doi-asserted-by":
        if value not in ("crossref", "publisher"):
            raise fail("funder-doi-asserted-by-not-valid", value, "Must be crossref or publisher")
        # Every funder DOI here is as the publisher deposited it.
        return (
            Q(_exists(WorkFunder, funder_id__startswith=FUNDER_PREFIX))
            if value == "publisher"
            else Q(pk__in=[])
        )
    if name in ("gte-award-amount", "lte-award-amount"):
        integer(value.split(".")[0])
        return Q(pk__in=[])  # award amounts are not deposited here
    if name == "type":
        if value not in TYPE_IDS:
            raise fail(
                "type-not-valid",
                value,
                f"Type specified as {value} but must be one of: {', '.join(TYPE_IDS)}",
            )
        return Q(type=value)
    if name == "type-name":
        ids = [t for t, label in TYPE_LABELS.items() if label.lower() == value.lower()]
        return Q(type__in=ids)
    if name == "container-title":
        return Q(container_title=value)
    if name == "category-name":
        return _json_exists([("extra", "subject")], [Cond((), "eq", value)])
    if name == "group-title":
        return Q(jsonsql.equals(("extra", "group-title"), [value]))
    if name == "alternative-id":
        return _json_exists([("extra", "alternative-id")], [Cond((), "eq", value)])
    if name == "article-number":
        return Q(article_number=value)
    if name == "clinical-trial-number":
        return _json_exists(
            [("extra", "clinical-trial-number")], [Cond(("clinical-trial-number",), "ieq", value)]
        )
    if name == "archive":
        return _json_exists([("archive_locations",)], [Cond((), "ieq", value)])
    if name == "assertion":
        return _json_exists([("crossmark", "assertions")], [Cond(("name",), "eq", value)])
    if name == "assertion-group":
        return _json_exists([("crossmark", "assertions")], [Cond(("group", "name"), "eq", value)])
    if name == "content-domain":
        return _json_exists([("crossmark", "domains")], [Cond((), "eq", value)])
    if name == "directory":
        if value != "DOAJ":
            raise fail("directory-not-valid", value, f"Directory specified as {value} but must be DOAJ")
        return Q(pk__in=[])  # no directory listings are kept
    if name == "reference-visibility":
        if value not in ("open", "limited", "closed"):
            raise fail("reference-visibility-not-valid", value, "Must be open, limited or closed")
        return Q() if value == "open" else Q(pk__in=[])
    if name == "citation-id":
        return Q(pk__in=[])
    raise AssertionError(name)


def _date_q(name: str, end: str, value: str) -> Q:
    start, stop = date_bounds(value)
    kind, target = DATE_FILTERS[name]
    if kind == "column":
        from datetime import UTC, datetime, timedelta

        moment = datetime.fromisoformat(start if end == "from" else stop).replace(tzinfo=UTC)
        if end == "from":
            return Q(**{f"{target}__gte": moment})
        return Q(**{f"{target}__lt": moment + timedelta(days=1)})
    if kind == "issued":
        if end == "until":
            return Q(issued__lte=stop) & ~Q(issued="")
        year, month, day = start.split("-")
        floor = (
            f"{year}-00-00"
            if (month, day) == ("01", "01")
            else f"{year}-{month}-00"
            if day == "01"
            else start
        )
        return Q(issued__gte=floor)
    number = jsonsql.date_number((target,)) if kind == "record" else jsonsql.date_parts_number(target)
    bound = int((start if end == "from" else stop).replace("-", ""))
    from django.db.models import BooleanField

    return Q(RawSQL(f"{number} {'>=' if end == 'from' else '<='} %s", [bound], output_field=BooleanField()))


def _dotted_q(prefix: str, parts: dict[str, list[str]]) -> Q:
    """All filters `prefix.*` of the request on one sub-record."""
    if prefix == "relation":
        condition = Q()
        for part, values in parts.items():
            if part == "type":
                condition &= Q(type__in=[relation_type(v) for v in values] + values)
            elif part == "object":
                condition &= Q(target__in=[clean_doi(v) for v in values] + [v.lower() for v in values])
            else:
                for v in values:
                    if v not in RELATION_OBJECT_TYPES:
                        raise fail(
                            "relation-object-type-not-valid", v, f"Relation object type {v} is not valid"
                        )
                condition &= Q(id_type__in=values)
        return Q(Exists(WorkRelation.objects.filter(condition, work=OuterRef("pk"), kind="relation")))
    groups = []
    if prefix == "license":
        arrays = [("licenses",)]
        for part, values in parts.items():
            if part == "url":
                groups.append([Cond(("url",), "eq", v) for v in values])
            elif part == "version":
                groups.append([Cond(("content_version",), "eq", v) for v in values])
            else:
                groups.append([Cond(("delay_days",), "lte", integer(v)) for v in values])
        return _json_exists(arrays, *groups)
    if prefix == "full-text":
        keys = {"type": "content_type", "version": "content_version", "application": "intended_application"}
        for part, values in parts.items():
            groups.append([Cond((keys[part],), "eq", v) for v in values])
        return _json_exists([("links",)], *groups)
    # award: number and funder of one funding entry
    for part, values in parts.items():
        if part == "number":
            groups.append([Cond((), "award", re.sub(r"[\s_-]", "", v.lower())) for v in values])
        else:
            groups.append([Cond(("funder_id",), "ieq", funder_doi(v), depth=0) for v in values])
    return _json_exists([("funding",), ("awards",)], *groups)


def works_filtered(works: QuerySet, filters: list[tuple[str, str]]) -> QuerySet:
    """Apply the parsed `filter` pairs; raises ValidationFailure naming every bad one."""
    problems, by_name = [], defaultdict(list)
    for name, value in filters:
        if name not in WORKS_FILTERS:
            problems.append(unknown_filter(name, WORKS_FILTERS))
        else:
            by_name[name].append(value)
    if problems:
        raise ValidationFailure(problems)
    condition = Q()
    dotted: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for name, values in by_name.items():
        try:
            if "." in name:
                prefix, part = name.split(".", 1)
                dotted[prefix][part] = values
                continue
            either = Q(pk__in=[])
            for value in values:
                if name in BOOLEANS:
                    q = _boolean_q(name)
                    either |= q if boolean(name, value) else ~q
                elif name.startswith(("from-", "until-")) and name.split("-", 1)[1] in DATE_FILTERS:
                    end, base = name.split("-", 1)
                    either |= _date_q(base, end, value)
                else:
                    either |= _value_q(name, value)
            condition &= either
        except ValidationFailure as error:
            problems.extend(error.problems)
    for prefix, parts in dotted.items():
        try:
            condition &= _dotted_q(prefix, parts)
        except ValidationFailure as error:
            problems.extend(error.problems)
    if problems:
        raise ValidationFailure(problems)
    return works.filter(condition)


# -- other routes -------------------------------------------------------------------------------

MEMBER_FILTERS = ["prefix", "backfile-doi-count", "current-doi-count"]
MEMBER_LEGACY_FILTERS = ["has-public-references", "reference-visibility"]
FUNDER_FILTERS = ["location"]


def members_filtered(
    members: QuerySet[Organisation], filters: list[tuple[str, str]], current_from: str
) -> QuerySet:
    from django.db.models import Count

    problems, condition = [], Q()
    by_name: dict[str, list[str]] = defaultdict(list)
    for name, value in filters:
        if name not in MEMBER_FILTERS + MEMBER_LEGACY_FILTERS:
            problems.append(unknown_filter(name, MEMBER_FILTERS))
        else:
            by_name[name].append(value)
    if problems:
        raise ValidationFailure(problems)
    for name, values in by_name.items():
        if name == "prefix":
            condition &= Q(prefixes__value__in=values)
        elif name in ("backfile-doi-count", "current-doi-count"):
            try:
                least = min(integer(v) for v in values)
            except ValidationFailure as error:
                problems.extend(error.problems)
                continue
            current = Q(works__issued__gte=current_from)
            counted = Count(
                "works", filter=current if name == "current-doi-count" else ~current & ~Q(works__issued="")
            )
            members = members.annotate(**{name.replace("-", "_"): counted})
            condition &= Q(**{f"{name.replace('-', '_')}__gte": least})
        elif name == "has-public-references":
            boolean(name, values[0])
    if problems:
        raise ValidationFailure(problems)
    return members.filter(condition).distinct()


def funders_filtered(funders: QuerySet, filters: list[tuple[str, str]]) -> QuerySet:
    problems, locations = [], []
    for name, value in filters:
        if name != "location":
            problems.append(unknown_filter(name, FUNDER_FILTERS))
        else:
            locations.append(value)
    if problems:
        raise ValidationFailure(problems)
    return funders.filter(country__in=locations) if locations else funders


__all__ = ["WORKS_FILTERS", "works_filtered", "members_filtered", "funders_filtered", "Work"]
