"""Every record of shared/data/crossref-sample resolves after `import_works`.

A small representative part (the unixsd API responses and single unixref records) goes
through the resolver over HTTP in raw, upper-case and percent-encoded forms; the whole
sample is loaded once for the module and checked in batches, one query per batch."""

from __future__ import annotations

import io
import json
from urllib.parse import quote, unquote

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from linking.models import ResourceUrl, Work
from linking.resolver.counts import counts_flush
from linking.resolver.selectors import resolution_targets

pytestmark = pytest.mark.shared

SETS = [
    "rest-api-works.jsonl.gz",
    "public-data-file",
    "unixref-oai-pmh",
    "unixref-single",
    "unixsd-feed-corpus",
    "unixsd-api",
]
BATCH = 1000


@pytest.fixture(scope="session")
def sample(shared_dir):
    return shared_dir / "data" / "crossref-sample"


def import_works(*paths) -> dict:
    pytest.importorskip("deposits.xml.parse", reason="unixref content needs deposits.xml.parse")
    out = io.StringIO()
    call_command("import_works", *map(str, paths), "--json", stdout=out)
    return json.loads(out.getvalue())


def forms(doi: str) -> list[str]:
    return [
        "/" + doi,
        "/" + doi.upper(),
        "/" + quote(doi, safe=""),
        "/doi/" + quote(doi.upper(), safe="/"),
    ]


@pytest.mark.django_db
def test_a_representative_part_resolves_over_http(client, sample):
    report = import_works(sample / "unixsd-api", sample / "unixref-single")
    assert report["totals"]["registered"] > 50
    works = list(Work.objects.values_list("doi", "url", "pk"))
    multiple = set(ResourceUrl.objects.exclude(kind="primary").values_list("work_id", flat=True))
    assert works
    for doi, url, pk in works:
        for path in forms(doi):
            response = client.get(path)
            if pk in multiple:
                assert response.status_code == 300, path
                assert url.replace("&", "&amp;") in response.content.decode()
            else:
                assert (response.status_code, response["Location"]) == (302, url), path
    counts_flush()


@pytest.fixture(scope="module")
def whole_sample(request, django_db_setup, django_db_blocker):
    """import_works over the six sets once for the module, rolled back at the end."""
    sample = request.getfixturevalue("sample")
    with django_db_blocker.unblock():
        with transaction.atomic():
            report = import_works(*(sample / name for name in SETS))
            yield report
            transaction.set_rollback(True)


def source_records(sample) -> dict[str, bool]:
    """DOI → whether the record carries its registered URL (`resource`), for every record
    of the sample's REST JSON, in the order SETS loads them (a later record of a DOI replaces
    the earlier one whole); the public data file leaves `resource` out of most."""
    import gzip

    found: dict[str, bool] = {}
    with gzip.open(sample / "rest-api-works.jsonl.gz", "rt") as handle:
        for line in handle:
            item = json.loads(line)
            found[item["DOI"].lower()] = bool(item.get("resource"))
    for path in sorted((sample / "public-data-file").iterdir()):
        text = gzip.decompress(path.read_bytes()).decode()
        items = (
            [json.loads(line) for line in text.splitlines() if line.strip()]
            if path.name.endswith(".jsonl.gz")
            else json.loads(text)["items"]
        )
        for item in items:
            found[item["DOI"].lower()] = bool(item.get("resource"))  # loaded later: replaces whole
    return found


@pytest.mark.timeout(1800)  # the module's load of ~14,000 records counts against its first test
@pytest.mark.django_db
def test_every_record_of_the_sample_resolves(whole_sample, sample, client, django_assert_max_num_queries):
    totals = whole_sample["totals"]
    registered = list(Work.objects.order_by("doi").values_list("doi", flat=True))
    assert len(registered) > 13000
    sources = source_records(sample)
    # Only what the import refused (partial records, with reasons in its report) is missing.
    assert len(set(sources) - set(registered)) <= totals["refused_total"]
    targets = {}
    for start in range(0, len(registered), BATCH):
        batch = registered[start : start + BATCH]
        with django_assert_max_num_queries(1):
            targets.update(resolution_targets(batch))
    assert set(targets) == set(registered)
    without_url = {doi for doi, target in targets.items() if not (target.url or target.multiple)}
    # A record whose REST JSON gave a URL keeps it; those without one resolve to their landing page.
    assert sorted(doi for doi in without_url if sources.get(doi)) == []
    step = max(1, len(registered) // 150)
    awkward = [d for d in registered if any(c in d for c in '<>;()[]#?%" ')][:150]
    for doi in awkward + registered[::step]:
        response = client.get("/" + quote(doi, safe=""))
        target = targets[doi]
        if target.multiple:
            assert response.status_code == 300, doi
        elif doi in without_url:
            assert (response.status_code, unquote(response["Location"])) == (302, f"/works/{doi}"), doi
        else:
            assert (response.status_code, response["Location"]) == (302, target.url), doi
    for doi in sorted(without_url)[:20]:
        assert client.get(reverse("landing:work", args=[doi])).status_code == 200, doi
    counts_flush()
