"""The API tests read the real sample records: `registry` imports the REST API works of
shared/data/crossref-sample once per test module (committed, so a live server thread sees
them) and empties the database again when the module is done, so no other test on the same
process ever sees them."""

from __future__ import annotations

import pytest
from django.core.management import call_command

SAMPLE_WORKS = "data/crossref-sample/rest-api-works.jsonl.gz"


@pytest.fixture(scope="module")
def registry(shared_dir, django_db_setup, django_db_blocker):
    from deposits.imports.loader import works_import
    from portal.celery import app

    # Reference matching of 1,918 works would run in-process for minutes; these tests are
    # about the API, so the queued matching tasks stay in the queue.
    app.conf.task_always_eager = False
    try:
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0, allow_cascade=True)
            report = works_import(paths=[shared_dir / SAMPLE_WORKS])
            assert report.files[0].read == 1918
    finally:
        app.conf.task_always_eager = True
    yield report
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0, allow_cascade=True)


@pytest.fixture
def api(registry, client, django_db_blocker, settings):
    """The test client over the loaded registry (no rate limit in the way)."""
    settings.API_RATE_LIMITS = {"public": (100_000, 1), "polite": (100_000, 1)}
    settings.ROOT_URLCONF = "tests.api.urls"
    with django_db_blocker.unblock():
        yield client
