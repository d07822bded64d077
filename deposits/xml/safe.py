"""Hardened parsing of uploaded deposit XML.

Rules, and why:

* Entities are never expanded and nothing is ever loaded from outside the file: the parser
  runs with `resolve_entities=False, no_network=True, load_dtd=False`, and a resolver that
  refuses every load request (belt and braces: with the options above libxml2 should never
  ask).
* **Any DOCTYPE is refused, before the document is parsed.** Crossref deposits never need a
  DTD: the schema is chosen from the root element's namespace. Refusing every DOCTYPE rather
  than only those that declare entities keeps one simple rule that covers XXE (external
  entities reading `file:///etc/passwd` or calling out over http), parameter entities, and
  entity expansion bombs ("billion laughs"), and it gives the depositor a clear message
  instead of a parser error. A DOCTYPE that declares entities gets its own code
  (ENTITY_FORBIDDEN) so the log says why it matters; any other DOCTYPE gets DTD_FORBIDDEN.
  The check is a pre-scan with a streaming parser that stops at the DOCTYPE (or at the root
  element's start tag), so the internal subset of a hostile file is never even read.
* `huge_tree=False` keeps libxml2's limits on depth, text node size and entity
  amplification in force.

Sources are bytes, a file path (str or os.PathLike) or a binary file object; XML given as
text must be encoded to bytes by the caller. Sizes are checked before anything is parsed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from deposits.errors import DepositProblem, ErrorCode, human_size, problem

Source = bytes | bytearray | memoryview | str | os.PathLike | BinaryIO

_SNIFF_CHUNK = 64 * 1024
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


class DepositParseError(Exception):
    """The file could not be (or must not be) parsed; `problem` says why, for the log."""

    def __init__(self, problem: DepositProblem):
        super().__init__(problem.message)
        self.problem = problem


class ExternalLoadRefused(Exception):
    """Raised by the resolver below; lxml turns it into a load failure."""


class _RefuseAllLoads(etree.Resolver):
    """A deposit may not load anything: no DTD, no external entity, no XInclude."""

    def resolve(self, url, pubid, context):
        raise ExternalLoadRefused(url)


def make_parser() -> etree.XMLParser:
    """A new hardened parser (lxml parsers must not be shared between threads)."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
    )
    parser.resolvers.add(_RefuseAllLoads())
    return parser


