"""Work type ids and labels, in the order `/types` lists them (spec 4.3)."""

from __future__ import annotations

TYPE_LABELS = {
    "book-section": "Book Section",
    "monograph": "Monograph",
    "report-component": "Report Component",
    "report": "Report",
    "peer-review": "Peer Review",
    "book-track": "Book Track",
    "journal-article": "Journal Article",
    "book-part": "Part",
    "other": "Other",
    "book": "Book",
    "journal-volume": "Journal Volume",
    "book-set": "Book Set",
    "reference-entry": "Reference Entry",
    "proceedings-article": "Proceedings Article",
    "journal": "Journal",
    "component": "Component",
    "book-chapter": "Book Chapter",
    "proceedings-series": "Proceedings Series",
    "report-series": "Report Series",
    "proceedings": "Proceedings",
    "database": "Database",
    "standard": "Standard",
    "reference-book": "Reference Book",
    "posted-content": "Posted Content",
    "journal-issue": "Journal Issue",
    "dissertation": "Dissertation",
    "grant": "Grant",
    "dataset": "Dataset",
    "book-series": "Book Series",
    "edited-book": "Edited Book",
}
TYPE_IDS = list(TYPE_LABELS)


def type_label(type_id: str) -> str:
    return TYPE_LABELS.get(type_id) or type_id.replace("-", " ").title()
