"""The Simple Text Query pages: short lists matched in the request, longer ones as a
background job with a progress page, results, CSV and the deposit form; limits; 404s;
retention; a job run by the real worker through Redis."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from linking.matching import stq
from linking.matching.candidates import titles_reset
from linking.matching.tasks import run_simple_text_query
from linking.models import SimpleTextQueryJob, StqJobStatus
from linking.services import records_register
from tests.factories import OrganisationFactory, PrefixFactory, UserFactory
from tests.linking.matching.conftest import WORKS

pytestmark = pytest.mark.django_db

APA = (
    "Okafor, A., & Lindqvist, A. (2001). Quantum coherence in driven spin chains. "
    "Physical Review Letters, 86(3), 1234–1237."
)
BOOK = "Whitfield R. Coastal Processes. 2015. ISBN 0-306-40615-2"
FORMULA = '=HYPERLINK("x") 1999'


def filler(count: int) -> list[str]:
    return [f"Nobody N{i}. Nothing at all number {i}. J Nowhere 1950;1:{i}." for i in range(count)]


def pasted(references: list[str]) -> str:
    return "\n\n".join(references)


LARGE = [APA, *filler(10), BOOK, *filler(10), FORMULA]  # more than INLINE_STQ_REFERENCES
assert len(LARGE) > stq.INLINE_STQ_REFERENCES


def job_url(job: SimpleTextQueryJob) -> str:
    return f"/simple-text-query/{job.public_id}/"


def test_simple_text_query_page_and_csv(client, registry):
    assert client.get("/simple-text-query/").status_code == 200
    text = pasted([APA, BOOK, FORMULA])
    page = client.post("/simple-text-query/", {"references": text})
    html = page.content.decode()
    assert page.status_code == 200
    assert "2 of 3 matched" in html and "10.5555/prl.1" in html and "no match" in html
    download = client.post("/simple-text-query/", {"references": text, "download": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:2] == ["reference", "doi"]
    assert [r[1] for r in rows[1:]] == ["10.5555/prl.1", "10.5555/book.1", "no match"]
    assert rows[3][0].startswith("'=")  # no formula injection into spreadsheets


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("\n".join(f"ref {i}" for i in range(1001)), "1001 references"),
        ("   \n\n ", "at least one reference"),
        ("x" * (stq.MAX_INPUT_CHARS + 1), f"at most {stq.MAX_INPUT_CHARS} characters"),
    ],
)
def test_simple_text_query_limits(client, db, text, needle):
    response = client.post("/simple-text-query/", {"references": text})
    assert response.status_code == 400 and needle in response.content.decode()
    assert not SimpleTextQueryJob.objects.exists()


def test_a_short_list_is_still_matched_in_the_request(client, registry):
    references = [APA, *filler(stq.INLINE_STQ_REFERENCES - 1)]
    response = client.post("/simple-text-query/", {"references": pasted(references)})
    assert response.status_code == 200
    assert f"1 of {stq.INLINE_STQ_REFERENCES} matched" in response.content.decode()
    assert not SimpleTextQueryJob.objects.exists()


def test_a_long_list_becomes_a_job_whose_page_shows_the_results(
    client, registry, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(stq, "STQ_CHUNK", 7)  # several chunks, the last one short
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/simple-text-query/", {"references": pasted(LARGE)})
    job = SimpleTextQueryJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)
    assert len(callbacks) == 1 and job.user is None
    assert job.status == StqJobStatus.DONE and job.progress == len(LARGE) and job.finished_at
    assert [row["reference"] for row in job.results] == LARGE

    page = client.get(job_url(job))
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert f"2 of {len(LARGE)} matched" in html and "10.5555/prl.1" in html and "10.5555/book.1" in html
    assert "hx-get" not in html and 'http-equiv="refresh"' not in html  # finished: no polling
    assert "?format=csv" in html and "Deposit these references" not in html

    client.force_login(UserFactory())
    member_page = client.get(job_url(job)).content.decode()
    assert "Deposit these references" in member_page and 'action="/simple-text-query/deposit/"' in member_page


def test_a_logged_in_users_job_remembers_the_user(client, registry, django_capture_on_commit_callbacks):
    user = UserFactory()
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/simple-text-query/", {"references": pasted(LARGE), "download": "csv"})
    assert SimpleTextQueryJob.objects.get().user == user


def test_job_csv(client, registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/simple-text-query/", {"references": pasted(LARGE)})
    job = SimpleTextQueryJob.objects.get()
    download = client.get(job_url(job), {"format": "csv"})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["reference", "doi", "confidence", "method", "citation"]
    assert len(rows) == len(LARGE) + 1
    assert rows[1][:2] == [APA, "10.5555/prl.1"] and rows[12][1] == "10.5555/book.1"
    assert rows[-1] == ["'" + FORMULA, "no match", "", "", ""]


def test_an_unfinished_job_polls_and_has_no_csv_yet(client, registry):
    # Without running the on-commit callbacks, the job stays queued as it would while
    # waiting for a worker.
    job = stq.stq_job_create(text=pasted(LARGE), references=LARGE)
    page = client.get(job_url(job)).content.decode()
    assert "Waiting for a worker" in page and f"{len(LARGE)} references to match" in page
    assert f'hx-get="{job_url(job)}live/"' in page and 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page  # no-JS fallback
    assert "Results:" not in page
    assert client.get(job_url(job), {"format": "csv"}).status_code == 409
    live = client.get(f"{job_url(job)}live/")
    assert live.status_code == 200 and "HX-Refresh" not in live

    stq.stq_job_run(job_id=job.pk)
    live = client.get(f"{job_url(job)}live/")
    assert live["HX-Refresh"] == "true" and 'data-status="done"' in live.content.decode()
    assert "hx-get" not in live.content.decode()


def test_a_redelivered_job_goes_on_where_it_stopped(registry):
    job = stq.stq_job_create(text=pasted(LARGE), references=LARGE)
    done_before = [{**row, "citation": "kept"} for row in stq.stq_results(LARGE[:3])]
    SimpleTextQueryJob.objects.filter(pk=job.pk).update(
        status=StqJobStatus.RUNNING, results=done_before, progress=3
    )
    stq.stq_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == StqJobStatus.DONE and job.progress == len(LARGE)
    assert [row["citation"] for row in job.results[:3]] == ["kept"] * 3
    assert [row["reference"] for row in job.results] == LARGE
    assert job.results[11]["doi"] == "10.5555/book.1"  # matched after the restart


def test_a_job_that_breaks_is_marked_failed_and_says_so(client, registry):
    job = stq.stq_job_create(text="broken", references={"not": "a list"})  # a corrupted row
    with pytest.raises(KeyError):
        run_simple_text_query.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == StqJobStatus.FAILED and job.error and job.finished_at
    page = client.get(job_url(job)).content.decode()
    assert "Matching stopped before the end" in page and "hx-get" not in page


def test_unknown_or_expired_jobs_are_404(client, db):
    assert client.get(f"/simple-text-query/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/simple-text-query/{uuid.uuid4()}/live/").status_code == 404
    assert client.get("/simple-text-query/not-a-job/").status_code == 404
    old = stq.stq_job_create(text="a\nb", references=["a", "b"])
    SimpleTextQueryJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - stq.STQ_JOB_RETENTION - timedelta(minutes=1)
    )
    assert client.get(job_url(old)).status_code == 404
    kept = stq.stq_job_create(text="c\nd", references=["c", "d"])  # deletes expired jobs
    assert client.get(job_url(kept)).status_code == 200
    assert list(SimpleTextQueryJob.objects.values_list("pk", flat=True)) == [kept.pk]


def test_too_many_pending_jobs_are_refused(client, db, monkeypatch):
    monkeypatch.setattr(stq, "MAX_PENDING_STQ_JOBS", 2)
    for _ in range(2):
        assert client.post("/simple-text-query/", {"references": pasted(LARGE)}).status_code == 302
    response = client.post("/simple-text-query/", {"references": pasted(LARGE)})
    assert response.status_code == 503 and "try again in a few minutes" in response.content.decode()
    assert SimpleTextQueryJob.objects.count() == 2


@pytest.mark.worker
def test_a_real_worker_runs_a_job(client, celery_worker, wait_for):
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    records_register(records=WORKS, organisation=organisation)
    titles_reset()
    response = client.post("/simple-text-query/", {"references": pasted(LARGE)})
    job = SimpleTextQueryJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(job)

    def finished():
        job.refresh_from_db()
        return job.is_finished

    wait_for(finished, timeout=120)
    assert job.status == StqJobStatus.DONE and job.progress == len(LARGE)
    html = client.get(job_url(job)).content.decode()
    assert f"2 of {len(LARGE)} matched" in html and "10.5555/prl.1" in html
