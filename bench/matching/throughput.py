"""References/s against a large registry, in one process or several at once.

The references are built from random works of the large database (on the server of
DATABASE_URL): a titled APA-like string, a title-less one and structured fields in turn.
With several processes each matches an equal share of them concurrently. The processes
are spawned, not forked: each starts its own Django and opens its own database
connection, so no connection is shared with the parent. They warm up, wait for each
other, then the wall time runs until the last share is done.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import time

BARRIER_TIMEOUT = 600  # seconds for every process to start Django and warm up


def references_build(database: str, count: int, rng: random.Random) -> tuple[int, list[str | dict]]:
    """The number of works in `database` and `count` references to random works of it."""
    from django.db import connections

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

    references: list[str | dict] = []
    for n, r in enumerate(rows):
        year = r["issued"][:4]
        if n % 3 == 0:
            container = f"{r['container_title']}, {r['volume']}({r['issue']}), {r['first_page']}"
            references.append(f"{family(r)}, A. ({year}). {r['title']}. {container}.")
        elif n % 3 == 1:
            where = f"{r['container_title']} {r['volume']}, {r['first_page']}"
            references.append(f"A. {family(r)}, {where} ({year}).")
        else:
            fields = {"author": family(r), "year": year, "journal-title": r["container_title"]}
            references.append({**fields, "volume": r["volume"], "first-page": r["first_page"]})
    return total, references


def _matcher_prepare(database: str, warm_with: str | dict) -> None:
    """Point the matcher's default connection at the large registry and warm its caches."""
    from django.db import connections

    from linking.matching.candidates import titles_reset
    from linking.matching.matcher import reference_match

    connections["default"].close()
    connections.databases["default"]["NAME"] = database
    titles_reset()
    reference_match(warm_with)  # the journal-name cache


def _share_match(references: list[str | dict]) -> tuple[int, float]:
    """How many of `references` matched, and the seconds it took."""
    from linking.matching.matcher import reference_match

    clock = time.monotonic()
    found = sum(1 for r in references if reference_match(r) is not None)
    return found, time.monotonic() - clock


def _worker(database: str, references: list, start, results) -> None:
    """One spawned process: its own Django and connection, then its share once all are ready."""
    import django

    django.setup()
    _matcher_prepare(database, references[0])
    start.wait(BARRIER_TIMEOUT)
    found, elapsed = _share_match(references)
    results.put((len(references), found, elapsed))


def _shares_match(database: str, shares: list[list], context) -> tuple[list[tuple[int, int, float]], float]:
    """Run one spawned process per share at once: their (count, found, seconds), and the wall time."""
    start = context.Barrier(len(shares) + 1)
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(database, share, start, results)) for share in shares]
    for worker in workers:
        worker.start()
    start.wait(BARRIER_TIMEOUT)
    clock = time.monotonic()
    done = []
    while len(done) < len(workers):
        try:
            done.append(results.get(timeout=5))
        except queue.Empty:
            # A process that died never reports; stop rather than wait forever.
            if any(w.exitcode not in (None, 0) for w in workers):
                for worker in workers:
                    worker.terminate()
                raise SystemExit("a throughput process failed (its traceback is above)") from None
    wall = time.monotonic() - clock
    for worker in workers:
        worker.join()
    return done, wall


def throughput_run(database: str, count: int, rng: random.Random, processes: int = 1) -> None:
    """Print references/s on `database` with `processes` processes matching at once."""
    from django.db import connections

    total, references = references_build(database, count, rng)
    processes = max(1, min(processes, len(references)))
    if processes == 1:
        _matcher_prepare(database, references[0])
        found, wall = _share_match(references)
        runs = [(len(references), found, wall)]
        how = "one process"
    else:
        # Interleaved shares keep the mix of titled, title-less and structured in each.
        shares = [references[i::processes] for i in range(processes)]
        connections.close_all()  # the workers open their own; nothing of ours stays idle
        runs, wall = _shares_match(database, shares, multiprocessing.get_context("spawn"))
        found = sum(f for _, f, _ in runs)
        how = f"{processes} processes at once on equal shares"
    print(
        f"\nthroughput on {database} ({total} works): {len(references)} references in {wall:.1f}s = "
        f"{len(references) / wall:.1f} references/s ({how}; titled, title-less and structured in turn; "
        f"{found} matched)"
    )
    if processes > 1:
        for n, matched, elapsed in runs:
            rate = n / elapsed
            print(
                f"  a process: {n} references in {elapsed:.1f}s = {rate:.1f} references/s, {matched} matched"
            )
