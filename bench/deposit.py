"""Deposit throughput: a generated deposit of N journal articles with R references each,
from accepted (queued) to completed log.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/deposit.py --articles 10000 --references 30

With REDIS_URL set the script starts a real Celery worker (one process) on the deposit
queue and measures through it; without it, tasks run in-process. It prints records/s and
the worker's peak memory (max RSS). The database must exist; the script migrates it and
adds its own member. It uses its own queues (`bench`, `bench-matching`) and empties them
at the end.

`--second-deposit N` also starts a matching worker and, once the big deposit is done and
its references are being matched, sends a deposit of N articles and times it: it must not
wait behind the matching.

The 200 MB case (streamed: files above DEPOSIT_STREAM_BYTES are never held whole):

    ... bench/deposit.py --megabytes 200 --references 30
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
os.environ.setdefault("CELERY_QUEUE", "bench")
os.environ.setdefault("CELERY_MATCHING_QUEUE", "bench-matching")


def start_worker(queue: str, name: str) -> subprocess.Popen:
    command = [str(ROOT / ".venv/bin/celery"), "-A", "portal", "worker", "--concurrency=1"]
    command += ["--loglevel=WARNING", "-n", f"{name}@%h", "-Q", queue]
    # As in production: with DEBUG on, Django keeps every query a task makes (up to 9,000).
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "DEBUG": "false"})


def worker_peak_mb(pid: int) -> float:
    """The largest VmHWM among the worker and its pool processes, read while they run.
    Not RUSAGE_CHILDREN: a child forked from this script keeps this script's high-water
    mark (the generated file) through exec, and getrusage reports that."""
    peaks = []
    for process in [str(pid), *Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        for line in Path(f"/proc/{process}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def wait_finished(submission):
    from deposits.models import Submission

    while True:
        submission = Submission.objects.get(pk=submission.pk)
        if submission.is_finished:
            return submission
        time.sleep(0.2)


def generate(articles: int, references: int, prefix: str, timestamp: int) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<doi_batch xmlns="http://www.crossref.org/schema/5.5.0" version="5.5.0"><head>'
        f"<doi_batch_id>bench-{timestamp}</doi_batch_id><timestamp>{timestamp}</timestamp>"
        "<depositor><depositor_name>Bench</depositor_name><email_address>bench@example.org</email_address>"
        "</depositor><registrant>Bench</registrant></head><body>"
    ]
    per_issue = 50
    for start in range(0, articles, per_issue):
        parts.append(
            '<journal><journal_metadata language="en"><full_title>Journal of Benchmarks</full_title>'
            '<issn media_type="print">1234-5679</issn></journal_metadata><journal_issue>'
            '<publication_date media_type="online"><year>2024</year></publication_date>'
            f"<journal_volume><volume>{start // per_issue + 1}</volume></journal_volume><issue>1</issue>"
            "</journal_issue>"
        )
        for number in range(start, min(start + per_issue, articles)):
            refs = "".join(
                f'<citation key="ref{r}"><journal_title>Annals of Testing</journal_title>'
                f"<author>Author{r}</author><volume>{r % 40 + 1}</volume><first_page>{r * 7 + 1}</first_page>"
                f"<cYear>{1990 + r % 30}</cYear></citation>"
                for r in range(references)
            )
            parts.append(
                '<journal_article publication_type="full_text">'
                f"<titles><title>Generated article {number} on throughput</title></titles>"
                '<contributors><person_name sequence="first" contributor_role="author">'
                f"<given_name>Ada</given_name><surname>Tester{number}</surname></person_name></contributors>"
                '<publication_date media_type="online"><month>5</month><year>2024</year></publication_date>'
                f"<pages><first_page>{number + 1}</first_page></pages>"
                f"<doi_data><doi>{prefix}/bench.{timestamp}.{number}</doi>"
                f"<resource>https://bench.example/{number}</resource></doi_data>"
                + (f"<citation_list>{refs}</citation_list>" if references else "")
                + "</journal_article>"
            )
        parts.append("</journal>")
    parts.append("</body></doi_batch>")
    return "".join(parts).encode()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--references", type=int, default=30)
    parser.add_argument("--prefix", default="10.99999")
    parser.add_argument(
        "--second-deposit",
        type=int,
        default=0,
        metavar="N",
        help="after the big deposit, time a deposit of N articles while its references are matched",
    )
    parser.add_argument(
        "--megabytes",
        type=float,
        default=0,
        help="generate as many articles as make a file of about this size (overrides --articles)",
    )
    args = parser.parse_args()
    if args.megabytes:
        per_article = len(generate(100, args.references, args.prefix, 1)) / 100
        args.articles = int(args.megabytes * 1e6 / per_article)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import Organisation, Prefix
    from accounts.services import organisation_create, prefix_assign
    from deposits.services import IncomingFile, submission_create

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.filter(member_id=999999).first() or organisation_create(
        name="Bench Press", member_id=999999, actor=None
    )
    if not Prefix.objects.filter(value=args.prefix).exists():
        prefix_assign(organisation=organisation, value=args.prefix, actor=None)

    timestamp = int(time.time() * 1000)
    content = generate(args.articles, args.references, args.prefix, timestamp)
    print(f"deposit: {args.articles} articles x {args.references} references, {len(content) / 1e6:.1f} MB")

    workers = []
    if settings.REDIS_URL:
        workers.append(start_worker(settings.CELERY_TASK_DEFAULT_QUEUE, "bench-deposits"))
        if args.second_deposit:
            workers.append(start_worker(settings.MATCHING_QUEUE, "bench-matching"))
        time.sleep(5)
    second = None
    try:
        started = time.perf_counter()
        submission = submission_create(
            organisation=organisation,
            upload=IncomingFile(name="bench.xml", content=content),
            channel="command",
        )
        submission = wait_finished(submission)
        elapsed = time.perf_counter() - started
        if args.second_deposit:
            small = generate(args.second_deposit, args.references, args.prefix, timestamp + 1)
            second_started = time.perf_counter()
            second = wait_finished(
                submission_create(
                    organisation=organisation,
                    upload=IncomingFile(name="second.xml", content=small),
                    channel="command",
                )
            )
            second_elapsed = time.perf_counter() - second_started
    finally:
        peak = worker_peak_mb(workers[0].pid) if workers else 0.0
        for worker in workers:
            worker.terminate()
            worker.wait()
        if settings.REDIS_URL:
            import redis

            backlog = redis.Redis.from_url(settings.REDIS_URL)
            waiting = backlog.llen(settings.MATCHING_QUEUE)
            backlog.delete(settings.CELERY_TASK_DEFAULT_QUEUE, settings.MATCHING_QUEUE)
            print(f"matching tasks still queued at the end (discarded): {waiting}")
    worker = bool(workers)
    if not worker:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # includes the generated file
    print(
        f"status: {submission.status}; success {submission.success_count}, failure {submission.failure_count}"
    )
    print(f"elapsed {elapsed:.1f} s; {submission.record_count / elapsed:.0f} records/s")
    print(f"peak memory (max RSS) of the {'worker' if worker else 'process'}: {peak:.0f} MB")
    streamed = len(content) > getattr(settings, "DEPOSIT_STREAM_BYTES", 16 * 1024 * 1024)
    print(f"read as: {'two streaming passes (deposits/xml/stream.py)' if streamed else 'one tree'}")
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    if second is not None:
        print(
            f"second deposit of {args.second_deposit} articles while matching ran: {second.status}, "
            f"{second_elapsed:.1f} s from queued to completed"
        )


if __name__ == "__main__":
    main()
