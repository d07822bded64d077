"""The schema registry: which Crossref XSD validates a document, compiled once per process.

A document's root element namespace names its schema family and version:

| family    | namespace                                        | root        | file             |
| --------- | ------------------------------------------------ | ----------- | ---------------- |
| deposit   | http://www.crossref.org/schema/X                 | doi_batch   | crossrefX.xsd    |
| resources | http://www.crossref.org/doi_resources_schema/X   | doi_batch   | doi_resourcesX.xsd |
| grant     | http://www.crossref.org/grant_id/X               | doi_batch   | grant_idX.xsd    |
| query     | http://www.crossref.org/qschema/X                | query_batch | crossref_query_inputX.xsd |

Schema files are looked for, in this order of preference for each version:

1. `settings.SCHEMA_INSTALL_DIR/crossref-*/` - the 5.5.0 set installed by scripts/fetch-schemas
   (upstream files, untouched);
2. `settings.CROSSREF_SCHEMA_DIR/crossref-X.Y.Z/` - one folder per version (shared/schema);
3. `settings.CROSSREF_SCHEMA_DIR/crossref-bundle-*/` - Crossref's bundle of every 4.3.x-5.3.x
   deposit schema, doi_resources 4.3.x-4.5.0, grant_id and query schemas.

`-xsd10` twins are never used: XSD 1.1 `xsd:assert` elements, which libxml2 cannot compile,
are removed in memory at load time, and the rules they carried are recorded on the compiled
schema so that validation enforces them in code (schema 5.5.0: deposits/xml/credit.py).

When the document's exact version is not available, the nearest one of the same family is
used (same major version: the newest not above it, else the oldest above it; no same major:
the newest) and the choice is flagged as a fallback, which validation reports as a warning.

Compiling a 4.x/5.x deposit schema takes several seconds (MathML 3 and JATS), so each file is
compiled once per process and kept; validation with one compiled schema is serialised by a
lock because lxml keeps the error log on the schema object.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from lxml import etree

from deposits.xml.resolver import LocalSchemaResolver

logger = logging.getLogger(__name__)

XSD_NS = "http://www.w3.org/2001/XMLSchema"
_VERSION = r"\d+(?:\.\d+)+"


class RootKind(StrEnum):
    DEPOSIT = "deposit"
    RESOURCES = "resources"
    GRANT = "grant"
    QUERY = "query"


@dataclass(frozen=True)
class Family:
    kind: RootKind
    namespace_prefix: str
    root: str
    file_re: re.Pattern

    def namespace(self, version: str) -> str:
        return self.namespace_prefix + version


FAMILIES: tuple[Family, ...] = (
    Family(
        RootKind.DEPOSIT,
        "http://www.crossref.org/schema/",
        "doi_batch",
        re.compile(rf"crossref({_VERSION})\.xsd"),
    ),
    Family(
        RootKind.RESOURCES,
        "http://www.crossref.org/doi_resources_schema/",
        "doi_batch",
        re.compile(rf"doi_resources({_VERSION})\.xsd"),
    ),
    Family(
        RootKind.GRANT,
        "http://www.crossref.org/grant_id/",
        "doi_batch",
        re.compile(rf"grant_id({_VERSION})\.xsd"),
    ),
    Family(
        RootKind.QUERY,
        "http://www.crossref.org/qschema/",
        "query_batch",
        re.compile(rf"crossref_query_input({_VERSION})\.xsd"),
    ),
)
FAMILY_BY_KIND = {family.kind: family for family in FAMILIES}
ROOT_NAMES = frozenset(family.root for family in FAMILIES)


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def family_of(namespace: str | None) -> tuple[Family, str] | None:
    """(family, version) for a Crossref namespace whose version looks like 1.2.3, else None."""
    for family in FAMILIES:
        if namespace and namespace.startswith(family.namespace_prefix):
            version = namespace[len(family.namespace_prefix) :]
            if re.fullmatch(_VERSION, version):
                return family, version
    return None


def is_crossref_namespace(namespace: str | None) -> bool:
    return bool(namespace) and any(namespace.startswith(f.namespace_prefix) for f in FAMILIES)


# --------------------------------------------------------------------------- finding files


@dataclass(frozen=True)
class SchemaFile:
    kind: RootKind
    version: str
    path: Path
    source: str  # "installed", "shared" or "bundle"

    @property
    def label(self) -> str:
        return f"{self.path.name} ({self.source}, {self.path.parent.name}/)"


def _search_roots() -> list[tuple[Path, str]]:
    """Folders holding schema files, most preferred first."""
    roots: list[tuple[Path, str]] = []
    install_dir = Path(settings.SCHEMA_INSTALL_DIR) if settings.SCHEMA_INSTALL_DIR else None
    if install_dir and install_dir.is_dir():
        roots += [
            (folder, "installed") for folder in sorted(install_dir.glob("crossref-*")) if folder.is_dir()
        ]
    shared = Path(settings.CROSSREF_SCHEMA_DIR) if settings.CROSSREF_SCHEMA_DIR else None
    if shared and shared.is_dir():
        folders = sorted(folder for folder in shared.glob("crossref-*") if folder.is_dir())
        roots += [(folder, "shared") for folder in folders if not folder.name.startswith("crossref-bundle-")]
        roots += [
            (folder, "bundle") for folder in reversed(folders) if folder.name.startswith("crossref-bundle-")
        ]
    return roots


def available_schemas(kind: RootKind) -> dict[str, SchemaFile]:
    """Every version of `kind` that a schema file exists for, each with its preferred file."""
    family = FAMILY_BY_KIND[kind]
    found: dict[str, SchemaFile] = {}
    for folder, source in _search_roots():
        for path in sorted(folder.glob("*.xsd")):
            match = family.file_re.fullmatch(path.name)
            if match and match.group(1) not in found:
                found[match.group(1)] = SchemaFile(kind, match.group(1), path, source)
    return found


@dataclass(frozen=True)
class SchemaChoice:
    """The schema picked for a document: what it asked for and what it gets."""

    kind: RootKind
    requested_version: str
    file: SchemaFile

    @property
    def fallback(self) -> bool:
        return self.file.version != self.requested_version

    @property
    def version(self) -> str:
        return self.file.version

    @property
    def namespace(self) -> str:
        return FAMILY_BY_KIND[self.kind].namespace(self.file.version)

    @property
    def label(self) -> str:
        return self.file.label


def nearest_version(requested: str, versions: list[str]) -> str | None:
    """Same major: the newest version not above `requested`, else the oldest above it.
    No version with the same major: the newest of all."""
    if not versions:
        return None
    ordered = sorted(versions, key=version_key)
    wanted = version_key(requested)
    same_major = [v for v in ordered if version_key(v)[0] == wanted[0]]
    if not same_major:
        return ordered[-1]
    not_above = [v for v in same_major if version_key(v) <= wanted]
    return not_above[-1] if not_above else same_major[0]


def choose_schema(kind: RootKind, version: str) -> SchemaChoice | None:
    """The schema for `kind` at `version`, or the nearest available one; None if the
    family has no schema at all on this server."""
    available = available_schemas(kind)
    chosen = version if version in available else nearest_version(version, list(available))
    return SchemaChoice(kind, version, available[chosen]) if chosen else None


# --------------------------------------------------------------------------- compiling

# XSD 1.1 assertions that deposits/xml/credit.py enforces in code, whitespace-normalised.
KNOWN_ASSERTS = frozenset(
    {
        "not(@vocab='crossref') or @type = ( 'author','editor','chair','reviewer','review-assistant',"
        "'stats-reviewer', 'reviewer-external','reader','translator','corresponding-author','other' )",
        "not(@vocab='credit') or @type = ( 'conceptualization','data-curation','formal-analysis',"
        "'funding-acquisition', 'investigation','methodology','project-administration','resources',"
        "'software', 'supervision','validation','visualization', 'writing-original-draft',"
        "'writing-review-editing')",
        "exists(@contributor_role) or exists(*:role)",
    }
)


def _normalise_test(test: str) -> str:
    return " ".join(test.split())


@dataclass
class CompiledSchema:
    file: SchemaFile
    schema: etree.XMLSchema
    removed_asserts: tuple[str, ...] = ()
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def needs_credit_checks(self) -> bool:
        """Schema 5.5.0's CRediT/role assertions were removed: enforce them in code."""
        return bool(self.removed_asserts)

    def validate(self, tree: etree._ElementTree) -> list[etree._LogEntry]:
        with self.lock:
            if self.schema.validate(tree):
                return []
            return list(self.schema.error_log)


