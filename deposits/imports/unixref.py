"""unixref / unixsd XML → `WorkRecord`: the envelopes only.

The content elements inside `doi_record/crossref` (journal, book, conference,
posted_content, sa_component, ...) have the same structure as in deposits, so they are
converted by the deposit parser's `deposits.xml.parse.records_from_item_element`; this
module finds them and adds what only the envelope says. Accepted documents, recognised by
their root element (namespaced or not):

* `OAI-PMH` (ListRecords or GetRecord pages of Crossref's OAI service) and a bare
  `record`: `header/identifier` is `info:doi/<DOI>`, `header/@status="deleted"` marks a
  deleted record, `header/setSpec` `J:<owner prefix>:<title id>` names the owner prefix;
  `metadata` holds unixref (`crossref`) or unixsd (`crossref_result`);
* unixsd `crossref_result/query_result/body/query` (or `crossref_metadata`, the OAI
  variant): `doi` names the DOI; the `crm-item`s give member id, owner prefix, publisher,
  deposit timestamp and creation date (citation counts are ignored: the registry counts);
* unixref 1.0/1.1 `doi_records/doi_record` and `doi_record` (`@owner` is the owner prefix,
  `@timestamp` the last deposit) and a bare `crossref`.

One envelope is one work. The content element also carries the DOIs of its containers
(the journal's and the issue's `doi_data`), and the deposit parser returns records for
them too; only the record of the envelope's DOI is kept, because the containers here are
context, not the containers' own records. Without an envelope DOI (plain unixref), the
work is the last `doi_data` outside citation and component lists, which in Crossref's
element order is the innermost item.

XML is parsed with the deposit pipeline's hardened parser: no DTD, no entities, no network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from deposits.imports.base import (
    FileUnreadable,
    ItemRefused,
    Refusal,
    SourceItem,
    check_doi,
    clean_prefix,
    member_id_of,
)
from deposits.xml.safe import DepositParseError, parse_deposit
from linking.records import WorkRecord

ContentConverter = Callable[[etree._Element], list[WorkRecord]]

NOT_CONTENT = {"error", "doi_record"}
OUTSIDE_WORK = {"citation_list", "component_list"}


def localname(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, *names: str) -> list[etree._Element]:
    return [child for child in element if localname(child) in names]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


@dataclass
class Envelope:
    """What the wrapping around one content element says about its work."""

    position: str
    doi: str = ""
    member_id: int | None = None
    owner_prefix: str = ""
    publisher: str = ""
    deposit_timestamp: int | None = None
    extra: dict[str, str] = field(default_factory=dict)
    content: etree._Element | None = None
    refused: ItemRefused | None = None


def items_from_xml(
    data: bytes, *, converter: ContentConverter | None = None
) -> tuple[str, Iterator[SourceItem]]:
    """Parse one XML document; return its layout and an iterator of its items.
    FileUnreadable when the document is not well-formed or not a unixref/unixsd/OAI-PMH one."""
    try:
        root = parse_deposit(data).getroot()
    except DepositParseError as exc:
        raise FileUnreadable(exc.problem.message) from exc
    name = localname(root)
    if name == "OAI-PMH":
        records = [
            r for part in _children(root, "ListRecords", "GetRecord") for r in _children(part, "record")
        ]
        error = _child(root, "error")
        if error is not None and not records and error.get("code") != "noRecordsMatch":
            raise FileUnreadable(f"the OAI-PMH response is an error: {error.get('code')} {_text(error)}")
        layout = f"OAI-PMH {_first_format(records)}".rstrip()
        envelopes = (e for n, r in enumerate(records, start=1) for e in _oai_record(r, f"record {n}"))
    elif name == "record":
        layout = f"OAI-PMH record {_first_format([root])}".rstrip()
        envelopes = iter(_oai_record(root, "record 1"))
    elif name == "crossref_result":
        layout = "unixsd"
        envelopes = iter(_unixsd(root, None))
    elif name == "doi_records":
        layout = "unixref doi_records"
        envelopes = (
            e
            for n, r in enumerate(_children(root, "doi_record"), start=1)
            for e in _doi_record(r, f"doi_record {n}")
        )
    elif name == "doi_record":
        layout = "unixref doi_record"
        envelopes = iter(_doi_record(root, "doi_record 1"))
    elif name == "crossref":
        layout = f"unixref {_version(root)}".rstrip()
        envelopes = iter(_crossref(root, Envelope(position="crossref 1")))
    elif name == "doi_batch":
        raise FileUnreadable(
            "this is a deposit (doi_batch), not a unixref/unixsd record: submit it through the deposit "
            "upload or POST /servlet/deposit, where it is validated against the schema"
        )
    else:
        raise FileUnreadable(
            f"the root element <{name}> is not one this import knows: give OAI-PMH, unixsd "
            "(crossref_result), or unixref (doi_records, doi_record, crossref)"
        )
    return layout, (_item(envelope, converter) for envelope in envelopes)


def _first_format(records: list[etree._Element]) -> str:
    for record in records:
        metadata = _child(record, "metadata")
        for child in metadata if metadata is not None else []:
            if localname(child) == "crossref":
                return f"(unixref {_version(child)})".replace(" )", ")")
            if localname(child) == "crossref_result":
                return "(unixsd)"
    return ""


def _version(crossref: etree._Element) -> str:
    namespace = etree.QName(crossref).namespace or ""
    return namespace.rsplit("/", 1)[-1] if "xschema" in namespace else ""


def _line(element: etree._Element) -> str:
    return f" (line {element.sourceline})" if element.sourceline else ""


def _oai_record(record: etree._Element, position: str) -> list[Envelope]:
    position += _line(record)
    header = _child(record, "header")
    envelope = Envelope(position=position)
    if header is not None:
        identifier = _text(_child(header, "identifier"))
        envelope.doi = identifier.removeprefix("info:doi/")
        for spec in _children(header, "setSpec"):
            parts = _text(spec).split(":")
            if len(parts) >= 2 and clean_prefix(parts[1]):
                envelope.owner_prefix = clean_prefix(parts[1])
                break
        if header.get("status") == "deleted":
            envelope.refused = ItemRefused(Refusal.DELETED, f"{position}: {envelope.doi}")
            return [envelope]
    metadata = _child(record, "metadata")
    inner = [child for child in metadata if isinstance(child.tag, str)] if metadata is not None else []
    if not inner:
        envelope.refused = ItemRefused(Refusal.CONTENT_UNREADABLE, f"{position}: no metadata")
        return [envelope]
    if localname(inner[0]) == "crossref_result":
        found = _unixsd(inner[0], position)
        for one in found:  # the header still knows the DOI and owner when the result does not
            one.doi = one.doi or envelope.doi
            one.owner_prefix = one.owner_prefix or envelope.owner_prefix
        return found
    if localname(inner[0]) == "crossref":
        return _crossref(inner[0], envelope)
    envelope.refused = ItemRefused(
        Refusal.CONTENT_UNREADABLE,
        f"{position}: metadata holds <{localname(inner[0])}>, not unixref or unixsd",
    )
    return [envelope]


def _unixsd(result: etree._Element, position: str | None) -> list[Envelope]:
    """One envelope per query of a crossref_result; `position` is the OAI-PMH record's, or
    None to number the queries."""
    envelopes = []
    queries = [
        q for body in result.iter("{*}body", "body") for q in _children(body, "query", "crossref_metadata")
    ]
    for n, query in enumerate(queries, start=1):
        where = position or f"query {n}{_line(query)}"
        crm = {}
        for item in _children(query, "crm-item"):
            crm.setdefault(item.get("name", ""), _text(item))
        envelope = Envelope(
            position=where,
            doi=_text(_child(query, "doi")),
            member_id=member_id_of(crm.get("member-id")),
            owner_prefix=clean_prefix(crm.get("owner-prefix", "")),
            publisher=crm.get("publisher-name") or crm.get("prefix-name", ""),
            deposit_timestamp=_int(crm.get("deposit-timestamp")),
            extra={k: crm[k] for k in ("created", "last-update") if crm.get(k)},
        )
        status = query.get("status", "resolved")
        record = _child(query, "doi_record")
        if status != "resolved" or record is None:
            detail = _text(_child(query, "msg")) or f"status {status}, no doi_record"
            envelope.refused = ItemRefused(Refusal.SOURCE_ERROR, f"{where}: {envelope.doi} {detail}".strip())
            envelopes.append(envelope)
            continue
        crossref = _child(record, "crossref")
        if crossref is None:
            envelope.refused = ItemRefused(
                Refusal.CONTENT_UNREADABLE, f"{where}: doi_record without crossref"
            )
            envelopes.append(envelope)
            continue
        envelopes.extend(_crossref(crossref, envelope))
    return envelopes


def _doi_record(record: etree._Element, position: str) -> list[Envelope]:
    position += _line(record)
    envelope = Envelope(
        position=position,
        owner_prefix=clean_prefix(record.get("owner", "")),
        deposit_timestamp=_stamp(record.get("timestamp", "")),
    )
    crossref = _child(record, "crossref")
    if crossref is None:
        envelope.refused = ItemRefused(Refusal.CONTENT_UNREADABLE, f"{position}: doi_record without crossref")
        return [envelope]
    return _crossref(crossref, envelope)


def _crossref(crossref: etree._Element, envelope: Envelope) -> list[Envelope]:
    """One envelope per content element of `crossref` (there is one in practice)."""
    error = _child(crossref, "error")
    contents = [c for c in crossref if isinstance(c.tag, str) and localname(c) not in NOT_CONTENT]
    if not contents:
        detail = _text(error) if error is not None else "no content element"
        envelope.refused = ItemRefused(
            Refusal.SOURCE_ERROR if error is not None else Refusal.CONTENT_UNREADABLE,
            f"{envelope.position}: {envelope.doi} {detail}".replace("  ", " "),
        )
        return [envelope]
    found = []
    for content in contents:
        one = Envelope(**{**envelope.__dict__, "extra": dict(envelope.extra)})
        one.content = content
        one.doi = one.doi or target_doi(content)
        if not one.publisher:
            one.publisher = _text(next(content.iter("{*}publisher_name", "publisher_name"), None))
        found.append(one)
    return found


def target_doi(content: etree._Element) -> str:
    """The DOI a content element is about when nothing around it says: the last doi_data
    outside citation and component lists (a container's doi_data comes before its items'),
    or, for a stand-alone component, the last one of all."""
    outside, inside = [], []
    for data in content.iter("{*}doi_data", "doi_data"):
        ancestors = {localname(a) for a in data.iterancestors()}
        (inside if ancestors & OUTSIDE_WORK else outside).append(data)
    chosen = (outside or inside or [None])[-1]
    return _text(_child(chosen, "doi")) if chosen is not None else ""


def _item(envelope: Envelope, converter: ContentConverter | None) -> SourceItem:
    return SourceItem(
        position=envelope.position,
        doi=envelope.doi,
        member_id=envelope.member_id,
        owner_prefix=envelope.owner_prefix,
        publisher=envelope.publisher,
        convert=lambda: work_record_from_envelope(envelope, converter=converter),
        refused=envelope.refused,
        raw=envelope.content,
    )


def default_converter() -> ContentConverter:
    try:
        from deposits.xml.parse import records_from_item_element
    except ImportError as exc:
        raise FileUnreadable(
            "unixref/unixsd content is converted by deposits.xml.parse.records_from_item_element, "
            f"which cannot be imported: {exc}"
        ) from exc
    return records_from_item_element


def work_record_from_envelope(envelope: Envelope, *, converter: ContentConverter | None = None) -> WorkRecord:
    """Convert the envelope's content element and keep the record of the envelope's DOI,
    with what the envelope adds (member id, owner prefix, timestamp, publisher)."""
    if envelope.refused is not None:
        raise envelope.refused
    doi = check_doi(envelope.doi)
    convert = converter or default_converter()
    try:
        records = convert(envelope.content)
    except ItemRefused:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the content parser trips on, refuse this record only
        raise ItemRefused(
            Refusal.CONTENT_UNREADABLE,
            f"{envelope.position}: {doi}: <{localname(envelope.content)}>: {type(exc).__name__}: {exc}",
        ) from exc
    record = next((r for r in records if r.doi == doi), None)
    if record is None:
        # Crossref's index (the envelope) holds the DOI cleaned of characters its content
        # still carries (a stray U+FFFD or space after the DOI in a few 2013 records): match
        # on the cleaned form, register the envelope's DOI and keep the content's in extra.
        record = next((r for r in records if _doi_key(r.doi) == _doi_key(doi)), None)
        if record is not None:
            record.extra["doi-in-content"] = record.doi
            record.doi = doi
    if record is None:
        held = ", ".join(r.doi for r in records[:3]) or "no record"
        raise ItemRefused(
            Refusal.NOT_IN_CONTENT,
            f"{envelope.position}: {doi} not in <{localname(envelope.content)}> ({held})",
        )
    if envelope.member_id is not None:
        record.member_id = envelope.member_id
    if envelope.owner_prefix:
        record.prefix = envelope.owner_prefix
    if envelope.deposit_timestamp is not None:
        record.deposit_timestamp = envelope.deposit_timestamp
    if not record.publisher and envelope.publisher:
        record.publisher = envelope.publisher
    for key, value in envelope.extra.items():
        record.extra.setdefault(key, value)
    return record


def _doi_key(doi: str) -> str:
    return "".join(c for c in doi if c.isprintable() and not c.isspace() and c != "\ufffd").lower()


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _stamp(value: str) -> int | None:
    """unixref's doi_record/@timestamp ('2012-12-04 08:42:23') as yyyymmddhhmmss."""
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y%m%d%H%M%S"))
    except ValueError:
        return None
