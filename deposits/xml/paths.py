"""Where an element sits in a deposit, in words a depositor can follow."""

from __future__ import annotations

from lxml import etree

# Bodies of resource-only deposits name their DOI in a direct <doi> child.
_RESOURCE_BODIES = frozenset(
    {
        "doi_citations",
        "doi_resources",
        "fundref_data",
        "lic_ref_data",
        "crossmark_data",
        "doi_relations",
        "clinicaltrial_data",
    }
)


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def element_path(element: etree._Element) -> str:
    """`/doi_batch/body/journal/journal_article[2]/titles`: local names (namespaces
    stripped), with a 1-based position where siblings share the name."""
    parts = []
    node = element
    while node is not None:
        name = local_name(node)
        parent = node.getparent()
        if parent is not None:
            same = [s for s in parent if isinstance(s.tag, str) and local_name(s) == name]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def record_doi(element: etree._Element) -> str | None:
    """The DOI of the record `element` belongs to: the nearest ancestor-or-self with a
    doi_data/doi (or, in a resource-only deposit, a direct doi), else None."""
    for node in (element, *element.iterancestors()):
        if not isinstance(node.tag, str) or local_name(node) == "citation":
            continue
        for child in node:
            if not isinstance(child.tag, str):
                continue
            name = local_name(child)
            if name == "doi_data":
                doi = child.find("{*}doi")
                if doi is not None and doi.text and doi.text.strip():
                    return doi.text.strip()
            elif name == "doi" and local_name(node) in _RESOURCE_BODIES and child.text:
                return child.text.strip()
    return None
