"""Every REST request Crossref curated for regression-testing its API
(shared/data/crossref-sample/rest-api-queries/all_curated_queries.csv), replayed against
our API over the sample records: none may fail with a server error."""

from __future__ import annotations

import csv

import pytest
import requests

pytestmark = [pytest.mark.shared, pytest.mark.django_db]

QUERIES = "data/crossref-sample/rest-api-queries/all_curated_queries.csv"


def recorded_paths(shared_dir) -> list[str]:
    with open(shared_dir / QUERIES, newline="") as handle:
        rows = list(csv.reader(handle))
    return [row[0] for row in rows if row and row[0].startswith("/")]


def test_every_recorded_request_answers_without_a_server_error(api_server, shared_dir):
    paths = recorded_paths(shared_dir)
    assert len(paths) == 193
    session = requests.Session()
    failures, statuses = [], {}
    for path in paths:
        response = session.get(api_server.url + "/api" + path, timeout=60)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            failures.append((path, response.status_code, response.text[:200]))
        elif response.status_code == 200 and response.headers["Content-Type"].startswith("application/json"):
            assert response.json()["status"] == "ok", path
    assert not failures, failures
    # Most are answered: routes we serve, parameters we take.
    assert statuses.get(200, 0) >= 150, statuses
