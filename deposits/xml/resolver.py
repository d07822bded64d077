"""Offline resolution of the `schemaLocation`s inside Crossref's XSD files.

Upstream Crossref schemas import the W3C modules (xml.xsd, xlink.xsd, MathML 3) by their
w3.org URLs. Every Crossref schema folder carries local copies under `standard-modules/`,
so at load time we map those URLs to the local files and refuse every other network URL:
compiling a schema must never touch the network. Local files are allowed only inside the
schema's own folder tree.

This module needs neither Django nor settings: scripts/fetch-schemas uses it to check a
freshly installed schema set.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

# URL -> path relative to the schema folder. http and https, both W3C locations of xml.xsd.
_MATHML = "standard-modules/mathml3/mathml3.xsd"
W3C_SCHEMA_LOCATIONS: dict[str, str] = {}
for _scheme in ("http", "https"):
    W3C_SCHEMA_LOCATIONS.update(
        {
            f"{_scheme}://www.w3.org/2001/xml.xsd": "standard-modules/xml.xsd",
            f"{_scheme}://www.w3.org/2009/01/xml.xsd": "standard-modules/xml.xsd",
            f"{_scheme}://www.w3.org/1999/xlink.xsd": "standard-modules/xlink.xsd",
            f"{_scheme}://www.w3.org/Math/XMLSchema/mathml3/mathml3.xsd": _MATHML,
        }
    )

_SCHEMA_LOCATION = re.compile(
    rb"<(?:\w+:)?(?:import|include|redefine)\b[^>]*?schemaLocation\s*=\s*[\"']([^\"']+)"
)


class SchemaLoadRefused(Exception):
    """A schema asked for a resource outside its folder or on the network."""


class LocalSchemaResolver(etree.Resolver):
    """Maps the known w3.org URLs to `root/standard-modules/...`; refuses any other URL
    that is not a file inside `root`. Refused URLs are kept in `refused` for the error."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = Path(root).resolve()
        self.refused: list[str] = []

    def resolve(self, url, pubid, context):
        if url in W3C_SCHEMA_LOCATIONS:
            return self.resolve_filename(str(self.root / W3C_SCHEMA_LOCATIONS[url]), context)
        path = self.local_path(url)
        if path is not None:
            return self.serve_local(path, context)
        self.refused.append(url)
        # lxml turns this into a load failure of the import; nothing is fetched.
        raise SchemaLoadRefused(url)

    def local_path(self, url: str) -> Path | None:
        """The file `url` names, if it is a local file inside the schema folder."""
        parts = urlsplit(url)
        if parts.scheme not in ("", "file"):
            return None
        path = Path(unquote(parts.path) if parts.scheme == "file" else url).resolve()
        return path if path.is_relative_to(self.root) else None

    def serve_local(self, path: Path, context):
        """Hook for subclasses; None lets libxml2 read the file itself."""
        return None


def remote_schema_locations(folder: Path) -> dict[str, list[str]]:
    """Every http(s)/ftp schemaLocation used by an import/include in the .xsd files of
    `folder` (recursively): {file relative to folder: [urls]}."""
    found: dict[str, list[str]] = {}
    for xsd in sorted(Path(folder).rglob("*.xsd")):
        # Comments can hold example imports (xml.xsd documents its own use): drop them.
        text = re.sub(rb"<!--.*?-->", b"", xsd.read_bytes(), flags=re.S)
        urls = [m.decode() for m in _SCHEMA_LOCATION.findall(text) if re.match(rb"(?i)(https?|ftp):", m)]
        if urls:
            found[str(xsd.relative_to(folder))] = urls
    return found


def unresolvable_schema_locations(folder: Path) -> list[str]:
    """Remote schemaLocations in `folder` that the resolver could not serve locally:
    unknown URLs, or known ones whose local copy is missing. Empty means fully offline."""
    folder = Path(folder)
    problems = []
    for name, urls in remote_schema_locations(folder).items():
        for url in urls:
            target = W3C_SCHEMA_LOCATIONS.get(url)
            if target is None:
                problems.append(f"{name}: {url} (no local copy is known for this URL)")
            elif not (folder / target).is_file():
                problems.append(f"{name}: {url} -> {target} (file missing)")
    return problems
