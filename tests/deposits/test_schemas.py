"""The schema registry: where schemas are looked for, which version a document gets, offline
compilation (w3.org imports served locally, anything else refused), XSD 1.1 assertions
removed and recorded, and the 5.5.0 CRediT rules enforced in code."""

from __future__ import annotations

import socket
import textwrap
from pathlib import Path

import pytest
from lxml import etree

from deposits.errors import ErrorCode
from deposits.xml.credit import CREDIT_ROLES, CROSSREF_ROLES, check_credit_roles
from deposits.xml.resolver import unresolvable_schema_locations
from deposits.xml.schemas import (
    KNOWN_ASSERTS,
    RootKind,
    SchemaLoadError,
    available_schemas,
    choose_schema,
    compile_schema_file,
    family_of,
    nearest_version,
)
from deposits.xml.validate import validate_deposit

XSD = "http://www.w3.org/2001/XMLSchema"


@pytest.mark.parametrize(
    ("requested", "versions", "expected"),
    [
        ("5.3.1", ["4.4.2", "5.3.1", "5.5.0"], "5.3.1"),
        ("5.6.0", ["4.4.2", "5.3.1", "5.5.0"], "5.5.0"),  # newer than all: newest of the major
        ("5.3.5", ["5.3.1", "5.4.0"], "5.3.1"),  # newest not above
        ("4.2.0", ["4.3.0", "4.4.2", "5.5.0"], "4.3.0"),  # below all of its major: oldest above
        ("6.0.0", ["4.4.2", "5.5.0"], "5.5.0"),  # no same major: newest
        ("0.1.1", ["0.0.1", "0.0.2", "0.1.0"], "0.1.0"),
        ("5.10.0", ["5.9.0", "5.3.1"], "5.9.0"),  # compared as numbers, not text
        ("5.3.1", [], None),
    ],
)
def test_nearest_version(requested, versions, expected):
    assert nearest_version(requested, versions) == expected


@pytest.mark.parametrize(
    ("namespace", "kind", "version"),
    [
        ("http://www.crossref.org/schema/5.3.1", RootKind.DEPOSIT, "5.3.1"),
        ("http://www.crossref.org/doi_resources_schema/4.4.2", RootKind.RESOURCES, "4.4.2"),
        ("http://www.crossref.org/grant_id/0.1.1", RootKind.GRANT, "0.1.1"),
        ("http://www.crossref.org/qschema/2.0", RootKind.QUERY, "2.0"),
    ],
)
def test_family_of(namespace, kind, version):
    family, found = family_of(namespace)
    assert (family.kind, found) == (kind, version)


@pytest.mark.parametrize("namespace", [None, "", "http://www.crossref.org/schema/", "http://x/schema/5.3.1"])
def test_family_of_unknown(namespace):
    assert family_of(namespace) is None


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<xsd:schema xmlns:xsd='http://www.w3.org/2001/XMLSchema'/>")
    return path


@pytest.fixture
def fake_dirs(settings, tmp_path):
    """An installed 5.5.0 set plus a shared folder laid out like shared/schema."""
    installed, shared = tmp_path / "installed", tmp_path / "shared"
    files = {
        "installed-5.5.0": _touch(installed / "crossref-5.5.0" / "crossref5.5.0.xsd"),
        "shared-5.5.0": _touch(shared / "crossref-5.5.0" / "crossref5.5.0.xsd"),
        "shared-5.5.0-xsd10": _touch(shared / "crossref-5.5.0" / "crossref5.5.0-xsd10.xsd"),
        "shared-5.3.1": _touch(shared / "crossref-5.3.1" / "crossref5.3.1.xsd"),
        "shared-res-4.4.2": _touch(shared / "crossref-4.4.2" / "doi_resources4.4.2.xsd"),
        "bundle-5.3.1": _touch(shared / "crossref-bundle-0.3.1" / "crossref5.3.1.xsd"),
        "bundle-5.2.0": _touch(shared / "crossref-bundle-0.3.1" / "crossref5.2.0.xsd"),
        "bundle-4.3.0": _touch(shared / "crossref-bundle-0.3.1" / "crossref4.3.0.xsd"),
        "bundle-res-4.4.2": _touch(shared / "crossref-bundle-0.3.1" / "doi_resources4.4.2.xsd"),
        "bundle-grant-0.1.0": _touch(shared / "crossref-bundle-0.3.1" / "grant_id0.1.0.xsd"),
        "bundle-query-2.0": _touch(shared / "crossref-bundle-0.3.1" / "crossref_query_input2.0.xsd"),
        "bundle-output": _touch(shared / "crossref-bundle-0.3.1" / "crossref_query_output3.0.xsd"),
    }
    settings.SCHEMA_INSTALL_DIR = installed
    settings.CROSSREF_SCHEMA_DIR = str(shared)
    return files


