"""The works routes over the real sample records (1,918 REST API works): envelope and
record shapes against the recorded responses in shared/samples/api, filters, facets,
sort, select, paging, cursors, errors, lookup and conditional GET."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from linking.models import Work, WorkFunder, WorkRelation

pytestmark = [pytest.mark.shared, pytest.mark.django_db]

SAMPLE_DOI = "10.1136/jclinpath-2020-206745"


def get(api, url, status=200, **headers):
    response = api.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return response


def message(api, url, **headers):
    body = get(api, url, **headers).json()
    assert body["status"] == "ok"
    assert body["message-version"] == "1.0.0"
    return body["message"]


def sample(shared_dir, name):
    return json.loads((shared_dir / "samples" / "api" / name).read_text())


def test_work_singleton_has_the_recorded_keys_and_values(api, shared_dir, settings):
    recorded = sample(shared_dir, "work.json")["message"]
    response = get(api, f"/api/works/{SAMPLE_DOI.upper()}")
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["message-type"] == "work"
    ours = body["message"]
    assert set(recorded) <= set(ours), set(recorded) - set(ours)
    for key in (
        "DOI",
        "type",
        "title",
        "container-title",
        "issue",
        "volume",
        "page",
        "ISSN",
        "issn-type",
        "issued",
        "published-print",
        "published-online",
        "accepted",
        "publisher",
        "prefix",
        "member",
        "reference-count",
        "references-count",
        "license",
        "link",
        "content-domain",
        "update-policy",
        "journal-issue",
        "abstract",
        "language",
        "subtitle",
        "short-title",
        "original-title",
        "subject",
        "alternative-id",
        "created",
        "deposited",
        "source",
    ):
        assert ours[key] == recorded[key], key
    # Whether a funder DOI was matched by Crossref or given by the publisher is not kept.
    unasserted = [
        {k: v for k, v in f.items() if k not in ("doi-asserted-by", "id")} for f in recorded["funder"]
    ]
    assert [
        {k: v for k, v in f.items() if k not in ("doi-asserted-by", "id")} for f in ours["funder"]
    ] == unasserted
    assert ours["URL"] == settings.SITE_URL.rstrip("/") + "/" + SAMPLE_DOI
    assert ours["resource"] == recorded["resource"]
    assert ours["author"] == [{k: v for k, v in a.items() if k != "role"} for a in recorded["author"]]
    assert [r["key"] for r in ours["reference"]] == [r["key"] for r in recorded["reference"]]
    assert ours["reference"][2] == recorded["reference"][2]
    for stamp in ("indexed", "created", "deposited"):
        assert set(ours[stamp]) >= {"date-parts", "date-time", "timestamp"}
        assert ours[stamp]["timestamp"] > 10**12  # milliseconds
    assert ours["score"] == 1
    assert ours["is-referenced-by-count"] == 0


def test_work_lookup_is_case_insensitive_and_takes_doi_urls(api):
    for path in (
        SAMPLE_DOI,
        SAMPLE_DOI.upper(),
        "https://doi.org/" + SAMPLE_DOI,
        "http://dx.doi.org/" + SAMPLE_DOI,
        quote(SAMPLE_DOI, safe=""),
    ):
        assert message(api, f"/api/works/{path}")["DOI"] == SAMPLE_DOI
    assert message(api, f"/api/v1/works/{SAMPLE_DOI}")["DOI"] == SAMPLE_DOI


def test_unknown_work_is_the_plain_text_404(api):
    response = get(api, "/api/works/10.5555/no-such-thing(1)[2];x", status=404)
    assert response.content == b"Resource not found."
    assert response["Content-Type"].startswith("text/plain")
    assert get(api, "/api/works/10.5555/nothing/agency", status=404).content == b"Resource not found."


def test_agency(api):
    body = get(api, f"/api/works/{SAMPLE_DOI}/agency").json()
    assert body["message-type"] == "work-agency"
    assert body["message"] == {"DOI": SAMPLE_DOI, "agency": {"id": "crossref", "label": "Crossref"}}


def test_relations_and_updates_from_other_records(api):
    notice, original = Work.objects.exclude(doi=SAMPLE_DOI).order_by("pk")[:2]
    updated_before = message(api, "/api/works?filter=has-update:true&rows=0")["total-results"]
    WorkRelation.objects.create(
        work=notice,
        kind="update",
        type="retraction",
        target=original.doi,
        data={"date": [2024, 5, 1], "label": "Retraction"},
    )
    WorkRelation.objects.create(work=notice, kind="relation", type="isPreprintOf", target=original.doi)
    got = message(api, f"/api/works/{original.doi}")
    assert got["updated-by"][0]["DOI"] == notice.doi
    assert got["updated-by"][0]["type"] == "retraction"
    assert got["updated-by"][0]["updated"]["date-parts"] == [[2024, 5, 1]]
    assert {"id-type": "doi", "id": notice.doi, "asserted-by": "object"} in got["relation"]["has-preprint"]
    assert message(api, "/api/works?filter=has-update:true&rows=0")["total-results"] == updated_before + 1
    assert message(api, f"/api/works?filter=updates:{original.doi}")["items"][0]["DOI"] == notice.doi


def test_list_envelope_matches_the_recorded_list(api, shared_dir):
    recorded = sample(shared_dir, "works-list-query.json")
    body = get(api, "/api/works?query=ecology&rows=2").json()
    assert body["message-type"] == recorded["message-type"] == "work-list"
    assert set(body["message"]) == set(recorded["message"])
    assert body["message"]["query"] == {"start-index": 0, "search-terms": "ecology"}
    assert body["message"]["items-per-page"] == 2
    assert body["message"]["facets"] == {}
    assert all(isinstance(item["score"], float) for item in body["message"]["items"])
    scores = [item["score"] for item in body["message"]["items"]]
    assert scores == sorted(scores, reverse=True)


def test_rows_offset_and_total(api):
    total = Work.objects.count()
    first = message(api, "/api/works?rows=5")
    assert first["total-results"] == total
    assert len(first["items"]) == 5
    second = message(api, "/api/works?rows=5&offset=5")
    assert not {i["DOI"] for i in first["items"]} & {i["DOI"] for i in second["items"]}
    assert message(api, "/api/works?rows=0")["items"] == []
    assert len(message(api, "/api/works")["items"]) == 20


def test_filters_same_name_or_different_name_and(api):
    articles = Work.objects.filter(type="journal-article").count()
    chapters = Work.objects.filter(type="book-chapter").count()
    assert message(api, "/api/works?filter=type:journal-article&rows=0")["total-results"] == articles
    either = message(api, "/api/works?filter=type:journal-article,type:book-chapter&rows=0")
    assert either["total-results"] == articles + chapters
    member = Work.objects.filter(type="journal-article").values_list("organisation__member_id", flat=True)[0]
    both = message(api, f"/api/works?filter=type:journal-article,member:{member}&rows=1000")
    expected = Work.objects.filter(type="journal-article", organisation__member_id=member).count()
    assert both["total-results"] == expected > 0
    assert {i["member"] for i in both["items"]} == {str(member)}


def test_boolean_filters_partition_the_registry(api):
    total = Work.objects.count()
    for name in (
        "has-orcid",
        "has-license",
        "has-abstract",
        "has-funder",
        "has-references",
        "has-full-text",
        "has-affiliation",
        "has-update-policy",
        "has-content-domain",
        "is-update",
        "has-ror-id",
        "has-award",
        "has-archive",
        "has-assertion",
        "has-relation",
        "has-authenticated-orcid",
    ):
        yes = message(api, f"/api/works?filter={name}:true&rows=0")["total-results"]
        no = message(api, f"/api/works?filter={name}:f&rows=0")["total-results"]
        assert yes + no == total, name
    with_orcid = message(api, "/api/works?filter=has-orcid:1&rows=50")["items"]
    assert with_orcid and all(any("ORCID" in a for a in i.get("author", [])) for i in with_orcid)


def test_dotted_filters_match_one_sub_record(api):
    work = next(w for w in Work.objects.all() if len({x["content_version"] for x in w.data["licenses"]}) > 1)
    first, second = (
        work.data["licenses"][0],
        next(
            x
            for x in work.data["licenses"]
            if x["content_version"] != work.data["licenses"][0]["content_version"]
        ),
    )
    same = f"license.url:{first['url']},license.version:{first['content_version']}"
    assert work.doi in [i["DOI"] for i in message(api, f"/api/works?filter={quote(same)}&rows=1000")["items"]]
    if first["url"] != second["url"]:
        crossed = f"license.url:{first['url']},license.version:{second['content_version']}"
        found = [i["DOI"] for i in message(api, f"/api/works?filter={quote(crossed)}&rows=1000")["items"]]
        assert work.doi not in found or any(
            x["url"] == first["url"] and x["content_version"] == second["content_version"]
            for x in work.data["licenses"]
        )


def test_award_filters_on_one_funding_entry(api):
    funder = WorkFunder.objects.exclude(awards=[]).exclude(funder_id="").first()
    award = funder.awards[0]
    hits = message(
        api, f"/api/works?filter=award.number:{quote(award)},award.funder:{funder.funder_id}&rows=1000"
    )
    assert funder.work.doi in [i["DOI"] for i in hits["items"]]
    assert (
        message(api, f"/api/works?filter=award.number:{quote(award)},award.funder:10.13039/1&rows=0")[
            "total-results"
        ]
        == 0
    )
    by_funder = message(api, f"/api/works?filter=funder:{funder.funder_id.split('/', 1)[1]}&rows=1000")
    assert funder.work.doi in [i["DOI"] for i in by_funder["items"]]
    funded = WorkFunder.objects.filter(funder_id=funder.funder_id).values("work_id").distinct().count()
    assert by_funder["total-results"] == funded


def test_partial_dates_are_inclusive_periods(api):
    work = Work.objects.filter(issued__regex=r"^\d{4}-\d\d-00$").exclude(issued__endswith="-00-00").first()
    year, month = work.issued[:4], work.issued[5:7]
    dois = lambda f: {i["DOI"] for i in message(api, f"/api/works?filter={f}&rows=1000")["items"]}  # noqa: E731
    assert work.doi in dois(f"from-pub-date:{year}-{month},until-pub-date:{year}-{month}")
    assert work.doi in dois(f"from-pub-date:{year}-{month}-01,until-pub-date:{year}-{month}-01")
    assert work.doi in dois(f"from-pub-date:{year},until-pub-date:{year}")
    assert work.doi not in dois(f"from-pub-date:{year}-{month}-02")


def test_sort_and_order(api):
    asc = message(api, "/api/works?sort=published&order=asc&rows=50&filter=from-pub-date:1900")["items"]
    parts = [tuple(i["published"]["date-parts"][0]) for i in asc]
    assert parts == sorted(parts)
    cited = message(api, "/api/works?sort=is-referenced-by-count&order=desc&rows=10")["items"]
    assert [i["is-referenced-by-count"] for i in cited] == sorted(
        (i["is-referenced-by-count"] for i in cited), reverse=True
    )
    refs = message(api, "/api/works?sort=references-count&order=desc&rows=10")["items"]
    counts = [i["references-count"] for i in refs]
    assert counts == sorted(counts, reverse=True) and counts[0] > 0
    for sort in (
        "updated",
        "deposited",
        "indexed",
        "created",
        "issued",
        "published-print",
        "published-online",
        "score",
        "relevance",
    ):
        message(api, f"/api/works?sort={sort}&order=asc&rows=3")


def test_select(api):
    items = message(api, "/api/works?select=DOI,title&rows=5")["items"]
    assert items and all(set(i) <= {"DOI", "title"} and "DOI" in i for i in items)


def test_facets_count_what_the_filter_selects(api, shared_dir):
    recorded = sample(shared_dir, "works-facets.json")["message"]["facets"]
    every = ",".join(f"{name}:*" for name in recorded)
    facets = message(api, f"/api/works?rows=0&facet={every}")["facets"]
    assert set(facets) == set(recorded)
    for block in facets.values():
        assert block["value-count"] == len(block["values"])
        counts = list(block["values"].values())
        assert counts == sorted(counts, reverse=True)
    articles = Work.objects.filter(type="journal-article").count()
    assert facets["type-name"]["values"]["Journal Article"] == articles
    assert all(k.startswith("http://orcid.org/") for k in facets["orcid"]["values"])
    assert all(k.startswith("http://id.crossref.org/issn/") for k in facets["issn"]["values"])
    assert len(message(api, "/api/works?rows=0&facet=published:3")["facets"]["published"]["values"]) == 3


def test_sample(api):
    got = message(api, "/api/works?sample=7")
    assert len(got["items"]) == 7 == got["total-results"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/api/works?filter=nonsense:1", "filter-not-available"),
        ("/api/works?filter=has-orcid:maybe", "boolean-not-valid"),
        ("/api/works?filter=from-pub-date:2010-13", "date-not-legitimate"),
        ("/api/works?filter=from-pub-date:yesterday", "date-not-valid"),
        ("/api/works?filter=issn:12", "issn-not-valid"),
        ("/api/works?filter=type:article", "type-not-valid"),
        ("/api/works?rows=1001", "integer-not-valid"),
        ("/api/works?rows=ten", "integer-not-valid"),
        ("/api/works?offset=9990&rows=20", "integer-not-valid"),
        ("/api/works?sample=101", "integer-not-valid"),
        ("/api/works?sort=colour", "sort-field-not-valid"),
        ("/api/works?order=up", "sort-order-not-valid"),
        ("/api/works?facet=colour:3", "facet-not-available"),
        ("/api/works?select=colour", "select-not-available"),
        ("/api/works?query.colour=red", "field-query-not-available"),
        ("/api/works?cursor=*&offset=20", "cursor-with-offset-or-sample"),
        ("/api/members?filter=has-full-text:true", "filter-not-available"),
        ("/api/members?sort=score", "parameter-not-allowed"),
        ("/api/journals?filter=type:journal", "parameter-not-allowed"),
        ("/api/members?query.author=x", "parameter-not-allowed"),
        (f"/api/works/{SAMPLE_DOI}?rows=3", "parameter-not-allowed"),
    ],
)
def test_validation_failures(api, url, kind):
    body = get(api, url, status=400).json()
    assert body["status"] == "failed" and body["message-type"] == "validation-failure"
    assert "message-version" not in body
    assert kind in [p["type"] for p in body["message"]]
    assert all(set(p) == {"type", "value", "message"} for p in body["message"])


def test_members_filter_error_is_the_recorded_one(api, shared_dir):
    recorded = sample(shared_dir, "error-validation-failure.json")
    assert get(api, "/api/members?filter=has-full-text:true", status=400).json() == recorded


def test_cursor_harvest_returns_every_record_once(api):
    filter_ = "type:journal-article"
    expected = set(Work.objects.filter(type="journal-article").values_list("doi", flat=True))
    seen, cursor, pages = [], "*", 0
    while True:
        page = message(api, f"/api/works?filter={filter_}&rows=97&cursor={quote(cursor)}")
        assert page["total-results"] == len(expected)
        assert "next-cursor" in page
        if not page["items"]:
            break
        seen += [i["DOI"] for i in page["items"]]
        cursor = page["next-cursor"]
        pages += 1
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    assert pages == -(-len(expected) // 97)


def test_cursor_with_query_pages_by_relevance(api):
    total = message(api, "/api/works?query=cancer&rows=0")["total-results"]
    seen, cursor = [], "*"
    for _ in range(100):
        page = message(api, f"/api/works?query=cancer&rows=7&cursor={quote(cursor)}")
        if not page["items"]:
            break
        seen += [i["DOI"] for i in page["items"]]
        cursor = page["next-cursor"]
    assert len(seen) == len(set(seen)) == total > 0


def test_incremental_harvest_from_index_date(api):
    from datetime import timedelta

    from django.utils import timezone

    changed = list(Work.objects.order_by("pk")[:5])
    later = timezone.now() + timedelta(days=3)
    Work.objects.filter(pk__in=[w.pk for w in changed]).update(indexed_at=later)
    day = later.date().isoformat()
    seen, cursor = [], "*"
    while True:
        page = message(api, f"/api/works?filter=from-index-date:{day}&rows=2&cursor={quote(cursor)}")
        if not page["items"]:
            break
        seen += [i["DOI"] for i in page["items"]]
        cursor = page["next-cursor"]
    assert sorted(seen) == sorted(w.doi for w in changed)


def test_bad_cursor_is_the_json_404(api):
    body = get(api, "/api/works?cursor=garbage", status=404).json()
    assert body["message-type"] == "resource-failure"
    assert body["message"][0]["type"] == "cursor-invalid"
    token = message(api, "/api/works?cursor=*&rows=1&filter=type:journal-article")["next-cursor"]
    # a token belongs to its query
    get(api, f"/api/works?cursor={quote(token)}&rows=1&filter=type:book", status=404)


def test_lookup_many_dois_in_order(api):
    dois = list(Work.objects.order_by("-pk").values_list("doi", flat=True)[:30])
    wanted = [dois[3].upper(), "10.5555/missing", *dois[10:20]]
    response = api.post("/api/works/lookup", {"dois": wanted}, content_type="application/json")
    assert response.status_code == 200
    got = response.json()["message"]
    assert [i["DOI"] for i in got["items"]] == [dois[3], *dois[10:20]]
    assert got["not-found"] == ["10.5555/missing"]
    too_many = api.post("/api/works/lookup", {"dois": ["10.1/x"] * 1001}, content_type="application/json")
    assert too_many.status_code == 400
    assert api.post("/api/works/lookup", "nonsense", content_type="application/json").status_code == 400


def test_conditional_get(api):
    first = get(api, f"/api/works/{SAMPLE_DOI}")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert get(api, f"/api/works/{SAMPLE_DOI}")["ETag"] == etag
    assert get(api, f"/api/works/{SAMPLE_DOI}", status=304, HTTP_IF_NONE_MATCH=etag).content == b""
    get(api, f"/api/works/{SAMPLE_DOI}", status=304, HTTP_IF_MODIFIED_SINCE=modified)
    get(api, f"/api/works/{SAMPLE_DOI}", HTTP_IF_NONE_MATCH='"other"')
    Work.objects.filter(doi=SAMPLE_DOI).update(cited_by_count=41)
    assert get(api, f"/api/works/{SAMPLE_DOI}", HTTP_IF_NONE_MATCH=etag)["ETag"] != etag


def test_cors_and_pool_headers(api):
    public = get(api, "/api/works?rows=1")
    assert public["Access-Control-Allow-Origin"] == "*"
    assert public["x-api-pool"] == "public"
    assert public["x-rate-limit-interval"].endswith("s")
    assert int(public["x-rate-limit-limit"]) > 0
    assert get(api, "/api/works?rows=1&mailto=a@example.org")["x-api-pool"] == "polite"
    polite = get(api, "/api/types", HTTP_USER_AGENT="tool/1 (mailto:a@example.org)")
    assert polite["x-api-pool"] == "polite"


def test_rate_limit_answers_429(api, settings):
    settings.API_RATE_LIMITS = {"public": (3, 60), "polite": (6, 60)}
    statuses = [api.get("/api/types", REMOTE_ADDR="10.9.9.9").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    polite = [
        api.get("/api/types?mailto=x@example.org", REMOTE_ADDR="10.9.9.9").status_code for _ in range(7)
    ]
    assert polite == [200] * 6 + [429]
    assert api.get("/api/types", REMOTE_ADDR="10.9.9.8").status_code == 200


def test_rate_limit_counts_in_redis_when_workers_share_it(api, settings):
    """With Redis (production) every worker counts in the same window, in one round trip."""
    import uuid

    import redis

    from tests.conftest import missing_service

    if not settings.TEST_REDIS_URL:
        missing_service("REDIS_URL is not set: the shared rate-limit counters live in Redis")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.TEST_REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.API_RATE_LIMITS = {"public": (3, 60), "polite": (6, 60)}
    statuses = [api.get("/api/types", REMOTE_ADDR="10.9.9.7").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    raw = redis.Redis.from_url(settings.TEST_REDIS_URL)
    [key] = raw.keys(f"{prefix}:*api-rate:public:10.9.9.7:*")
    assert int(raw.get(key)) == 5 and 0 < raw.ttl(key) <= 61
    raw.delete(key)


def test_matched_references_show_their_doi(api):
    from linking.models import WorkReference

    reference = WorkReference.objects.filter(doi="").select_related("work").first()
    reference.match_status, reference.matched_doi = "matched", "10.5555/matched-target"
    reference.save()
    got = message(api, f"/api/works/{reference.work.doi}")
    entry = next(r for r in got["reference"] if r["key"] == reference.key)
    assert entry["DOI"] == "10.5555/matched-target"
    assert entry["doi-asserted-by"] == "crossref"
