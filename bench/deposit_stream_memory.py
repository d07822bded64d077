"""Peak memory of reading a large deposit the streaming way (deposits/xml/stream.py):
validation pass and record pass over a generated file of the given size, no database.

    .venv/bin/python bench/deposit_stream_memory.py --megabytes 200 --references 30

Prints each pass's time and the process's peak RSS, next to the size of the file. The
worker adds what one batch of REGISTER_BATCH records costs to register (see bench/deposit.py
for the whole pipeline through a real worker).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--megabytes", type=float, default=200)
    parser.add_argument("--references", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from deposit import generate

    from deposits.xml.stream import stream_records, stream_validate

    per_article = len(generate(100, args.references, "10.99999", 1)) / 100
    articles = int(args.megabytes * 1e6 / per_article)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.xml"
        with path.open("wb") as handle:  # written in slices, so the generator's copy stays small
            step = 2000
            for start in range(0, articles, step):
                part = generate(min(step, articles - start), args.references, "10.99999", 1 + start)
                head, _, rest = part.partition(b"<body>")
                body = rest.rsplit(b"</body>", 1)[0]
                if start == 0:
                    handle.write(head + b"<body>")
                handle.write(body)
            handle.write(b"</body></doi_batch>")
        size = path.stat().st_size
        print(f"file: {articles} articles x {args.references} references, {size / 1e6:.0f} MB")
        print(f"peak RSS before reading: {peak_mb():.0f} MB")
        started = time.perf_counter()
        streamed = stream_validate(path)
        assert streamed is not None and streamed.result.ok, streamed.result.problems[:3] if streamed else None
        print(
            f"validation pass: {time.perf_counter() - started:.1f} s, {streamed.doi_count} DOIs;",
            f"peak {peak_mb():.0f} MB",
        )
        started = time.perf_counter()
        count = sum(1 for _ in stream_records(path, kind="deposit", namespace=streamed.result.namespace))
        elapsed = time.perf_counter() - started
        print(
            f"record pass: {elapsed:.1f} s, {count} records ({count / elapsed:.0f}/s);",
            f"peak {peak_mb():.0f} MB",
        )


if __name__ == "__main__":
    main()
