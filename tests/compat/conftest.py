"""The real client libraries against a live server over the real sample records.

The server is pytest-django's LiveServer, started once per module over the registry that
`tests.api.conftest.registry` loads once per module (committed), so the clients see the
same 1,918 works in every test without reloading them."""

from __future__ import annotations

import pytest

from tests.api.conftest import registry  # noqa: F401  (the module fixture, shared)


@pytest.fixture(scope="module")
def api_server(registry, django_db_blocker):  # noqa: F811
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    limits = override_settings(API_RATE_LIMITS={"public": (100_000, 1), "polite": (100_000, 1)})
    limits.enable()
    server = LiveServer("127.0.0.1")
    server._live_server_modified_settings.enable()
    try:
        with django_db_blocker.unblock():
            yield server
    finally:
        server._live_server_modified_settings.disable()
        server.stop()
        limits.disable()