class SchemaLoadError(Exception):
    pass


_ASSERT_TAG = re.compile(rb"<(?:[\w.-]+:)?assert(?:ion)?[\s/>]")


class _AssertStrippingResolver(LocalSchemaResolver):
    """Serves local schema files with their xsd:assert elements removed (XSD 1.1, which
    libxml2 cannot compile), keeping what was removed."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.removed: list[str] = []

    def serve_local(self, path: Path, context):
        data = path.read_bytes()
        if not _ASSERT_TAG.search(data):
            return None
        return self.resolve_string(self.strip_asserts(data, str(path)), context, base_url=str(path))

    def strip_asserts(self, data: bytes, base_url: str) -> bytes:
        tree = etree.fromstring(data, _schema_parser(None), base_url=base_url).getroottree()
        if self._strip(tree):
            return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
        return data

    def _strip(self, tree: etree._ElementTree) -> int:
        asserts = list(tree.iter(f"{{{XSD_NS}}}assert", f"{{{XSD_NS}}}assertion"))
        for element in asserts:
            self.removed.append(_normalise_test(element.get("test", "")))
            element.getparent().remove(element)
        return len(asserts)


def _schema_parser(resolver: etree.Resolver | None) -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False, huge_tree=False)
    if resolver is not None:
        parser.resolvers.add(resolver)
    return parser


def compile_schema_file(path: Path) -> tuple[etree.XMLSchema, tuple[str, ...]]:
    """Compile one XSD offline (w3.org imports served from the folder's standard-modules/,
    any other remote URL refused), with XSD 1.1 assertions removed."""
    resolver = _AssertStrippingResolver(path.parent)
    try:
        tree = etree.parse(str(path), _schema_parser(resolver))
        resolver._strip(tree)
        schema = etree.XMLSchema(tree)
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        refused = f" (refused to fetch {', '.join(resolver.refused)})" if resolver.refused else ""
        raise SchemaLoadError(f"{exc}{refused}") from exc
    unknown = [test for test in resolver.removed if test not in KNOWN_ASSERTS]
    if unknown:
        logger.warning("%s: XSD 1.1 assertions removed and NOT enforced in code: %s", path, unknown)
    return schema, tuple(resolver.removed)


_compiled: dict[Path, CompiledSchema] = {}
_compile_lock = threading.Lock()


def load_schema(file: SchemaFile) -> CompiledSchema:
    """The compiled schema for `file`, compiled on first use and kept for the process."""
    key = file.path.resolve()
    cached = _compiled.get(key)
    if cached is not None:
        return cached
    with _compile_lock:
        cached = _compiled.get(key)
        if cached is None:
            schema, removed = compile_schema_file(key)
            cached = _compiled[key] = CompiledSchema(file=file, schema=schema, removed_asserts=removed)
            logger.info("compiled %s", file.label)
        return cached


def schemas_warm_up(kind: RootKind = RootKind.DEPOSIT) -> str | None:
    """Compile the newest schema of `kind` now, so the first deposit a worker takes does
    not wait seconds for it. Returns its label, or None when none is installed."""
    available = available_schemas(kind)
    if not available:
        return None
    newest = max(available, key=version_key)
    return load_schema(available[newest]).file.label
