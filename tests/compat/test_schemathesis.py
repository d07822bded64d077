"""schemathesis against our own OpenAPI schema (/api/openapi.json): requests generated for
every operation it declares, none may answer 5xx. Examples are few per operation so the run
stays well under a minute; `derandomize` makes a failure reproducible."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = [pytest.mark.shared, pytest.mark.django_db]

EXAMPLES = 8


def test_no_server_errors_on_generated_requests(api_server):
    schema = schemathesis.openapi.from_url(api_server.url + "/api/openapi.json")
    base = api_server.url + "/api"
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures: list[tuple] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(base_url=base, timeout=30)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, response.status_code))

        check()
    assert not failures, failures[:10]
