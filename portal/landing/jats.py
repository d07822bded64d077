"""JATS abstracts as safe HTML: a small allow-list of elements becomes HTML, everything else
becomes its escaped text. Nothing from the deposit reaches the page unescaped."""

from __future__ import annotations

import html
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from lxml import etree

ELEMENTS = {
    "p": "p",
    "italic": "em",
    "bold": "strong",
    "sup": "sup",
    "sub": "sub",
    "sc": "span",
    "underline": "u",
    "monospace": "code",
    "list": "ul",
    "list-item": "li",
    "title": "h3",
    "break": "br",
}
DROPPED = {"label", "object-id"}  # numbering and ids around a title add nothing to read
_parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _html(element: etree._Element, out: list[str]) -> None:
    name = _local(element.tag)
    if name in DROPPED or not isinstance(element.tag, str):
        if element.tail:
            out.append(escape(element.tail))
        return
    tag = ELEMENTS.get(name)
    if tag == "br":
        out.append("<br>")
    elif tag:
        out.append(f"<{tag}>")
    if element.text:
        out.append(escape(element.text))
    for child in element:
        _html(child, out)
    if tag and tag != "br":
        out.append(f"</{tag}>")
    if element.tail:
        out.append(escape(element.tail))


def abstract_html(jats: str) -> SafeString:
    """HTML for a deposited abstract (JATS, with or without its namespace prefix)."""
    if not jats.strip():
        return mark_safe("")
    wrapped = (
        '<abstract xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1" xmlns:mml="http://www.w3.org/1998/Math/MathML"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink">' + jats + "</abstract>"
    )
    try:
        root = etree.fromstring(wrapped.encode(), _parser)
    except etree.XMLSyntaxError:
        text = html.unescape(re.sub(r"<[^>]*>", " ", jats))
        return mark_safe(f"<p>{escape(' '.join(text.split()))}</p>")
    out: list[str] = []
    if root.text and root.text.strip():
        out.append(escape(root.text))
    for child in root:
        _html(child, out)
    result = "".join(out).strip()
    if not result.startswith(("<p>", "<h3>")):
        result = f"<p>{result}</p>"
    return mark_safe(result)
