"""Resolver throughput: redirects/s and p99 latency of `/<doi>` against a bare Django view
returning the same 302 without a lookup, in the same run, with wrk at concurrency 16.

    .venv/bin/python bench/registry.py --works 1000000      # once: fills portal_bench
    .venv/bin/python bench/resolver.py                       # gunicorn + wrk (apt-get install wrk)

gunicorn serves the production settings (plus one bench-only URL, see
bench/resolver_settings.py) from the `portal_bench` database with --workers sync workers.
Each request asks for a random DOI out of --sample DOIs drawn from the database. The two
targets are measured alternately, --rounds times each, and the best round of each is
reported (the machine is shared; the best round is the least disturbed one). With
REDIS_URL set (default redis://127.0.0.1:6379/0 if it answers) resolution counts go to
Redis as in production; the script flushes them at the end and prints how many arrived.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wrk_load import redis_url, wrk  # noqa: E402  (bench/ is the script's directory)


def sample_dois(count: int) -> tuple[list[str], int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM linking_work")
        total = cursor.fetchone()[0]
        percent = min(100.0, 100.0 * count * 3 / max(total, 1))
        # Single-URL DOIs only: the multiple-resolution page is a page, not a redirect.
        cursor.execute(
            f"SELECT doi FROM linking_work w TABLESAMPLE SYSTEM ({percent}) WHERE url <> '' AND NOT EXISTS "
            "(SELECT 1 FROM linking_resourceurl r WHERE r.work_id = w.id AND r.kind <> 'primary') LIMIT %s",
            [count],
        )
        dois = [row[0] for row in cursor.fetchall()]
    return dois, total


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
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    redis = redis_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.resolver_settings",
        # Persistent connections, as a production deployment sets them (see docs/incoming/resolver.md).
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}?conn_max_age=600",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": redis,
    }
    os.environ.update({k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"})
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.resolver_settings"
    import django

    django.setup()
    dois, total = sample_dois(args.sample)
    if not dois:
        sys.exit(f"{args.database} holds no works: run bench/registry.py first")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(dois) + "\n")
        dois_file = handle.name

    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "portal.wsgi",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{args.port}",
            "--log-level=warning",
            "--access-logfile=-"
            if os.environ.get("BENCH_ACCESS_LOG")
            else "--disable-redirect-access-to-syslog",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        # Warm every worker (connections, imports) before measuring.
        wrk(base, "/", dois_file, 3, args.connections)
        wrk(base, "/bench-bare/", dois_file, 3, args.connections)
        runs: dict[str, list[dict]] = {"resolver": [], "bare": []}
        for _ in range(args.rounds):
            runs["bare"].append(wrk(base, "/bench-bare/", dois_file, args.seconds, args.connections))
            runs["resolver"].append(wrk(base, "/", dois_file, args.seconds, args.connections))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        os.unlink(dois_file)

    best = {name: max(results, key=lambda r: r["rate"]) for name, results in runs.items()}
    from linking.resolver.counts import counts_flush

    flushed = counts_flush() if redis else None
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.node()}, {os.cpu_count()} cores")
    print(
        f"database: {args.database}, {total} works; {len(dois)} random DOIs; "
        f"gunicorn {args.workers} sync workers"
    )
    print(
        f"wrk: {args.connections} connections, {args.rounds} rounds of {args.seconds} s each, "
        "best round shown"
    )
    for name in ("bare", "resolver"):
        r = best[name]
        rates = ", ".join(f"{x['rate']:.0f}" for x in runs[name])
        errors = int(sum(x["errors"] + x["non2xx3xx"] for x in runs[name]))
        print(
            f"{name:9s} {r['rate']:7.0f} redirects/s  p50 {r['p50_us'] / 1000:6.1f} ms  "
            f"p99 {r['p99_us'] / 1000:6.1f} ms  (rounds: {rates}; errors {errors})"
        )
    print(f"resolver / bare: {best['resolver']['rate'] / best['bare']['rate']:.0%} (aim: at least 70%)")
    if flushed is not None:
        print(f"resolution counts flushed from Redis to the database: {flushed}")


if __name__ == "__main__":
    main()
