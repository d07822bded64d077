"""Streaming large deposits (deposits/xml/stream.py): the two streaming passes give what the
tree road gives, for every real file; files above DEPOSIT_STREAM_BYTES go that way through
processing, one-line files included; invalid streamed files are refused before anything is
registered."""

from __future__ import annotations

import pytest

from deposits.errors import ErrorCode
from deposits.models import SubmissionStatus
from deposits.services import IncomingFile, submission_create
from deposits.xml.parse import parse_deposit_tree
from deposits.xml.stream import stream_head, stream_records, stream_validate
from deposits.xml.validate import validate_deposit
from linking.models import Work
from tests.conftest import SHARED_DIR
from tests.deposits.xmlfactory import Article, journal_deposit
from tests.factories import OrganisationFactory, PrefixFactory

FILES = sorted(
    [
        *(SHARED_DIR / "samples" / "deposits").glob("*.xml"),
        *(SHARED_DIR / "data/crossref-sample/deposit-xml").rglob("*.xml"),
    ]
)


def comparable(item) -> tuple:
    data = (item.record or item.resource.parts).to_json()
    data.pop("abstract")  # the same JATS; namespace declarations may sit on another element
    return item.doi, item.doi_as_written, item.line, [p.code for p in item.problems], data


@pytest.mark.shared
@pytest.mark.usefixtures("crossref_schemas", "installed_schema_dir")
def test_streaming_reads_every_real_file_as_the_tree_does(shared_dir):
    assert len(FILES) == 154
    differences = []
    for path in FILES:
        tree = validate_deposit(path)
        streamed = stream_validate(path)
        if streamed is None:  # a query_batch: the tree road refuses it
            assert tree.kind.value == "query", path
            continue
        if [(p.code, p.line) for p in tree.errors][:1] != [(p.code, p.line) for p in streamed.result.errors][
            :1
        ]:
            differences.append(f"{path.name}: validation {tree.errors[:1]} != {streamed.result.errors[:1]}")
        if not tree.ok:
            continue
        parsed = parse_deposit_tree(tree.tree)
        records = list(
            stream_records(path, kind=streamed.result.kind.value, namespace=streamed.result.namespace)
        )
        if [comparable(r) for r in records] != [comparable(r) for r in parsed.records]:
            differences.append(f"{path.name}: records differ")
        if streamed.prefixes != {r.doi.split("/")[0] for r in parsed.records}:
            differences.append(f"{path.name}: prefixes {streamed.prefixes}")
        if stream_head(path) != parsed.head:
            differences.append(f"{path.name}: head differs")
    assert differences == []


@pytest.fixture
def streaming(settings):
    settings.DEPOSIT_STREAM_BYTES = 0  # every file takes the streaming road
    organisation = OrganisationFactory()
    PrefixFactory(value="10.5555", organisation=organisation)
    return organisation


def deposit(organisation, content: bytes):
    submission = submission_create(
        organisation=organisation, upload=IncomingFile(name="big.xml", content=content), channel="command"
    )
    submission.refresh_from_db()
    return submission


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("installed_schema_dir")
def test_a_streamed_one_line_deposit_registers_every_article(streaming):
    articles = [Article(f"10.5555/Line.{i}", first_page=str(i)) for i in range(1, 8)]
    one_line = b"".join(line.strip() for line in journal_deposit(*articles).splitlines(keepends=True))
    one_line = one_line.replace(b"?><doi_batch", b"?>\n<doi_batch", 1)
    submission = deposit(streaming, one_line)
    assert submission.status == SubmissionStatus.COMPLETED, submission.problems
    assert [r.doi for r in submission.records.all()] == [f"10.5555/Line.{i}" for i in range(1, 8)]
    assert Work.objects.count() == 7
    assert submission.records.last().message == "Successfully added"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("installed_schema_dir")
@pytest.mark.parametrize("tree_limit", [None, 0])
def test_an_invalid_streamed_file_registers_nothing(streaming, settings, tree_limit):
    if tree_limit is not None:
        settings.DEPOSIT_TREE_MAX_BYTES = tree_limit  # too large to read again as a tree
    content = journal_deposit(Article("10.5555/ok.1"), Article("10.5555/ok.2", first_page="2"))
    content = content.replace(b"<issue>2</issue>", b"<issue>2</issue><bogus/>")
    submission = deposit(streaming, content)
    assert submission.status == SubmissionStatus.FAILED
    assert {p["code"] for p in submission.problems} == {ErrorCode.SCHEMA_INVALID}
    first = submission.problems[0]
    assert "bogus" in first["message"]
    assert (first["line"] is not None) == (tree_limit is None)  # line numbers come from the tree
    assert not Work.objects.exists() and not submission.records.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("installed_schema_dir")
def test_a_streamed_file_with_an_entity_is_refused(streaming):
    content = journal_deposit(Article("10.5555/x.1")).replace(
        b"<doi_batch", b'<!DOCTYPE doi_batch [<!ENTITY x "boom">]>\n<doi_batch', 1
    )
    submission = deposit(streaming, content)
    assert [p["code"] for p in submission.problems] == [ErrorCode.ENTITY_FORBIDDEN]
    assert not Work.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("installed_schema_dir")
def test_a_streamed_truncated_file_names_its_line(streaming):
    content = journal_deposit(Article("10.5555/x.1"))
    submission = deposit(streaming, content[: len(content) // 2])
    (found,) = submission.problems
    assert found["code"] == ErrorCode.NOT_WELL_FORMED and found["line"]
    assert not Work.objects.exists()