def read_source(source: Source, *, max_bytes: int | None = None) -> bytes:
    """The bytes of `source`, refusing (FILE_TOO_LARGE) anything over `max_bytes` without
    reading more than max_bytes + 1 of it, and empty files (EMPTY_FILE)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        size = len(data)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise DepositParseError(problem(ErrorCode.FILE_TOO_LARGE, limit_text=human_size(max_bytes)))
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read() if max_bytes is None else source.read(max_bytes + 1)
        if isinstance(data, str):
            raise TypeError("open deposit files in binary mode: XML is read as bytes")
        size = len(data)
    else:
        raise TypeError(f"cannot read a deposit from {type(source).__name__}")
    if max_bytes is not None and size > max_bytes:
        raise DepositParseError(problem(ErrorCode.FILE_TOO_LARGE, limit_text=human_size(max_bytes)))
    if not data.strip():
        size_text = "0 bytes" if not data else f"{len(data)} bytes of white space only"
        raise DepositParseError(problem(ErrorCode.EMPTY_FILE, size_text=size_text))
    return data


def parse_deposit(source: Source, *, max_bytes: int | None = None) -> etree._ElementTree:
    """Parse a deposit safely; raise DepositParseError (with its DepositProblem) otherwise."""
    data = read_source(source, max_bytes=max_bytes)
    refuse_doctype(data)
    try:
        root = etree.fromstring(data, make_parser())
    except etree.XMLSyntaxError as exc:
        raise DepositParseError(_syntax_problem(data, exc)) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # the pre-scan missed it
        raise DepositParseError(problem(ErrorCode.DTD_FORBIDDEN, line=1, name=tree.docinfo.root_name))
    return tree


class _StopSniffing(Exception):
    pass


class _DoctypeSniffer:
    """Parser target that notes a DOCTYPE and stops there, or at the first element."""

    def __init__(self):
        self.doctype_name: str | None = None

    def doctype(self, name, pubid, system):
        self.doctype_name = name or "?"
        raise _StopSniffing

    def start(self, tag, attrib, nsmap=None):
        raise _StopSniffing

    def end(self, tag):
        pass

    def data(self, data):
        pass

    def close(self):
        return None


def refuse_doctype(data: bytes | Iterable[bytes]) -> None:
    """Raise DepositParseError if the document has a DOCTYPE (ENTITY_FORBIDDEN when it
    declares entities). Only the prolog is read, with the same hardened options. `data`
    may be an iterable of chunks (a large file read piece by piece: reading stops at the
    root element, however long the prolog)."""
    sniffer = _DoctypeSniffer()
    parser = etree.XMLParser(
        target=sniffer, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    parser.resolvers.add(_RefuseAllLoads())
    if isinstance(data, bytes):
        chunks: Iterable[bytes] = (data[o : o + _SNIFF_CHUNK] for o in range(0, len(data), _SNIFF_CHUNK))
    else:
        chunks, data = data, b""
    try:
        for chunk in chunks:
            data += chunk if len(data) < (1 << 20) else b""  # kept only to name the line
            parser.feed(chunk)
        parser.close()
    except _StopSniffing:
        pass
    except etree.XMLSyntaxError:
        pass  # the real parse reports it, with its line
    if sniffer.doctype_name is None:
        return
    line = _line_of(data, "<!DOCTYPE") or 1
    if _line_of(data, "<!ENTITY") is not None:
        raise DepositParseError(problem(ErrorCode.ENTITY_FORBIDDEN, line=line, name=sniffer.doctype_name))
    raise DepositParseError(problem(ErrorCode.DTD_FORBIDDEN, line=line, name=sniffer.doctype_name))


def _encoding_guess(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if data[:2] == b"<\x00":
        return "utf-16-le"
    if data[:2] == b"\x00<":
        return "utf-16-be"
    return "utf-8"


def _line_of(data: bytes, text: str) -> int | None:
    """1-based line of the first `text` in `data` (ASCII text, found in the file's
    encoding when that is UTF-8/Latin/UTF-16), or None."""
    encoding = _encoding_guess(data)
    needle = text.encode(encoding)
    index = data.find(needle)
    if index < 0:
        return None
    return data[:index].count("\n".encode(encoding)) + 1


def _looks_like_xml(data: bytes) -> bool:
    head = data[:1024].decode(_encoding_guess(data), errors="ignore")
    return head.lstrip("\ufeff \t\r\n").startswith("<")


def _syntax_problem(data: bytes, exc: etree.XMLSyntaxError) -> DepositProblem:
    if not _looks_like_xml(data):
        head = data[:1024].decode(_encoding_guess(data), errors="replace").lstrip("\ufeff")
        body = head.lstrip(" \t\r\n")
        line = head[: len(head) - len(body)].count("\n") + 1
        return problem(ErrorCode.NOT_XML, line=line, start=(body.splitlines() or [""])[0][:30])
    line, column = exc.position if exc.position else (exc.lineno, 0)
    detail = re.sub(r",\s*line \d+, column \d+\s*$", "", exc.msg or str(exc)).strip().rstrip(".")
    hint = ""
    if undefined := re.match(r"Entity '(\w+)' not defined", detail):
        hint = (
            f" &{undefined.group(1)}; is an HTML entity, which XML does not know: write the character"
            " itself or a numeric reference (&#160; for a non-breaking space)."
        )
    return problem(ErrorCode.NOT_WELL_FORMED, line=line, column=column, detail=detail, hint=hint)
