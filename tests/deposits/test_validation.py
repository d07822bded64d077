"""Validation of real deposit files against the real Crossref schemas.

Schema compilation takes seconds per version; the registry keeps compiled schemas for the
whole test process, so this module's cost is about one compile per schema version used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from deposits.errors import ErrorCode
from deposits.xml.validate import rephrase, validate_deposit

pytestmark = pytest.mark.shared

# Every file of shared/samples/deposits/, as MANIFEST.md lists them. The expected outcome is
# read from the manifest itself (test_the_table_matches_the_manifest keeps this in step).
SAMPLES = [
    "cayenne__full-deposit.xml",
    "cayenne__invalid-deposit.xml",
    "cayenne__partial-deposit.xml",
    "crossref__book5.3.0.xml",
    "crossref__book_series5.3.0.xml",
    "crossref__component5.3.0.xml",
    "crossref__conf_single5.3.0.xml",
    "crossref__crossmark_2_correction_4.4.2.xml",
    "crossref__crossmark_retraction_4.4.2.xml",
    "crossref__dataset.5.3.0.xml",
    "crossref__dissertation.5.3.0.xml",
    "crossref__grantid_full_example.xml",
    "crossref__journal.article5.3.0.xml",
    "crossref__journal.article5.3.1.xml",
    "crossref__journal.vol.issue5.3.0.xml",
    "crossref__journal_article_translation_4.4.2.xml",
    "crossref__journal_title_issn_4.4.2.xml",
    "crossref__peer_review.5.3.0.xml",
    "crossref__posted_content.5.3.0.xml",
    "crossref__report.5.3.0.xml",
    "crossref__resource_funding_4.4.2.xml",
    "crossref__resource_license_fulltext_4.4.2.xml",
    "crossref__resource_mr_secondary_4.4.2.xml",
    "crossref__resource_references_4.4.2.xml",
    "crossref__standard5.3.0.xml",
    "crossref__xsd_xml.in.xml",
    "doaj__5.3.1_duplicate_in_file.xml",
    "doaj__not_xml.xml",
    "doaj__schema_invalid.xml",
    "elife__v4.4.2__elife-crossref-02725-20170717071707.xml",
    "elife__v5.3.1__crossref-606-20170717071707.xml",
    "elife__v5.3.1__crossref-bmjopen-2013-003269-20170717071707.xml",
    "elife__v5.3.1__cstp-crossref-77-20170717071707.xml",
    "elife__v5.3.1__elife-crossref-00666-20170717071707.xml",
    "elife__v5.3.1__elife-crossref-peer_review-00666-20170717071707.xml",
    "elife__v5.4.0__elife-crossref-1234567890-20170717071707.xml",
    "elife__v5.4.0__elife-crossref-pending_publication-00666-20170717071707.xml",
    "elife__v5.4.0__elife-crossref-preprint-posted_content-202200001-v2-20170717071707.xml",
    "elife__v5.4.0__elife-crossref-preprint-posted_content-94685-v2-20170717071707.xml",
    "elife__v5.5.0__elife-crossref-00508-20170717071707.xml",
]
ELIFE_550 = "elife__v5.5.0__elife-crossref-00508-20170717071707.xml"
DOAJ_DUPLICATE = "doaj__5.3.1_duplicate_in_file.xml"


def manifest_outcomes(samples_dir: Path) -> dict[str, tuple[str, int | None]]:
    """{file: (PASS | FAIL-SCHEMA | FAIL-PARSE | NO-SCHEMA, line)} from MANIFEST.md."""
    outcomes = {}
    for row in (samples_dir / "MANIFEST.md").read_text().splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if len(cells) < 5 or not cells[0].startswith("`") or not cells[0].endswith(".xml`"):
            continue
        name, result = cells[0].strip("`"), cells[3]
        if result == "PASS" or result == "NO-SCHEMA":
            outcomes[name] = (result, None)
        elif m := re.match(r"FAIL — line (\d+):", result):
            outcomes[name] = ("FAIL-SCHEMA", int(m.group(1)))
        elif m := re.match(r"FAIL — not well-formed: .*, line (\d+), column \d+", result):
            outcomes[name] = ("FAIL-PARSE", int(m.group(1)))
        else:
            raise AssertionError(f"unrecognised manifest result for {name}: {result}")
    return outcomes


@pytest.fixture(scope="session")
def manifest(samples_dir):
    return manifest_outcomes(samples_dir)


def test_the_table_matches_the_manifest_and_the_folder(samples_dir, manifest):
    on_disk = sorted(p.name for p in samples_dir.glob("*.xml"))
    assert on_disk == sorted(SAMPLES)
    assert sorted(manifest) == sorted(SAMPLES)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_gets_the_outcome_the_manifest_states(name, samples_dir, manifest, crossref_schemas):
    expected, line = manifest[name]
    result = validate_deposit(samples_dir / name)
    errors = result.errors
    if expected == "PASS":
        assert result.problems == [], [p.message for p in result.problems]
        assert result.tree is not None and result.schema is not None and not result.fallback
    elif expected == "NO-SCHEMA":
        assert [p.code for p in errors] in ([ErrorCode.UNKNOWN_ROOT], [ErrorCode.UNKNOWN_NAMESPACE])
        assert result.schema is None
    elif expected == "FAIL-PARSE":
        assert [p.code for p in errors] in ([ErrorCode.NOT_WELL_FORMED], [ErrorCode.NOT_XML])
        assert errors[0].line == line
        assert result.tree is None
    else:
        assert errors and all(p.code is ErrorCode.SCHEMA_INVALID for p in errors)
        assert errors[0].line == line
        assert errors[0].path and errors[0].path.startswith("/doi_batch/")
        assert "{http" not in errors[0].message  # namespace URIs never reach the depositor
        assert errors[0].message.startswith(f"Line {line}, /doi_batch/")


def test_schema_error_messages_are_plain(samples_dir, crossref_schemas):
    preprint = validate_deposit(
        samples_dir / "elife__v5.4.0__elife-crossref-preprint-posted_content-94685-v2-20170717071707.xml"
    )
    first = preprint.errors[0]
    assert first.path == "/doi_batch/body/posted_content/status"
    assert first.doi == "10.7554/eLife.94685"
    assert (
        "<status> is not allowed at this position. Expected here: <item_number>, <jats:abstract>"
        in first.message
    )

    head = validate_deposit(samples_dir / "elife__v5.3.1__crossref-606-20170717071707.xml")
    assert [(p.line, p.path) for p in head.errors] == [
        (7, "/doi_batch/head/depositor/depositor_name"),
        (8, "/doi_batch/head/depositor/email_address"),
        (10, "/doi_batch/head/registrant"),
    ]
    assert "<depositor_name> is empty; it must have at least 1 character." in head.errors[0].message
    assert head.errors[0].doi is None  # the head belongs to no record

    cayenne = validate_deposit(samples_dir / "cayenne__full-deposit.xml")
    assert "Expected here: <depositor_name>" in cayenne.errors[0].message
    content_version = [p for p in cayenne.errors if p.path.endswith("@content_version")]
    assert (
        content_version
        and "'tdm'" in content_version[0].message
        and "'vor', 'am'" in content_version[0].message
    )


def test_an_error_in_the_second_article_names_its_path_line_and_doi(samples_dir, crossref_schemas):
    # The DOAJ file has two journals of one article each: move both articles under one journal.
    tree = etree.parse(str(samples_dir / DOAJ_DUPLICATE))
    ns = tree.getroot().nsmap[None]
    journals = tree.findall(f".//{{{ns}}}journal")
    second = journals[1].find(f"{{{ns}}}journal_article")
    journals[0].append(second)
    journals[1].getparent().remove(journals[1])
    bogus = etree.Element(f"{{{ns}}}bogus")
    bogus.tail = "\n"
    second.find(f"{{{ns}}}titles").insert(0, bogus)
    data = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    line = next(e.sourceline for e in etree.fromstring(data).iter(f"{{{ns}}}bogus"))

    result = validate_deposit(data)
    assert [p.code for p in result.errors] == [ErrorCode.SCHEMA_INVALID]
    error = result.errors[0]
    assert error.line == line
    assert error.path == "/doi_batch/body/journal/journal_article[2]/titles/bogus"
    assert error.doi == second.find(f"{{{ns}}}doi_data/{{{ns}}}doi").text.strip()
    assert "<bogus> is not allowed at this position. Expected here: <title>" in error.message


def test_reported_schema_errors_are_capped_with_a_count_of_the_rest(samples_dir, crossref_schemas):
    root = etree.parse(str(samples_dir / DOAJ_DUPLICATE)).getroot()
    for element in root.iter():
        if isinstance(element.tag, str) and element is not root:
            element.set("bogus", "1")
    result = validate_deposit(etree.tostring(root), max_errors=20)
    listed = [p for p in result.problems if p.code is ErrorCode.SCHEMA_INVALID]
    assert len(listed) == 20
    assert result.schema_error_count > 20
    assert result.problems[-1].code is ErrorCode.TOO_MANY_ERRORS
    assert f"{result.schema_error_count - 20} more schema errors" in result.problems[-1].message


def test_a_file_over_the_size_limit_is_refused_before_parsing(settings, samples_dir, crossref_schemas):
    settings.DEPOSIT_MAX_BYTES = 1024
    result = validate_deposit(samples_dir / ELIFE_550)
    assert result.codes == [ErrorCode.FILE_TOO_LARGE]
    assert result.tree is None and result.schema is None


# --------------------------------------------------------------------------- deposit-xml corpus

# shared/data/crossref-sample/deposit-xml has no validation manifest (its MANIFEST.tsv gives
# provenance only); these are the files that do not validate, and why. All others must pass.
DEPOSIT_XML_FAILURES = {
    # Same bytes as samples/deposits/cayenne__*: pre-4.3.4 <name> in the head, content_version="tdm".
    "crossref-test-prefix-10.5555/full-deposit.xml": (ErrorCode.SCHEMA_INVALID, 13),
    # Truncated on purpose (the README says so).
    "crossref-test-prefix-10.5555/invalid-deposit.xml": (ErrorCode.NOT_WELL_FORMED, 91),
    # fr:program inside crossmark custom_metadata, not allowed by doi_resources 4.3.2.
    "crossref-test-prefix-10.5555/partial-deposit.xml": (ErrorCode.SCHEMA_INVALID, 40),
    # Empty depositor_name, email_address and registrant (the 5.5.0 version of the sample).
    "elife/crossref-606-20170717071707.xml": (ErrorCode.SCHEMA_INVALID, 7),
}


@pytest.fixture(scope="session")
def deposit_xml_dir(shared_dir) -> Path:
    return shared_dir / "data" / "crossref-sample" / "deposit-xml"


def test_deposit_xml_files_are_the_ones_the_manifest_lists(deposit_xml_dir):
    listed = {
        line.split("\t")[0].removeprefix("deposit-xml/")
        for line in (deposit_xml_dir.parent / "MANIFEST.tsv").read_text().splitlines()
        if line.startswith("deposit-xml/")
    }
    on_disk = {str(p.relative_to(deposit_xml_dir)) for p in deposit_xml_dir.rglob("*.xml")}
    assert on_disk == listed
    assert set(DEPOSIT_XML_FAILURES) <= on_disk


@pytest.mark.parametrize("folder", ["crossref-test-prefix-10.5555", "elife", "jose"])
def test_deposit_xml_corpus_validates(folder, deposit_xml_dir, crossref_schemas):
    files = sorted((deposit_xml_dir / folder).glob("*.xml"))
    assert files
    unexpected = []
    for path in files:
        name = f"{folder}/{path.name}"
        result = validate_deposit(path)
        got = (result.errors[0].code, result.errors[0].line) if result.errors else None
        if got != DEPOSIT_XML_FAILURES.get(name) or result.warnings:
            unexpected.append((name, got, [p.message for p in result.problems[:2]]))
    assert unexpected == []


# --------------------------------------------------------------------------- 5.5.0 and fallbacks


def test_the_installed_550_set_validates_the_elife_550_sample(settings, installed_schema_dir, samples_dir):
    settings.SCHEMA_INSTALL_DIR = installed_schema_dir.parent
    settings.CROSSREF_SCHEMA_DIR = ""  # nothing but the installed set
    result = validate_deposit(samples_dir / ELIFE_550)
    assert result.problems == [], [p.message for p in result.problems]
    assert result.kind == "deposit" and result.version == "5.5.0"
    assert result.schema.file.source == "installed"
    assert result.schema.file.path == installed_schema_dir / "crossref5.5.0.xsd"
    assert result.schema_used.startswith("crossref5.5.0.xsd (installed")


def test_a_credit_rule_broken_in_a_550_deposit_is_reported(settings, installed_schema_dir, samples_dir):
    settings.SCHEMA_INSTALL_DIR = installed_schema_dir.parent
    settings.CROSSREF_SCHEMA_DIR = ""
    text = (samples_dir / ELIFE_550).read_text()
    first_role = '<role type="author" vocab="crossref"/>'
    text = text.replace(first_role, '<role type="author" vocab="credit"/>', 1)
    # The second person loses its role and has no contributor_role attribute.
    second = text.index(first_role)
    text = text[:second] + text[second + len(first_role) :]
    role_line = text[: text.index('vocab="credit"')].count("\n") + 1
    person_line = text[: text.rindex("<person_name", 0, second)].count("\n") + 1

    result = validate_deposit(text.encode())
    assert [(p.code, p.line) for p in result.problems] == [
        (ErrorCode.ROLE_NOT_IN_VOCAB, role_line),
        (ErrorCode.CONTRIBUTOR_ROLE_MISSING, person_line),
    ]
    assert result.problems[0].doi == "10.7554/eLife.00508"
    assert result.problems[1].path == "/doi_batch/body/journal/journal_article/contributors/person_name[2]"


def _renamespaced(path: Path, old: str, new: str) -> bytes:
    text = path.read_text()
    text = text.replace(f"http://www.crossref.org/schema/{old}", f"http://www.crossref.org/schema/{new}")
    return text.replace(f'version="{old}"', f'version="{new}"').encode()


def test_a_520_deposit_is_validated_with_the_bundle_520(samples_dir, crossref_schemas):
    data = _renamespaced(samples_dir / "crossref__journal.vol.issue5.3.0.xml", "5.3.0", "5.2.0")
    result = validate_deposit(data)
    assert result.version == "5.2.0" and not result.fallback
    assert result.schema.file.path == crossref_schemas / "crossref-bundle-0.3.1" / "crossref5.2.0.xsd"
    assert result.schema_used == "crossref5.2.0.xsd (bundle, crossref-bundle-0.3.1/)"
    # Proof that 5.2.0's rules applied: <affiliations> only arrived in schema 5.3.0.
    assert [(p.code, p.path) for p in result.problems] == [
        (
            ErrorCode.SCHEMA_INVALID,
            "/doi_batch/body/journal/journal_issue/contributors/person_name/affiliations",
        )
    ]


def test_an_unknown_560_falls_back_to_550_with_a_warning(samples_dir, crossref_schemas):
    result = validate_deposit(_renamespaced(samples_dir / ELIFE_550, "5.5.0", "5.6.0"))
    assert result.version == "5.6.0" and result.namespace == "http://www.crossref.org/schema/5.6.0"
    assert result.fallback and result.schema.version == "5.5.0"
    assert result.ok
    assert [p.code for p in result.problems] == [ErrorCode.SCHEMA_FALLBACK]
    warning = result.problems[0]
    assert "version 5.6.0" in warning.message and "version 5.5.0 instead" in warning.message
    assert "crossref5.5.0.xsd" in warning.message
    # The tree handed back is the document as sent, not the copy moved to 5.5.0.
    assert etree.QName(result.tree.getroot()).namespace.endswith("/5.6.0")


def test_a_fallback_still_reports_real_errors_with_lines(samples_dir, crossref_schemas):
    data = _renamespaced(samples_dir / "elife__v5.3.1__crossref-606-20170717071707.xml", "5.3.1", "5.3.9")
    result = validate_deposit(data)
    assert result.fallback and result.schema.version == "5.3.1"
    assert [p.line for p in result.errors] == [7, 8, 10]
    assert result.warnings[0].code is ErrorCode.SCHEMA_FALLBACK


@pytest.mark.parametrize(
    ("message", "plain"),
    [
        (
            "Element '{http://www.crossref.org/schema/5.3.1}journal_article', attribute 'foo': "
            "The attribute 'foo' is not allowed.",
            "<journal_article> does not take the attribute 'foo'. Remove it or check its spelling.",
        ),
        (
            "Element '{http://www.crossref.org/schema/5.3.1}doi': [facet 'pattern'] The value '11.1/x' "
            "is not accepted by the pattern '10\\.[0-9]{4,9}/.{1,200}'.",
            "The value '11.1/x' of <doi> does not have the required form (pattern 10\\.[0-9]{4,9}/.{1,200}). "
            "Correct the value.",
        ),
        (
            "Element '{http://www.crossref.org/schema/5.3.1}person_name': Missing child element(s). "
            "Expected is ( {http://www.crossref.org/schema/5.3.1}surname ).",
            "<person_name> is incomplete: a required child element is missing. Add <surname>.",
        ),
        (
            "Element '{http://www.crossref.org/schema/5.3.1}titles': "
            "The attribute 'lang' is required but missing.",
            "<titles> needs the attribute 'lang', which is missing. Add it.",
        ),
    ],
)
def test_rephrase(message, plain):
    assert rephrase(message) == plain
