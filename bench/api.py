"""REST API speed on the bench registry (PostgreSQL `portal_bench`, filled by bench/registry.py):

1. `/api/works/{doi}` requests/s and p50/p99 with wrk at concurrency 16 (random DOIs),
   beside a bare Django JSON view (`/bench-bare-json/{doi}`, no database) in the same run;
   the two are measured alternately, --rounds times, best round of each reported;
2. `query.bibliographic` latency (median, p99) for --queries citation-like strings built
   from random works' titles and years, one request at a time;
3. a cursor harvest (`cursor=*`, rows=1000) of the whole registry (or --harvest-limit
   records): records/s, with the resident memory of the gunicorn workers sampled all along.

    .venv/bin/python bench/registry.py --works 1000000      # once (resolver engineer's script)
    .venv/bin/python bench/api.py                            # gunicorn + wrk (apt-get install wrk)

gunicorn serves the production settings plus the bare view and rate limits lifted (see
bench/api_settings.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wrk_load import redis_url, wrk  # noqa: E402  (bench/ is the script's directory)


def sample_works(count: int) -> tuple[list[tuple[str, str, str]], int]:
    """(doi, title, issued) of about `count` random works, and the registry's size."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM linking_work")
        total = cursor.fetchone()[0]
        percent = min(100.0, 100.0 * count * 3 / max(total, 1))
        cursor.execute(
            f"SELECT doi, title, issued FROM linking_work TABLESAMPLE SYSTEM ({percent}) LIMIT %s", [count]
        )
        rows = cursor.fetchall()
    random.shuffle(rows)
    return rows, total


def fetch(url: str) -> tuple[float, dict]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = json.loads(response.read())
    return time.perf_counter() - started, body


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def search_latency(base: str, works: list[tuple[str, str, str]], count: int) -> list[float]:
    queries = []
    for _doi, title, issued in works:
        words = title.split()[:8]
        if len(words) >= 3:
            queries.append(" ".join(words) + (f" {issued[:4]}" if issued[:4].isdigit() else ""))
        if len(queries) == count:
            break
    for text in queries[:5]:  # warm-up
        fetch(f"{base}/api/works?rows=20&query.bibliographic={urllib.parse.quote(text)}")
    return [
        fetch(f"{base}/api/works?rows=20&query.bibliographic={urllib.parse.quote(t)}")[0] for t in queries
    ]


def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(p) for p in children]


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def harvest(base: str, master: int, limit: int | None) -> dict:
    samples: list[tuple[int, int]] = []  # (records so far, max worker RSS KiB)
    state = {"records": 0, "running": True}

    def sample() -> None:
        while state["running"]:
            samples.append((state["records"], max((rss_kib(p) for p in worker_pids(master)), default=0)))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cursor, seen, started, total = "*", 0, time.perf_counter(), None
    while True:
        _, body = fetch(f"{base}/api/works?rows=1000&cursor={urllib.parse.quote(cursor)}")
        message = body["message"]
        total = message["total-results"]
        if not message["items"]:
            break
        seen += len(message["items"])
        state["records"] = seen
        cursor = message["next-cursor"]
        if limit and seen >= limit:
            break
    elapsed = time.perf_counter() - started
    state["running"] = False
    sampler.join()
    return {"records": seen, "total": total, "seconds": elapsed, "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="portal_bench")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sample", type=int, default=20000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--harvest-limit", type=int, default=0, help="Stop the harvest after this many records."
    )
    parser.add_argument("--rates-only", action="store_true", help="Only the wrk comparison.")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}?conn_max_age=600",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": redis_url(),
    }
    os.environ.update(env)
    import django

    django.setup()
    works, total = sample_works(args.sample)
    if not works:
        sys.exit(f"{args.database} holds no works: run bench/registry.py first")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(w[0] for w in works) + "\n")
        dois_file = handle.name

    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{args.port}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/api/types", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        wrk(base, "/api/works/", dois_file, 3, args.connections)
        wrk(base, "/bench-bare-json/", dois_file, 3, args.connections)
        runs: dict[str, list[dict]] = {"work": [], "bare": []}
        for _ in range(args.rounds):
            runs["bare"].append(wrk(base, "/bench-bare-json/", dois_file, args.seconds, args.connections))
            runs["work"].append(wrk(base, "/api/works/", dois_file, args.seconds, args.connections))
        report_rates(args, total, len(works), runs)
        if args.rates_only:
            return
        try:
            latencies = search_latency(base, works, args.queries)
            print(
                f"query.bibliographic, {len(latencies)} queries one at a time: median "
                f"{statistics.median(latencies) * 1000:.1f} ms, "
                f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms (aim: median under 50 ms)",
                flush=True,
            )
        except urllib.error.HTTPError as error:
            print(f"query.bibliographic: the server answered {error.code}; search not measured", flush=True)
        report_harvest(harvest(base, server.pid, args.harvest_limit or None))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        os.unlink(dois_file)


def report_rates(args, total: int, sampled: int, runs: dict[str, list[dict]]) -> None:
    best = {name: max(results, key=lambda r: r["rate"]) for name, results in runs.items()}
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.node()}, {os.cpu_count()} cores")
    print(
        f"database: {args.database}, {total} works; {sampled} random DOIs; "
        f"gunicorn {args.workers} sync workers"
    )
    print(
        f"wrk: {args.connections} connections, {args.rounds} rounds of {args.seconds} s each, "
        "best round shown"
    )
    for name, label in (("bare", "bare JSON view"), ("work", "/api/works/{doi}")):
        r = best[name]
        rates = ", ".join(f"{x['rate']:.0f}" for x in runs[name])
        errors = int(sum(x["errors"] + x["non2xx3xx"] for x in runs[name]))
        print(
            f"{label:18s} {r['rate']:7.0f} req/s  p50 {r['p50_us'] / 1000:6.1f} ms  "
            f"p99 {r['p99_us'] / 1000:6.1f} ms  (rounds: {rates}; errors {errors})"
        )
    print(f"work / bare: {best['work']['rate'] / best['bare']['rate']:.0%} (aim: at least 50%)", flush=True)


def report_harvest(h: dict) -> None:
    rss = [kib for _, kib in h["samples"] if kib]
    print(
        f"cursor harvest, rows=1000: {h['records']} of {h['total']} records in {h['seconds']:.1f} s = "
        f"{h['records'] / h['seconds']:.0f} records/s"
    )
    if rss:
        quarter = max(1, len(rss) // 4)
        marks = ", ".join(f"{rss[min(i, len(rss) - 1)] / 1024:.0f}" for i in range(0, len(rss) + 1, quarter))
        print(
            f"largest worker RSS during the harvest (MiB, sampled every 0.5 s, at quarters): {marks}; "
            f"min {min(rss) / 1024:.0f}, max {max(rss) / 1024:.0f}"
        )


if __name__ == "__main__":
    main()
