"""OAI-PMH 2.0 at /oai: Identify, ListMetadataFormats, ListSets, ListIdentifiers,
ListRecords and GetRecord, over GET and POST. Records are `info:doi/<doi>`, datestamped
by their index time (seconds granularity, UTC); sets are `member:<id>` and
`prefix:<10.x>`; metadata is Dublin Core (`oai_dc`), unixref (`cr_unixml`, also named
`unixref`) or unixsd (`cr_unixsd`). Lists come in keyset pages with stateless tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from linking.formats.common import Source
from linking.formats.dublin_core import dublin_core_tree
from linking.formats.unixref import unixsd_tree
from linking.formats.unixref_content import CR11, build_content
from linking.oai import selectors
from linking.oai.tokens import BadToken, Position, token_dumps, token_loads

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_SCHEMA = f"{OAI} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

# metadataPrefix -> (schema, namespace)
FORMATS = {
    "oai_dc": (
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
    ),
    "cr_unixml": ("http://www.crossref.org/schemas/unixref1.1.xsd", CR11),
    "unixref": ("http://www.crossref.org/schemas/unixref1.1.xsd", CR11),
    "cr_unixsd": (
        "http://www.crossref.org/schemas/crossref_query_output3.0.xsd",
        "http://www.crossref.org/qrschema/3.0",
    ),
}

VERBS = {
    # verb: (required, optional, exclusive)
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
}


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _page_size(verb: str) -> int:
    default = 500 if verb == "ListIdentifiers" else 100
    return int(getattr(settings, "OAI_PAGE_SIZE", default) or default)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{OAI}}}{tag}", {k: str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


# -- arguments ------------------------------------------------------------------------------------


def _arguments(request: HttpRequest) -> dict[str, str]:
    query = request.POST if request.method == "POST" else request.GET
    args: dict[str, str] = {}
    for key in query:
        values = query.getlist(key)
        if len(values) > 1:
            raise OaiError("badArgument", f"The argument '{key}' is given more than once.")
        args[key] = values[0]
    return args


def _check_arguments(verb: str, args: dict[str, str]) -> None:
    required, optional, exclusive = VERBS[verb]
    given = set(args) - {"verb"}
    if exclusive and exclusive in given:
        if given != {exclusive}:
            raise OaiError(
                "badArgument", f"'{exclusive}' is an exclusive argument: give it alone with the verb."
            )
        return
    unknown = given - required - optional
    if unknown:
        raise OaiError("badArgument", f"{verb} does not take {', '.join(sorted(unknown))}.")
    missing = required - given
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(sorted(missing))}.")


def _parse_datestamp(value: str, name: str) -> tuple[datetime, bool]:
    """A datestamp at day or second granularity (UTC) -> (instant, is_day)."""
    for pattern, is_day in (("%Y-%m-%d", True), ("%Y-%m-%dT%H:%M:%SZ", False)):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC), is_day
        except ValueError:
            continue
    raise OaiError(
        "badArgument", f"'{name}' must be a UTC datestamp, YYYY-MM-DD or {GRANULARITY}: '{value}'."
    )


def _harvest(args: dict[str, str]) -> selectors.Harvest:
    start = end = None
    granularities = set()
    if "from" in args:
        start, is_day = _parse_datestamp(args["from"], "from")
        granularities.add(is_day)
    if "until" in args:
        until, is_day = _parse_datestamp(args["until"], "until")
        granularities.add(is_day)
        end = until + (timedelta(days=1) if is_day else timedelta(seconds=1))
    if len(granularities) > 1:
        raise OaiError("badArgument", "'from' and 'until' must have the same granularity.")
    if start and end and start >= end:
        raise OaiError("badArgument", "'from' is later than 'until'.")
    set_spec = args.get("set", "")
    if set_spec and not selectors.set_spec_valid(set_spec):
        raise OaiError("badArgument", f"Unknown set '{set_spec}': sets are member:<id> and prefix:<10.x>.")
    return selectors.Harvest(start=start, end=end, set_spec=set_spec)


def _metadata_prefix(value: str) -> str:
    if value not in FORMATS:
        raise OaiError(
            "cannotDisseminateFormat",
            f"The metadata format '{value}' is not offered; use one of {', '.join(FORMATS)}.",
        )
    return value


def _doi_of(identifier: str) -> str:
    for scheme in ("info:doi/", "doi:"):
        if identifier.lower().startswith(scheme):
            return identifier[len(scheme) :].strip().lower()
    raise OaiError(
        "idDoesNotExist", f"'{identifier}' is not an identifier of this repository (info:doi/<DOI>)."
    )


# -- records ----------------------------------------------------------------------------------------


def _header(parent, work) -> None:
    header = _sub(parent, "header")
    _sub(header, "identifier", f"info:doi/{work.doi}")
    _sub(header, "datestamp", _stamp(work.indexed_at))
    for spec in selectors.set_specs_of(work):
        _sub(header, "setSpec", spec)


def _metadata(parent, work, prefix: str) -> None:
    holder = _sub(parent, "metadata")
    source = Source.of(work)
    if prefix == "oai_dc":
        holder.append(dublin_core_tree(source))
    elif prefix == "cr_unixsd":
        holder.append(unixsd_tree(source))
    else:
        crossref = etree.SubElement(holder, f"{{{CR11}}}crossref", nsmap={None: CR11})
        crossref.append(build_content(source, namespaced=True))


def _record(parent, work, prefix: str) -> None:
    record = _sub(parent, "record")
    _header(record, work)
    _metadata(record, work, prefix)


# -- verbs -------------------------------------------------------------------------------------------


def _identify(body, request: HttpRequest, args) -> None:
    node = _sub(body, "Identify")
    _sub(node, "repositoryName", getattr(settings, "SITE_NAME", "") or "DOI registration agency")
    _sub(node, "baseURL", request.build_absolute_uri(request.path))
    _sub(node, "protocolVersion", "2.0")
    _sub(node, "adminEmail", getattr(settings, "DEFAULT_FROM_EMAIL", "") or "support@example.org")
    earliest = selectors.earliest_datestamp()
    _sub(node, "earliestDatestamp", _stamp(earliest) if earliest else "1970-01-01T00:00:00Z")
    _sub(node, "deletedRecord", "no")
    _sub(node, "granularity", GRANULARITY)


def _list_metadata_formats(body, request, args) -> None:
    if "identifier" in args:
        doi = _doi_of(args["identifier"])
        if selectors.work_by_doi(doi) is None:
            raise OaiError("idDoesNotExist", f"No record has the identifier '{args['identifier']}'.")
    node = _sub(body, "ListMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        entry = _sub(node, "metadataFormat")
        _sub(entry, "metadataPrefix", prefix)
        _sub(entry, "schema", schema)
        _sub(entry, "metadataNamespace", namespace)


def _list_sets(body, request, args) -> None:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "ListSets answers in one list; this token is not one we issued.")
    node = _sub(body, "ListSets")
    for spec, name in selectors.sets():
        entry = _sub(node, "set")
        _sub(entry, "setSpec", spec)
        _sub(entry, "setName", name)


def _list(body, request, args, verb: str) -> None:
    if "resumptionToken" in args:
        try:
            position = token_loads(args["resumptionToken"])
        except BadToken:
            raise OaiError(
                "badResumptionToken", "The resumptionToken is invalid or was not issued here."
            ) from None
        if position.verb != verb:
            raise OaiError(
                "badResumptionToken", f"This resumptionToken continues {position.verb}, not {verb}."
            )
        prefix = position.prefix
        harvest = selectors.Harvest(
            start=datetime.fromisoformat(position.start) if position.start else None,
            end=datetime.fromisoformat(position.end) if position.end else None,
            set_spec=position.set_spec,
        )
        after = (datetime.fromisoformat(position.after_time), position.after_id)
        cursor, total = position.cursor, position.total
    else:
        prefix = _metadata_prefix(args["metadataPrefix"])
        harvest = _harvest(args)
        after, cursor = None, 0
        total = selectors.harvest_count(harvest)
    size = _page_size(verb)
    works = selectors.harvest_page(harvest, after=after, size=size + 1)
    more = len(works) > size
    works = works[:size]
    if not works:
        if cursor == 0:
            raise OaiError("noRecordsMatch", "No record matches these arguments.")
        raise OaiError("badResumptionToken", "This resumptionToken points past the end of its list.")
    node = _sub(body, verb)
    for work in works:
        if verb == "ListIdentifiers":
            _header(node, work)
        else:
            _record(node, work, prefix)
    sent = cursor + len(works)
    # the size counted when the harvest began, unless the list has grown since
    attrs = {"completeListSize": max(total, sent + (1 if more else 0)), "cursor": cursor}
    if more:
        last = works[-1]
        token = token_dumps(
            Position(
                verb=verb,
                prefix=prefix,
                start=harvest.start.isoformat() if harvest.start else "",
                end=harvest.end.isoformat() if harvest.end else "",
                set_spec=harvest.set_spec,
                after_time=last.indexed_at.isoformat(),
                after_id=last.pk,
                cursor=sent,
                total=total,
            )
        )
        _sub(node, "resumptionToken", token, **attrs)
    elif cursor > 0:
        _sub(node, "resumptionToken", "", **attrs)  # the last page of a resumed list


def _get_record(body, request, args) -> None:
    prefix = _metadata_prefix(args["metadataPrefix"])
    doi = _doi_of(args["identifier"])
    work = selectors.work_by_doi(doi)
    if work is None:
        raise OaiError("idDoesNotExist", f"No record has the identifier '{args['identifier']}'.")
    _record(_sub(body, "GetRecord"), work, prefix)


HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "ListIdentifiers": lambda body, request, args: _list(body, request, args, "ListIdentifiers"),
    "ListRecords": lambda body, request, args: _list(body, request, args, "ListRecords"),
    "GetRecord": _get_record,
}


@csrf_exempt  # OAI-PMH allows POST from harvesters; nothing here changes state
@require_http_methods(["GET", "HEAD", "POST"])
def oai(request: HttpRequest) -> HttpResponse:
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", OAI_SCHEMA)
    _sub(root, "responseDate", _stamp(datetime.now(UTC)))
    request_node = _sub(root, "request", request.build_absolute_uri(request.path))
    try:
        args = _arguments(request)
        verb = args.get("verb", "")
        if verb not in VERBS:
            raise OaiError(
                "badVerb", f"'{verb}' is not an OAI-PMH verb." if verb else "The verb argument is missing."
            )
        _check_arguments(verb, args)
        for key, value in args.items():
            request_node.set(key, value)
        HANDLERS[verb](root, request, args)
    except OaiError as error:
        if error.code in ("badVerb", "badArgument"):
            request_node.attrib.clear()  # the spec: echo only the base URL for these two
        for child in list(root)[2:]:
            root.remove(child)
        _sub(root, "error", error.message, code=error.code)
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8")
