"""Search latency over the generated registry (PostgreSQL).

    .venv/bin/python bench/search.py                       # database portal_bench_search
    .venv/bin/python bench/search.py --database portal_bench --rounds 100

Fill the database first with bench/search_registry.py (fast, COPY) or bench/registry.py
(through registration; then run `manage.py search_reindex` if it was filled before the
search backend existed). Each kind of query runs `--rounds` times with different words
drawn from the generator's vocabulary; the figures are wall-clock milliseconds per query
from this process, as the web process would see them (the database on the same host):

- title words: two or three title words, the first page (20, best first) as /search shows it
- title words + count: the same plus the total count of matches
- author + year: `query.author=<family>` with the works of one year, first page
- citation string: a whole reference string of a bench work, top 20 candidates as the
  matcher asks (`work_candidates`); also how often the cited work comes first
- rare term: a DOI-number token that one work holds, first page
- facet counts: every facet of /search for a title-words query (type, year, member,
  journal, funder, licence, has-references/abstract/ORCID, update type)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")

from bench import registry, search_registry  # noqa: E402


def timed(run: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = run()
    return (time.perf_counter() - began) * 1000, result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def citation_of(number: int) -> str:
    """A reference string for bench work `number`, as it is stored (bench/search_registry.py
    registers the first 2000 works from bench/registry.py and writes the rest itself)."""
    if number < 2000:
        record = registry.work(number).to_json()
    else:
        record = search_registry.fast_work(number)
    people = record["contributors"]
    authors = ", ".join(f"{c['family']} {c['given'][:1]}" for c in people[:3])
    container = record["container"]["titles"][0] if record["container"] else ""
    return (
        f"{authors}{' et al' if len(people) > 3 else ''}. {record['titles'][0]}. {container}. "
        f"{record['issued']['year']};{record['volume']}({record['issue']}):{record['first_page']}."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="portal_bench_search")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    os.environ.pop("REDIS_URL", None)

    import django

    django.setup()
    from django.db import connection

    from linking.models import Work
    from linking.search import work_candidates, works_matching
    from portal.discovery.selectors import SearchRequest, works_facet_counts, works_searched

    rng = random.Random(args.seed)
    total = Work.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM linking_search")
        indexed = cursor.fetchone()[0]
        cursor.execute("SELECT docs FROM linking_search_term WHERE term = ''")
        counted = cursor.fetchone()
    numbers = Work.objects.filter(doi__contains="/bench.").count()
    print(
        f"{args.database}: {total} works, {indexed} indexed, token counts for {counted[0] if counted else 0}"
    )
    if not indexed:
        sys.exit("The search index is empty: run `manage.py search_reindex` against this database first.")

    def words(n: int) -> str:
        return " ".join(rng.sample(registry.WORDS, n))

    def page(works):
        return list(works.order_by("-relevance", "pk").values_list("pk", "relevance")[:20])

    def title_words():
        return page(works_matching(Work.objects.all(), words(rng.choice((2, 3)))))

    def title_words_count():
        works = works_matching(Work.objects.all(), words(rng.choice((2, 3))))
        return page(works), works.count()

    def author_year():
        works = works_matching(Work.objects.all(), rng.choice(registry.FAMILY), field="author")
        return page(works.filter(issued__startswith=f"{rng.randint(1995, 2025)}-"))

    hits = {"first": 0, "asked": 0}

    def citation():
        number = rng.randrange(numbers)
        found = work_candidates(citation_of(number), limit=20)
        hits["asked"] += 1
        if found and Work.objects.filter(pk=found[0][0], doi=registry.doi_of(number)).exists():
            hits["first"] += 1
        return found

    def rare_term():
        return page(works_matching(Work.objects.all(), f"{rng.randrange(numbers):07d}"))

    def facets():
        request = SearchRequest(text=words(2))
        works = works_searched(request)
        return works_facet_counts(works, works.count())

    kinds = {
        "title words (page of 20)": title_words,
        "title words + count": title_words_count,
        "author + year (page of 20)": author_year,
        "citation string (top 20 candidates)": citation,
        "rare term (page of 20)": rare_term,
        "facet counts (title-words query)": facets,
    }
    print(f"{'query':40} {'median ms':>10} {'p99 ms':>10} {'max ms':>10}")
    for name, run in kinds.items():
        rounds = max(10, args.rounds // 5) if name.startswith("facet") else args.rounds
        run()  # warm the plan cache and the pages this kind touches
        times = [timed(run)[0] for _ in range(rounds)]
        print(
            f"{name:40} {statistics.median(times):10.1f} {percentile(times, 0.99):10.1f} {max(times):10.1f}",
            flush=True,
        )
    print(f"citation strings whose own work came first: {hits['first']}/{hits['asked']}")


if __name__ == "__main__":
    main()