def test_search_order_installed_then_version_folder_then_bundle(fake_dirs):
    deposits = available_schemas(RootKind.DEPOSIT)
    assert sorted(deposits) == ["4.3.0", "5.2.0", "5.3.1", "5.5.0"]
    assert deposits["5.5.0"].path == fake_dirs["installed-5.5.0"]
    assert deposits["5.5.0"].source == "installed"
    assert deposits["5.3.1"].path == fake_dirs["shared-5.3.1"]
    assert deposits["5.2.0"].source == "bundle"
    assert available_schemas(RootKind.RESOURCES)["4.4.2"].path == fake_dirs["shared-res-4.4.2"]
    assert list(available_schemas(RootKind.GRANT)) == ["0.1.0"]
    assert list(available_schemas(RootKind.QUERY)) == ["2.0"]


def test_the_xsd10_twin_is_never_used(fake_dirs, settings, tmp_path):
    settings.SCHEMA_INSTALL_DIR = tmp_path / "nothing-installed"
    assert available_schemas(RootKind.DEPOSIT)["5.5.0"].path == fake_dirs["shared-5.5.0"]


def test_choose_exact_and_fallback(fake_dirs):
    exact = choose_schema(RootKind.DEPOSIT, "5.2.0")
    assert not exact.fallback and exact.file.path == fake_dirs["bundle-5.2.0"]
    assert "crossref5.2.0.xsd" in exact.label and "bundle" in exact.label
    newer = choose_schema(RootKind.DEPOSIT, "5.6.0")
    assert newer.fallback and newer.version == "5.5.0" and newer.requested_version == "5.6.0"
    assert newer.namespace == "http://www.crossref.org/schema/5.5.0"
    assert choose_schema(RootKind.GRANT, "0.2.0").version == "0.1.0"
    assert choose_schema(RootKind.RESOURCES, "5.4.0").version == "4.4.2"  # no 5.x: newest


def test_choose_nothing_when_the_family_is_absent(settings, tmp_path):
    settings.SCHEMA_INSTALL_DIR = tmp_path
    settings.CROSSREF_SCHEMA_DIR = ""
    assert choose_schema(RootKind.DEPOSIT, "5.3.1") is None


@pytest.mark.shared
@pytest.mark.parametrize(
    ("kind", "version", "folder", "fallback"),
    [
        (RootKind.DEPOSIT, "4.3.0", "crossref-bundle-0.3.1", False),
        (RootKind.DEPOSIT, "5.3.1", "crossref-5.3.1", False),
        (RootKind.DEPOSIT, "5.4.0", "crossref-5.4.0", False),
        (RootKind.RESOURCES, "4.4.2", "crossref-4.4.2", False),
        (RootKind.RESOURCES, "5.4.0", "crossref-5.4.0", False),
        (RootKind.RESOURCES, "4.3.3", "crossref-bundle-0.3.1", True),
        (RootKind.GRANT, "0.1.1", "crossref-bundle-0.3.1", True),
        (RootKind.QUERY, "2.0", "crossref-bundle-0.3.1", False),
    ],
)
def test_choices_in_the_shared_schema_folder(
    settings, tmp_path, crossref_schemas, kind, version, folder, fallback
):
    settings.SCHEMA_INSTALL_DIR = tmp_path  # shared folder only
    choice = choose_schema(kind, version)
    assert choice.file.path.parent.name == folder
    assert choice.fallback is fallback


