"""The pure checks of deposits/rules.py: check digits and DOI syntax."""

from __future__ import annotations

import pytest

from deposits.errors import ErrorCode
from deposits.rules import doi_problem, isbn_problem, issn_problem, orcid_problem


@pytest.mark.parametrize("issn", ["0317-8471", "1050-124X", "2049-3630", "20493630"])
def test_valid_issns(issn):
    assert issn_problem(issn) is None


@pytest.mark.parametrize(("issn", "expected"), [("0317-8472", "1"), ("1050-1241", "X"), ("1234-56", "?")])
def test_invalid_issns_name_the_check_digit(issn, expected):
    assert issn_problem(issn) == expected


@pytest.mark.parametrize("isbn", ["978-0-306-40615-7", "0-306-40615-2", "9781566199094", "0-8044-2957-X"])
def test_valid_isbns(isbn):
    assert isbn_problem(isbn) is None


@pytest.mark.parametrize("isbn", ["978-0-306-40615-6", "0-306-40615-3", "12345", "977-0-306-40615-7"])
def test_invalid_isbns(isbn):
    assert isbn_problem(isbn)


@pytest.mark.parametrize(
    "orcid",
    ["https://orcid.org/0000-0002-1825-0097", "0000-0001-5109-3700", "http://orcid.org/0000-0002-1694-233X"],
)
def test_valid_orcids(orcid):
    assert orcid_problem(orcid) is None


def test_invalid_orcid_names_the_last_character():
    assert orcid_problem("https://orcid.org/0000-0002-1825-0098") == "7"
    assert orcid_problem("not an orcid") == "?"


@pytest.mark.parametrize("doi", ["10.5555/abc.1", "10.123456789/x", "10.5555/a(b)c;d_e-f/g"])
def test_valid_dois(doi):
    assert doi_problem(doi, line=3) is None


@pytest.mark.parametrize(
    ("doi", "code"),
    [
        ("10.555/abc", ErrorCode.DOI_SYNTAX),
        ("11.5555/abc", ErrorCode.DOI_SYNTAX),
        ("10.5555/", ErrorCode.DOI_SYNTAX),
        ("10.5555/" + "a" * 2041, ErrorCode.DOI_SYNTAX),
        ("10.5555/abc def", ErrorCode.DOI_CHARACTERS),
        ("10.5555/abc\u2011def", ErrorCode.DOI_CHARACTERS),
        ("10.5555/a*b", ErrorCode.DOI_CHARACTERS),
    ],
)
def test_invalid_dois_are_named_with_the_line(doi, code):
    found = doi_problem(doi, line=12)
    assert found is not None and found.code == code
    assert "Line 12" in found.message


def test_look_alike_hyphen_is_named_in_the_message():
    found = doi_problem("10.5555/abc\u2011def", line=1)
    assert "'\u2011'" in found.message
