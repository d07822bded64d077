"""import_works over the whole crossref-sample set, loaded once per module (about 14,000
records; see `full_load`) inside a transaction rolled back at the end; counts compared with
the README's table."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from accounts.models import AuditEvent, Organisation, Prefix
from deposits.imports.loader import import_files_expand
from linking.models import Title, Work, WorkFunder, WorkReference, WorkRelation
from tests.deposits.import_support import (
    README,
    README_MEMBERS_ALL,
    SETS,
    pdf_works,
    rest_work,
    rest_works,
    summary,
)

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def full_load(request, django_db_setup, django_db_blocker):
    """import_works over the six sets, once for the module, in a transaction rolled back at
    the end so that no other test sees these works. Tests marked django_db run inside it
    (their own changes roll back to a savepoint)."""
    pytest.importorskip("deposits.xml.parse", reason="unixref content needs deposits.xml.parse")
    sample = request.getfixturevalue("sample")
    with django_db_blocker.unblock():
        with transaction.atomic():
            report = summary(*(sample / name for name in SETS))
            yield report
            transaction.set_rollback(True)


def set_totals(report: dict, sample: Path, name: str) -> dict:
    root = str(sample / name)
    files = [f for f in report["files"] if f["path"] == root or f["path"].startswith(root + "/")]
    totals = {
        key: sum(f[key] for f in files)
        for key in ("read", "new", "updated", "replaced_earlier", "refused_total")
    }
    totals["files"] = len(files)
    totals["refused"] = {}
    for f in files:
        for code, entry in f["refused"].items():
            totals["refused"][code] = totals["refused"].get(code, 0) + entry["count"]
    return totals


@pytest.mark.django_db
def test_the_whole_sample_loads_with_the_readmes_counts(full_load, sample):
    """Per set, in import order: read = README records; new = README distinct DOIs, less the
    DOIs refused and the DOIs an earlier set already registered; updated = copies of a DOI
    read earlier (in the same set, or in an earlier one)."""
    # Why the numbers differ from the README's distinct DOIs, precisely:
    # * rest-api-works: its 38 partial select= records (no type) are refused (PARTIAL_RECORD).
    # * public-data-file: 21 DOIs (the alexandria3k and crossref-lmdb records) are also in
    #   rest-api-works, read earlier, so their copies here are updates.
    # * unixref-oai-pmh: 66 records repeat a DOI of the same set (6145 records, 6079 DOIs).
    # * unixref-single: 2 DOIs come twice (funder-crossmark/funder-bad-name and
    #   affiliations/funder-no-crossmark), and preprint.xml's '0.50505/preprint_sample_doi_1'
    #   is not a DOI (INVALID_DOI).
    # * unixsd-api: 9 of its DOIs are in rest-api-works too (read earlier).
    refused = {
        "rest-api-works.jsonl.gz": {"PARTIAL_RECORD": 38},
        "unixref-single": {"INVALID_DOI": 1},
    }
    from_earlier_sets = {"public-data-file": 21, "unixsd-api": 9}
    assert full_load["totals"]["files_unreadable"] == 0
    for name in SETS:
        files, records, distinct, _members = README[name]
        got = set_totals(full_load, sample, name)
        expected_refused = refused.get(name, {})
        repeats = records - distinct
        assert got["files"] == files, name
        assert got["read"] == records, name
        assert got["refused"] == expected_refused, (name, got["refused"])
        refused_count = sum(expected_refused.values())
        assert got["new"] == distinct - refused_count - from_earlier_sets.get(name, 0), name
        assert got["updated"] == repeats + from_earlier_sets.get(name, 0), name
        assert got["replaced_earlier"] == got["updated"], name  # nothing existed before the load
    totals = full_load["totals"]
    assert Work.objects.count() == totals["new"]
    assert totals["read"] == totals["registered"] + totals["refused_total"]


@pytest.mark.django_db
def test_organisations_and_prefixes_are_created_for_what_the_records_name(full_load, sample):
    json_works = [w for w in rest_works(sample) + pdf_works(sample) if "type" in w]
    members = {int(w["member"]) for w in json_works}
    assert len(members) == README["rest-api-works.jsonl.gz"][3]  # the JSON's members are the REST file's
    by_member = {o.member_id: o for o in Organisation.objects.filter(member_id__in=members)}
    assert set(by_member) == members
    assert all(o.status == "active" for o in by_member.values())
    made = full_load["organisations_created"]
    assert len([o for o in made if not o["stand_in"]]) == README_MEMBERS_ALL
    # Stand-ins (unixref records whose prefix nobody named) got member ids above all real ones.
    assert min(o["member_id"] for o in made if o["stand_in"]) > max(
        o["member_id"] for o in made if not o["stand_in"]
    )
    # Every DOI prefix and every owner prefix has its Prefix row; every work points at one.
    named = {w["DOI"].split("/")[0].lower() for w in json_works} | {w["prefix"] for w in json_works}
    assert named <= set(Prefix.objects.values_list("value", flat=True))
    assert not Work.objects.filter(prefix__isnull=True).exists()
    assert all(
        doi.split("/")[0] == prefix for doi, prefix in Work.objects.values_list("doi", "prefix__value")
    )
    # A DOI prefix goes to the member that names it as owner prefix: 10.1001 is AMA's (member
    # 10), though one 10.1001 DOI belongs to Cambridge (member 56, owner prefix 10.1017).
    assert Prefix.objects.get(value="10.1001").organisation.member_id == 10
    assert Work.objects.get(doi="10.1001/10-v4n2-hsf10003").organisation.member_id == 56
    # Creation is audited, with no actor (the system).
    assert AuditEvent.objects.filter(action="prefix.assign", actor__isnull=True).count() == len(
        full_load["prefixes_created"]
    )


@pytest.mark.django_db
def test_registered_json_records_match_their_source(full_load, sample):
    source = rest_work(sample, "10.1371/journal.pgen.1011490")
    work = Work.objects.select_related("organisation", "container").get(doi="10.1371/journal.pgen.1011490")
    assert work.source == "import"
    assert work.organisation.member_id == int(source["member"])
    assert work.title == source["title"][0]
    assert work.container_title == source["container-title"][0]
    assert work.container.kind == "journal"
    assert work.issued == "2024-11-25"
    assert work.url == source["resource"]["primary"]["URL"]
    authors = [c for c in work.data["contributors"] if c["role"] == "author"]
    assert [(a["given"], a["family"], a["orcid"]) for a in authors] == [
        (a.get("given", ""), a["family"], a.get("ORCID", "")) for a in source["author"]
    ]
    assert work.references.count() == len(source["reference"])
    assert work.references.exclude(doi="").count() == len([r for r in source["reference"] if r.get("DOI")])
    assert sorted(work.funders.values_list("funder_id", flat=True)) == sorted(
        f.get("DOI", "") for f in source["funder"]
    )
    assert work.data["licenses"][0]["url"] == source["license"][0]["URL"]
    assert WorkRelation.objects.filter(work=work, kind="update", type="new_version").count() == 1
    # The Public Data File copy replaced the REST copy of the same DOI (the later file wins):
    # for 10.1001/archderm.100.3.373 the REST copy has a resource URL, the shard's has none.
    (later,) = [w for w in pdf_works(sample) if w["DOI"] == "10.1001/archderm.100.3.373"]
    assert "resource" in rest_work(sample, "10.1001/archderm.100.3.373") and "resource" not in later
    work = Work.objects.get(doi="10.1001/archderm.100.3.373")
    assert (work.url, work.data["resource_urls"], work.data["titles"]) == ("", [], later["title"])
    (affiliated,) = [w for w in pdf_works(sample) if w["DOI"] == "10.1002/mdc3.13466"]
    assert [
        [a["name"] for a in c["affiliations"]]
        for c in Work.objects.get(doi="10.1002/mdc3.13466").data["contributors"]
    ] == [[a["name"] for a in person["affiliation"]] for person in affiliated["author"]]
    # A partial publication date stays partial.
    assert Work.objects.get(doi="10.1001/10-v4n2-hsf10003").data["published_print"] == {
        "year": 2011,
        "month": 3,
        "day": None,
    }
    assert WorkFunder.objects.filter(funder_id="10.13039/501100001168").exists()


@pytest.mark.django_db
def test_registered_xml_records_keep_their_envelope(full_load, sample):
    # unixsd: member id, owner prefix and deposit timestamp come from the crm-items.
    work = Work.objects.select_related("organisation").get(doi="10.1007/s11682-016-9638-y")
    assert work.organisation.member_id == 297
    assert work.deposit_timestamp == 20171023123749602
    assert work.title.startswith("Early effects of a high-caloric diet and physical exercise")
    # unixref 1.0 in OAI-PMH: no member id; the setSpec owner prefix 10.1002 belongs to
    # member 311 (named by the JSON), so the AGU (10.1029) article is Wiley's.
    work = Work.objects.select_related("organisation").get(doi="10.1029/1999wr900252")
    assert work.organisation.member_id == 311
    assert work.data["prefix"] == "10.1002"
    assert work.references.count() > 0
    # OAI-PMH unixsd: the container DOIs of the content are not registered as works.
    assert not Work.objects.filter(doi="10.1002/(issn)1521-3765").exists()
    # Two 2013 records carry a stray U+FFFD after the DOI in their content; the OAI header
    # (Crossref's index) has the clean DOI, which is registered, the content's kept in extra.
    work = Work.objects.get(doi="10.1360/02wd0469")
    assert work.data["extra"]["doi-in-content"] == "10.1360/02wd0469 \ufffd"
    # unixref doi_records: the owner prefix and timestamp are attributes of doi_record. The
    # JSON names the owner of 10.5555 (Crossref's test member), so the record is that member's.
    (test_member,) = {int(w["member"]) for w in rest_works(sample) if w.get("prefix") == "10.5555"}
    work = Work.objects.select_related("organisation").get(doi="10.5555/12345678")
    assert (work.deposit_timestamp, work.data["prefix"]) == (20121204084223, "10.5555")
    assert work.organisation.member_id == test_member
    assert work.data["contributors"][0]["orcid"] == "https://orcid.org/0000-0002-1825-0097"


@pytest.mark.django_db
def test_reimport_is_idempotent(full_load, sample):
    """Importing files again changes nothing and reports every record as updated. (A few
    hundred records of three layouts, not the whole sample again: the load is the slow part.)"""
    again = [
        sample / "unixsd-api",
        *sorted((sample / "public-data-file").glob("alexandria3k-*")),
        *sorted((sample / "public-data-file").glob("crossref-lmdb-*")),
        sample / "unixref-oai-pmh" / "dissertation.xml.gz",
    ]
    files = import_files_expand(paths=again)
    tables = (Work, Organisation, Prefix, Title, WorkReference, WorkRelation, WorkFunder)
    before = [model.objects.count() for model in tables]
    audits = AuditEvent.objects.count()
    kept = {w.doi: w.data for w in Work.objects.filter(doi__in=["10.7554/elife.01567", "10.1002/mdc3.13466"])}
    report = summary(*files)
    assert [model.objects.count() for model in tables] == before
    assert AuditEvent.objects.count() == audits  # no organisation or prefix created
    assert report["organisations_created"] == [] and report["prefixes_created"] == {}
    totals = report["totals"]
    first_time = [f for f in full_load["files"] if f["path"] in {str(p) for p in files}]
    assert totals["read"] == sum(f["read"] for f in first_time)
    assert totals["new"] == 0 and totals["refused_total"] == 0
    assert totals["updated"] == totals["registered"] == sum(f["registered"] for f in first_time)
    assert totals["replaced_earlier"] == 0  # no DOI comes twice within these files
    assert {w.doi: w.data for w in Work.objects.filter(doi__in=list(kept))} == kept
    assert "updated" in report["files"][0] and report["files"][0]["updated"] == report["files"][0]["read"]
