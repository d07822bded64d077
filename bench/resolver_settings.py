"""Settings for bench/resolver.py: production settings plus a bench-only URL (a bare view
returning the same 302 without a lookup). Never used outside the benchmark."""

from portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.resolver_urls"