def test_a_schema_that_does_not_compile_is_reported_as_the_service_fault(settings, tmp_path):
    broken = tmp_path / "crossref-9.9.9" / "crossref9.9.9.xsd"
    broken.parent.mkdir()
    broken.write_text('<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:element/></xsd:schema>')
    settings.SCHEMA_INSTALL_DIR = tmp_path
    settings.CROSSREF_SCHEMA_DIR = ""
    result = validate_deposit(b'<doi_batch xmlns="http://www.crossref.org/schema/9.9.9" version="9.9.9"/>')
    assert result.codes == [ErrorCode.SCHEMA_UNUSABLE]
    assert "crossref9.9.9.xsd" in result.problems[0].message
    assert "not with your file" in result.problems[0].message


# --------------------------------------------------------------------------- offline compiling

_XML_XSD = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="lang" type="xs:language"/>
</xs:schema>"""


def _schema(folder: Path, imports: str, body: str = "", name: str = "main.xsd") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(
        textwrap.dedent(
            f"""\
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t"
                elementFormDefault="qualified">
              {imports}
              <xs:element name="doc">
                <xs:complexType>
                  <xs:sequence><xs:element name="role" minOccurs="0"/></xs:sequence>
                  <xs:attribute name="type"/>
                  {body}
                </xs:complexType>
              </xs:element>
            </xs:schema>
            """
        )
    )
    return path


def test_w3_org_imports_are_served_from_standard_modules(tmp_path):
    (tmp_path / "standard-modules").mkdir()
    (tmp_path / "standard-modules" / "xml.xsd").write_text(_XML_XSD)
    path = _schema(
        tmp_path,
        '<xs:import namespace="http://www.w3.org/XML/1998/namespace" '
        'schemaLocation="http://www.w3.org/2009/01/xml.xsd"/>',
        '<xs:attribute ref="xml:lang"/>',
    )
    assert unresolvable_schema_locations(tmp_path) == []
    schema, removed = compile_schema_file(path)
    assert removed == ()
    assert schema.validate(etree.fromstring(b'<doc xmlns="urn:t" xml:lang="en"/>'))
    assert not schema.validate(etree.fromstring(b'<doc xmlns="urn:t" xml:lang="not a language"/>'))


def test_any_other_remote_import_is_refused_without_a_connection(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.setblocking(False)
    port = server.getsockname()[1]
    try:
        url = f"http://127.0.0.1:{port}/other.xsd"
        path = _schema(tmp_path, f'<xs:import namespace="urn:other" schemaLocation="{url}"/>')
        assert unresolvable_schema_locations(tmp_path) == [
            f"main.xsd: {url} (no local copy is known for this URL)"
        ]
        with pytest.raises(SchemaLoadError, match="refused to fetch"):
            compile_schema_file(path)
        with pytest.raises(BlockingIOError):
            server.accept()
    finally:
        server.close()


def test_a_local_import_outside_the_schema_folder_is_refused(tmp_path):
    _schema(tmp_path, "", name="outside.xsd")
    path = _schema(tmp_path / "set", '<xs:include schemaLocation="../outside.xsd"/>')
    with pytest.raises(SchemaLoadError, match="outside.xsd"):
        compile_schema_file(path)


def test_xsd11_asserts_are_removed_and_recorded_also_in_included_files(tmp_path):
    included = tmp_path / "common.xsd"
    included.write_text(
        """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t">
             <xs:complexType name="t"><xs:attribute name="a"/><xs:assert test="@a = 'x'"/></xs:complexType>
           </xs:schema>"""
    )
    path = _schema(
        tmp_path,
        '<xs:include schemaLocation="common.xsd"/>',
        '<xs:assert test="exists(@contributor_role) or exists(*:role)"/>',
    )
    schema, removed = compile_schema_file(path)
    assert sorted(removed) == ["@a = 'x'", "exists(@contributor_role) or exists(*:role)"]
    assert schema.validate(etree.fromstring(b'<doc xmlns="urn:t"/>'))


def test_the_installed_550_asserts_are_the_three_known_ones(installed_schema_dir):
    tree = etree.parse(str(installed_schema_dir / "crossref5.5.0.xsd"))
    tests = {" ".join(a.get("test").split()) for a in tree.iter(f"{{{XSD}}}assert")}
    assert tests == KNOWN_ASSERTS
    assert unresolvable_schema_locations(installed_schema_dir) == []


def test_fetch_schemas_is_idempotent(installed_schema_dir):
    import subprocess

    marker = installed_schema_dir / ".installed-from"
    before = marker.stat().st_mtime_ns
    done = subprocess.run(
        ["scripts/fetch-schemas"],
        cwd=Path(__file__).resolve().parents[2],
        env={"SCHEMA_INSTALL_DIR": str(installed_schema_dir.parent), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "already installed" in done.stdout
    assert marker.stat().st_mtime_ns == before
    assert "commonmeta-py==0.312 --hash=sha256:" in marker.read_text()


# --------------------------------------------------------------------------- CRediT rules

NS = "http://www.crossref.org/schema/5.5.0"


def _contributors(*people: str) -> etree._ElementTree:
    xml = (
        f'<doi_batch xmlns="{NS}" xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1"><body><journal>'
        "<journal_article><contributors>\n" + "\n".join(people) + "\n</contributors>"
        "<doi_data><doi>10.5555/credit</doi><resource>https://example.org/</resource></doi_data>"
        "</journal_article></journal></body></doi_batch>"
    )
    return etree.fromstring(xml.encode()).getroottree()


def test_credit_rules_pass_for_well_formed_roles():
    tree = _contributors(
        '<person_name contributor_role="author"><surname>A</surname></person_name>',
        '<person_name><surname>B</surname><role vocab="credit" type="software"/>'
        '<role vocab="crossref" type="editor"/></person_name>',
        "<organization>Org</organization>",
        "<anonymous/>",
        "<jats:role>anything: JATS has its own role</jats:role>",
    )
    assert check_credit_roles(tree) == []


def test_role_type_must_belong_to_the_chosen_vocabulary():
    tree = _contributors(
        '<person_name><surname>A</surname><role vocab="credit" type="author"/></person_name>',
        '<person_name><surname>B</surname><role vocab="crossref" type="software"/></person_name>',
        '<person_name><surname>C</surname><role vocab="credit"/></person_name>',
    )
    found = check_credit_roles(tree)
    assert [p.code for p in found] == [ErrorCode.ROLE_NOT_IN_VOCAB] * 3
    assert [p.line for p in found] == [2, 3, 4]
    first = found[0]
    assert first.path == "/doi_batch/body/journal/journal_article/contributors/person_name[1]/role/@type"
    assert first.doi == "10.5555/credit"
    assert "'author' is not part of the 'credit' vocabulary" in first.message
    assert 'vocab="crossref"' in first.message and "writing-review-editing" in first.message
    assert "'software' is not part of the 'crossref' vocabulary" in found[1].message
    assert "(missing)" in found[2].message


def test_a_person_needs_contributor_role_or_a_role():
    tree = _contributors(
        '<person_name contributor_role="author"><surname>A</surname></person_name>',
        "<person_name><surname>B</surname></person_name>",
        "<anonymous/>",
    )
    found = check_credit_roles(tree)
    assert [(p.code, p.line) for p in found] == [(ErrorCode.CONTRIBUTOR_ROLE_MISSING, 3)]
    assert found[0].path.endswith("contributors/person_name[2]")
    assert "contributor_role" in found[0].message


def test_the_vocabularies_match_the_550_schema_enumeration(installed_schema_dir):
    tree = etree.parse(str(installed_schema_dir / "crossref5.5.0.xsd"))
    group = tree.find(f".//{{{XSD}}}attributeGroup[@name='roles.atts']")
    enumerated = [
        e.get("value") for e in group.iterfind(f".//{{{XSD}}}attribute[@name='type']//{{{XSD}}}enumeration")
    ]
    assert enumerated == list(CROSSREF_ROLES) + list(CREDIT_ROLES)


def test_warm_up_compiles_the_newest_deposit_schema(installed_schema_dir):
    from deposits.xml.schemas import schemas_warm_up

    assert "crossref5.5.0.xsd" in schemas_warm_up()
