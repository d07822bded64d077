"""Matching the rendered references: scores per stratum, the sweep, the errors to read."""

from __future__ import annotations

import json
import time
from collections import defaultdict

from bench.matching import ROOT
from bench.matching.render import Case
from bench.matching.score import Score, SweepRow, scores_print, sweep_print

ERRORS = ROOT / "var" / "bench-matching-errors.jsonl"


def cases_evaluate(cases: list[Case]) -> list[dict]:
    """Match every case, print its speed, the table per stratum and the threshold sweep;
    return the errors (wrong, missed and spurious links)."""
    from linking.matching.matcher import citation_outcome, citation_parse

    scores: dict[str, Score] = defaultdict(Score)
    errors = []
    sweep: list[SweepRow] = []
    clock = time.monotonic()
    for labels, value, gold in cases:
        outcome_ = citation_outcome(citation_parse(value))
        found = outcome_.match
        got = found.doi if found else None
        best = outcome_.best
        sweep.append(
            (
                "structured"
                if isinstance(value, dict)
                else ("titleless" if "titleless" in labels else "titled"),
                gold,
                best.doi if best else None,
                best.confidence if best else 0.0,
                best.method if best else "",
            )
        )
        for label in ["overall", *labels]:
            outcome = scores[label].add(gold, got)
        if outcome in ("wrong", "missed", "spurious"):
            errors.append({"outcome": outcome, "labels": labels, "input": value, "gold": gold, "got": got})
    elapsed = time.monotonic() - clock
    print(f"\nmatched {len(cases)} references in {elapsed:.1f}s: {len(cases) / elapsed:.1f} references/s\n")
    scores_print(scores)
    sweep_print(sweep)
    return errors


def errors_write(errors: list[dict]) -> None:
    ERRORS.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in errors) + "\n")
    print(f"\n{len(errors)} errors written to {ERRORS}")
