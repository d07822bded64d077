"""What the HTTP benchmarks share: the Redis check and a wrk run over random DOIs."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return ""
    return url


def wrk(url: str, prefix: str, dois_file: str, seconds: int, connections: int) -> dict[str, float]:
    env = {**os.environ, "DOIS": dois_file, "PATH_PREFIX": prefix}
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(connections, 2)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            str(ROOT / "bench" / "wrk_random_doi.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"RESULT (.*)", output)
    if not match:
        raise RuntimeError(f"wrk gave no result:\n{output}")
    result = {k: float(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    result["rate"] = result["requests"] / result["seconds"]
    return result
