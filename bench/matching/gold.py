"""The real gold sets in ../shared/data/crossref-sample/reference-matching/."""

from __future__ import annotations

import gzip
import json
import random
from collections import defaultdict

from bench.matching import SHARED
from bench.matching.score import Score, scores_print

# (input: a string or structured fields, gold DOI(s) or None)
GoldItem = tuple[object, object]


def _load(name: str):
    with gzip.open(SHARED / "reference-matching" / name, "rt") as handle:
        return json.load(handle)


def gold_sets_load(limit: int, rng: random.Random) -> dict[str, list[GoldItem]]:
    """A seeded sample of at most `limit` references from each gold set, DOIs taken out."""
    sets: dict[str, list[GoldItem]] = {}
    real = []
    for item in _load("rme-real-references-overall_2k.json.gz"):
        reference = {
            k: v
            for k, v in item["reference"].items()
            if k not in ("DOI", "key", "doi-asserted-by", "source_DOI")
        }
        gold = item.get("gt")
        gold = (gold[0] if gold else None) if isinstance(gold, list) else gold
        text = reference.pop("unstructured", None)
        if reference or text:
            real.append(
                (
                    text
                    if text and len(reference) <= 0
                    else (reference | ({"unstructured_citation": text} if text else {})),
                    gold,
                )
            )
    sets["real-2k (structured+unstructured)"] = real
    sets["structured-sbmv-2k"] = [
        ({k: v for k, v in i["reference"].items() if k != "DOI"}, (i.get("target_gt") or {}).get("DOI"))
        for i in _load("rme-structured-dataset_sbmv.json.gz")["dataset"]
    ]
    for name in ("apa", "degraded_title_scrambled"):
        sets[f"synthetic-{name}"] = [
            (i["ref_string"], (i.get("target_gt") or {}).get("DOI"))
            for i in _load(f"rme-unstructured-dataset-{name}.json.gz")["dataset"]
        ]
    for name, items in sets.items():
        rng.shuffle(items)
        sets[name] = items[:limit]
    return sets


def gold_sets_evaluate(limit: int, rng: random.Random, registry_dois: set[str]) -> list[dict]:
    """Score the gold sets: a reference counts for recall only when its target is among
    `registry_dois`; any link made for the others counts against precision. Returns the errors."""
    from linking.matching.matcher import reference_match

    scores: dict[str, Score] = defaultdict(Score)
    errors = []
    for name, items in gold_sets_load(limit, rng).items():
        for value, gold in items:
            gold = (gold[0] if gold else None) if isinstance(gold, list) else gold
            gold = (gold or "").lower() or None
            in_registry = gold if gold and gold in registry_dois else None
            found = reference_match(value)
            got = found.doi if found else None
            outcome = scores[name].add(in_registry, got)
            if outcome in ("wrong", "spurious", "missed"):
                errors.append(
                    {"outcome": outcome, "labels": [name], "input": value, "gold": gold, "got": got}
                )
    print("\nreal gold sets (targets outside our registry must give no match):")
    scores_print(scores)
    return errors
