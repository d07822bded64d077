"""Safe parsing: no entity is ever expanded, nothing is ever fetched, and each way a file
can be unreadable gets its own catalogue code with a line number. None of these tests
needs a schema: every file here is refused before one would be chosen."""

from __future__ import annotations

import io
import socket
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from deposits.errors import ErrorCode
from deposits.xml.safe import DepositParseError, make_parser, parse_deposit
from deposits.xml.validate import validate_deposit

PASSWD = Path("/etc/passwd")

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE doi_batch [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<doi_batch xmlns="http://www.crossref.org/schema/5.3.1" version="5.3.1">
  <head><doi_batch_id>&secret;</doi_batch_id></head>
</doi_batch>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<doi_batch xmlns="http://www.crossref.org/schema/5.3.1">&lol9;</doi_batch>
"""


def _passwd_markers() -> list[str]:
    """Strings that would show /etc/passwd leaked: its first line and 'root:x:0:0'."""
    if not PASSWD.is_file():
        return ["root:x:0:0"]
    text = PASSWD.read_text(errors="replace")
    return [line for line in text.splitlines()[:3] if line] + ["root:x:0:0"]


def _all_text(result) -> str:
    parts = [p.message for p in result.problems]
    if result.tree is not None:
        parts.append(etree.tostring(result.tree, encoding="unicode"))
    return "\n".join(parts)


@contextmanager
def listening_socket():
    """A TCP port on 127.0.0.1 that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.setblocking(False)
    port = server.getsockname()[1]
    state = {"connections": 0}

    def connected() -> int:
        while True:
            try:
                conn, _ = server.accept()
            except BlockingIOError:
                return state["connections"]
            conn.close()
            state["connections"] += 1

    try:
        yield port, connected
    finally:
        server.close()


# --------------------------------------------------------------------------- entities


def test_external_entity_reading_etc_passwd_is_refused_unread():
    result = validate_deposit(XXE)
    assert result.codes == [ErrorCode.ENTITY_FORBIDDEN]
    assert result.tree is None
    problem = result.problems[0]
    assert problem.line == 2
    assert "<!ENTITY" in problem.message and "DOCTYPE" in problem.message
    text = _all_text(result)
    for marker in _passwd_markers():
        assert marker not in text


def test_the_parser_itself_never_expands_an_external_entity():
    """Second line of defence, should the DOCTYPE check ever be bypassed."""
    root = etree.fromstring(XXE, make_parser())
    serialised = etree.tostring(root, encoding="unicode")
    for marker in _passwd_markers():
        assert marker not in serialised
    assert "&secret;" in serialised  # kept as an unexpanded reference


def test_billion_laughs_is_refused_without_expansion():
    result = validate_deposit(BILLION_LAUGHS)
    assert result.codes == [ErrorCode.ENTITY_FORBIDDEN]
    assert result.tree is None
    assert "lollollol" not in _all_text(result)


def test_the_parser_itself_stops_an_entity_bomb():
    try:
        root = etree.fromstring(BILLION_LAUGHS, make_parser())
    except etree.XMLSyntaxError as exc:
        assert "amplification" in str(exc) or "entity" in str(exc).lower()
    else:
        assert len(etree.tostring(root)) < 10_000


@pytest.mark.parametrize(
    "template",
    [
        # external general entity
        '<!DOCTYPE doi_batch [<!ENTITY ext SYSTEM "http://127.0.0.1:{port}/x.xml">]>\n<doi_batch>&ext;</doi_batch>',
        # external parameter entity, referenced inside the internal subset
        '<!DOCTYPE doi_batch [<!ENTITY % pe SYSTEM "http://127.0.0.1:{port}/x.dtd"> %pe;]>\n<doi_batch/>',
        # external DTD subset
        '<!DOCTYPE doi_batch SYSTEM "http://127.0.0.1:{port}/x.dtd">\n<doi_batch/>',
    ],
    ids=["general-entity", "parameter-entity", "external-dtd"],
)
def test_an_entity_or_dtd_on_an_http_url_causes_no_network_access(template):
    with listening_socket() as (port, connections):
        data = ('<?xml version="1.0"?>\n' + template.format(port=port)).encode()
        result = validate_deposit(data)
        assert result.codes[0] in (ErrorCode.ENTITY_FORBIDDEN, ErrorCode.DTD_FORBIDDEN)
        assert result.problems[0].line == 2
        # The hardened parser on its own does not fetch either.
        try:
            etree.fromstring(data, make_parser())
        except etree.XMLSyntaxError:
            pass
        time.sleep(0.05)
        assert connections() == 0


def test_any_doctype_is_refused_even_without_entities():
    data = b'<?xml version="1.0"?>\n\n<!DOCTYPE doi_batch>\n<doi_batch xmlns="http://www.crossref.org/schema/5.3.1"/>'
    result = validate_deposit(data)
    assert result.codes == [ErrorCode.DTD_FORBIDDEN]
    assert result.problems[0].line == 3
    assert "Delete the <!DOCTYPE" in result.problems[0].message


# --------------------------------------------------------------------------- unreadable files


def _numbered_document(lines: int) -> bytes:
    body = "\n".join(f"    <item n='{n}'>text {n}</item>" for n in range(lines))
    head = '<?xml version="1.0"?>\n<doi_batch xmlns="urn:x">\n  <body>\n'
    return f"{head}{body}\n  </body>\n</doi_batch>\n".encode()


def test_a_truncated_file_is_not_well_formed_with_the_line_where_it_stops():
    data = _numbered_document(40)
    cut = data[: data.index(b"<item n='30'>") + 8]  # ends inside line 34
    result = validate_deposit(cut)
    assert result.codes == [ErrorCode.NOT_WELL_FORMED]
    problem = result.problems[0]
    assert problem.line == cut.count(b"\n") + 1 == 34
    assert problem.message.startswith("Line 34, column")
    assert "cut short" in problem.message


def test_a_mismatched_tag_names_line_and_tags():
    result = validate_deposit(b"<doi_batch>\n  <head>\n  </body>\n</doi_batch>")
    assert result.codes == [ErrorCode.NOT_WELL_FORMED]
    assert result.problems[0].line == 3
    assert "head" in result.problems[0].message and "body" in result.problems[0].message


def test_an_html_entity_gets_a_hint():
    result = validate_deposit(b"<doi_batch>\n<x>a&nbsp;b</x></doi_batch>")
    assert result.codes == [ErrorCode.NOT_WELL_FORMED]
    assert "&#160;" in result.problems[0].message


@pytest.mark.parametrize("data", [b"", b"   \n\t\n"], ids=["zero-bytes", "white-space"])
def test_an_empty_file(data):
    result = validate_deposit(data)
    assert result.codes == [ErrorCode.EMPTY_FILE]
    assert result.tree is None


def test_an_empty_file_on_disk(tmp_path):
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    assert validate_deposit(path).codes == [ErrorCode.EMPTY_FILE]


@pytest.mark.parametrize(
    ("data", "line"),
    [(b"This file is not XML\n", 1), (b"\n\n%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", 3), (b"PK\x03\x04\x14\x00", 1)],
    ids=["text", "pdf", "zip"],
)
def test_a_file_that_is_not_xml_at_all(data, line):
    result = validate_deposit(data)
    assert result.codes == [ErrorCode.NOT_XML]
    assert result.problems[0].line == line
    assert "not XML" in result.problems[0].message


def test_utf16_with_bom_is_read():
    data = '<?xml version="1.0" encoding="UTF-16"?>\n<doi_batch xmlns="urn:x">é</doi_batch>'.encode("utf-16")
    tree = parse_deposit(data)
    assert tree.getroot().text == "é"


# --------------------------------------------------------------------------- size and sources


def test_too_large_is_refused_before_parsing(settings, tmp_path):
    settings.DEPOSIT_MAX_BYTES = 64
    data = b"<doi_batch>" + b" " * 100 + b"<unclosed>"  # would be NOT_WELL_FORMED if parsed
    path = tmp_path / "big.xml"
    path.write_bytes(data)
    for source in (data, path, str(path), io.BytesIO(data)):
        result = validate_deposit(source)
        assert result.codes == [ErrorCode.FILE_TOO_LARGE]
        assert result.tree is None
        assert "64 bytes" in result.problems[0].message


def test_a_file_object_is_read_no_further_than_the_limit():
    class CountingReader(io.BytesIO):
        asked: list[int] = []

        def read(self, size=-1):
            self.asked.append(size)
            return super().read(size)

    reader = CountingReader(b"<doi_batch/>" * 1000)
    with pytest.raises(DepositParseError) as caught:
        parse_deposit(reader, max_bytes=100)
    assert caught.value.problem.code is ErrorCode.FILE_TOO_LARGE
    assert reader.asked == [101]


def test_sources_bytes_path_and_uploaded_file(tmp_path):
    data = b'<?xml version="1.0"?>\n<query_batch xmlns="urn:not-crossref"/>'
    path = tmp_path / "q.xml"
    path.write_bytes(data)
    upload = SimpleUploadedFile("q.xml", data, content_type="application/xml")
    for source in (data, bytearray(data), path, str(path), io.BytesIO(data), upload):
        result = validate_deposit(source)
        assert result.tree is not None
        assert result.codes == [ErrorCode.UNKNOWN_NAMESPACE]


def test_text_instead_of_bytes_is_a_programming_error():
    with pytest.raises(TypeError):
        parse_deposit(io.StringIO("<doi_batch/>"))


# --------------------------------------------------------------------------- root element


@pytest.mark.parametrize(
    ("xml", "code"),
    [
        ("<html><body/></html>", ErrorCode.UNKNOWN_ROOT),
        ('<records xmlns="http://www.openarchives.org/OAI/2.0/"/>', ErrorCode.UNKNOWN_ROOT),
        ('<query_batch xmlns="http://www.crossref.org/schema/5.3.1"/>', ErrorCode.UNKNOWN_ROOT),
        ("<doi_batch/>", ErrorCode.UNKNOWN_NAMESPACE),
        ('<doi_batch xmlns="http://example.org/schema/5.3.1"/>', ErrorCode.UNKNOWN_NAMESPACE),
        ('<doi_batch xmlns="http://www.crossref.org/schema/latest"/>', ErrorCode.UNKNOWN_NAMESPACE),
        ('<crossref_result xmlns="http://www.crossref.org/qrschema/3.0"/>', ErrorCode.UNKNOWN_ROOT),
    ],
)
def test_a_root_that_is_not_a_crossref_input_format(xml, code):
    result = validate_deposit(f'<?xml version="1.0"?>\n{xml}'.encode())
    assert result.codes == [code]
    assert result.problems[0].line == 2
    assert result.tree is not None and result.schema is None


def test_no_schema_on_the_server_is_said_to_be_the_service_fault(settings, tmp_path):
    settings.SCHEMA_INSTALL_DIR = tmp_path / "none"
    settings.CROSSREF_SCHEMA_DIR = ""
    result = validate_deposit(b'<doi_batch xmlns="http://www.crossref.org/schema/5.3.1" version="5.3.1"/>')
    assert result.codes == [ErrorCode.SCHEMA_NOT_INSTALLED]
    assert result.kind == "deposit" and result.version == "5.3.1"
    assert "contact support" in result.problems[0].message
