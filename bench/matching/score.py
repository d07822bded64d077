"""Link-level scores as Crossref measures them, their tables and the threshold sweep."""

from __future__ import annotations

import math

# (kind, gold DOI, best candidate's DOI, its confidence, its method), one per matched reference
SweepRow = tuple[str, str | None, str | None, float, str]
THRESHOLDS = (0.4, 0.5, 0.55, 0.6, 0.62, 0.65, 0.7, 0.72, 0.75, 0.8, 0.85)


class Score:
    def __init__(self):
        self.correct = self.wrong = self.missed = self.spurious = self.negatives = self.positives = 0

    def add(self, gold: str | None, got: str | None) -> str:
        if gold:
            self.positives += 1
            if got == gold:
                self.correct += 1
                return "correct"
            if got:
                self.wrong += 1
                return "wrong"
            self.missed += 1
            return "missed"
        self.negatives += 1
        if got:
            self.spurious += 1
            return "spurious"
        return "correct-none"

    def figures(self) -> dict:
        links = self.correct + self.wrong + self.spurious
        p = self.correct / links if links else 1.0
        r = self.correct / self.positives if self.positives else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f05 = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
        half = 1.96 * math.sqrt(p * (1 - p) / links) if links else 0.0
        return {
            "n": self.positives + self.negatives,
            "P": round(p, 4),
            "P±": round(half, 4),
            "R": round(r, 4),
            "F1": round(f1, 4),
            "F0.5": round(f05, 4),
            "wrong": self.wrong,
            "spurious": self.spurious,
        }


def scores_print(scores: dict[str, Score]) -> None:
    print(
        f"{'stratum':55} {'n':>6} {'P':>7} {'±':>6} {'R':>7} {'F1':>7} {'F0.5':>7} {'wrong':>6} {'spur':>6}"
    )
    for label in sorted(scores, key=lambda s: (s != "overall", s)):
        f = scores[label].figures()
        print(
            f"{label:55} {f['n']:>6} {f['P']:>7} {f['P±']:>6} {f['R']:>7} {f['F1']:>7} {f['F0.5']:>7} "
            f"{f['wrong']:>6} {f['spurious']:>6}"
        )


def sweep_print(sweep: list[SweepRow]) -> None:
    """F1 and precision at other validation thresholds (shortcut matches by DOI/ISBN stay)."""
    print("\nthreshold sweep (validated matches only; DOI/ISBN shortcuts always kept):")
    for kind in ("titled", "titleless", "structured"):
        rows = [s for s in sweep if s[0] == kind]
        line = []
        for threshold in THRESHOLDS:
            score = Score()
            for _, gold, best, confidence, method in rows:
                keep = best if best and (method in ("doi", "isbn") or confidence >= threshold) else None
                score.add(gold, keep)
            f = score.figures()
            line.append(f"{threshold}: P{f['P']} R{f['R']} F1 {f['F1']}")
        print(f"  {kind:11}", " | ".join(line))
