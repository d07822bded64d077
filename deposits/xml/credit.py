"""The three XSD 1.1 assertions of Crossref schema 5.5.0, enforced in code.

libxml2 implements XSD 1.0 only, so the schema registry removes `xsd:assert` elements before
compiling (deposits/xml/schemas.py) and validation calls `check_credit_roles` for every
schema that had them. The rules, read from crossref5.5.0.xsd:

1. on `role`: `not(@vocab='crossref') or @type = ('author', ..., 'other')`
2. on `role`: `not(@vocab='credit') or @type = ('conceptualization', ..., 'writing-review-editing')`
   - in XPath 2.0 a general comparison with an absent @type is false, so a role with a
     vocab but no type also breaks these rules;
3. on `person_name`: `exists(@contributor_role) or exists(*:role)` - a person needs the
   contributor_role attribute or at least one <role> child (any namespace). The rule is on
   person_name only: <organization> and <anonymous> need neither.

(Upstream's xerces:message texts of rules 1 and 2 are swapped: each names the other
vocabulary. Our messages name the vocabulary that was actually chosen.)
"""

from __future__ import annotations

from lxml import etree

from deposits.errors import DepositProblem, ErrorCode, problem
from deposits.xml.paths import element_path, local_name, record_doi

CROSSREF_ROLES = (
    "author",
    "editor",
    "chair",
    "reviewer",
    "review-assistant",
    "stats-reviewer",
    "reviewer-external",
    "reader",
    "translator",
    "corresponding-author",
    "other",
)
CREDIT_ROLES = (
    "conceptualization",
    "data-curation",
    "formal-analysis",
    "funding-acquisition",
    "investigation",
    "methodology",
    "project-administration",
    "resources",
    "software",
    "supervision",
    "validation",
    "visualization",
    "writing-original-draft",
    "writing-review-editing",
)
VOCABULARIES = {"crossref": CROSSREF_ROLES, "credit": CREDIT_ROLES}


def check_credit_roles(doc: etree._ElementTree | etree._Element) -> list[DepositProblem]:
    """Problems with roles and contributor roles in a schema-5.5.0-style deposit, in
    document order. Only elements in the root element's namespace are checked (JATS has
    a <role> of its own)."""
    root = doc.getroot() if isinstance(doc, etree._ElementTree) else doc
    namespace = etree.QName(root).namespace
    found = []
    for element in root.iter(f"{{{namespace}}}role" if namespace else "role", f"{{{namespace}}}person_name"):
        if local_name(element) == "role":
            found += _check_role(element)
        elif element.get("contributor_role") is None and not any(
            isinstance(child.tag, str) and local_name(child) == "role" for child in element
        ):
            found.append(
                problem(
                    ErrorCode.CONTRIBUTOR_ROLE_MISSING,
                    line=element.sourceline,
                    path=element_path(element),
                    doi=record_doi(element),
                )
            )
    return found


def _check_role(role: etree._Element) -> list[DepositProblem]:
    vocab, role_type = role.get("vocab"), role.get("type")
    allowed = VOCABULARIES.get(vocab or "")
    if allowed is None or role_type in allowed:
        return []  # an unknown vocab is the schema's to report (an enumeration)
    other = next((name for name, values in VOCABULARIES.items() if role_type in values), None)
    hint = f' (here vocab="{other}")' if other and other != vocab else ""
    return [
        problem(
            ErrorCode.ROLE_NOT_IN_VOCAB,
            line=role.sourceline,
            path=element_path(role) + "/@type",
            doi=record_doi(role),
            type=role_type if role_type is not None else "(missing)",
            vocab=vocab,
            allowed=", ".join(allowed),
            hint=hint,
        )
    ]
