"""Settings for bench/api.py: production settings, a bench-only bare JSON view, and rate
limits out of the way (one client at 16 connections would otherwise be throttled, which
is the point in production and not what this measures). Never used outside the benchmark."""

import os

from portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
API_RATE_LIMITS = {"public": (10**9, 1), "polite": (10**9, 1)}

# BENCH_SERVER_SIDE_BINDING=1: psycopg server-side binding, so repeated statements are
# prepared once per connection and skip planning (a candidate production setting).
if os.environ.get("BENCH_SERVER_SIDE_BINDING"):
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True  # noqa: F405
