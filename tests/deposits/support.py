"""Helpers shared by the endpoint, page and command tests of deposits: a depositing
organisation with a prefix and a role login, real sample files, and the check that the
deposit parser (written separately) is there before a test needs real processing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts import services as accounts_services
from accounts.models import DepositCredential, Organisation
from tests.factories import OrganisationFactory, PrefixFactory

# Crossref's own example article: DOIs 10.5555/ScF8aU8 (the journal) and 10.5555/n0HRokm.
ARTICLE = "crossref__journal.article5.3.1.xml"
ARTICLE_DOIS = ("10.5555/scf8au8", "10.5555/n0hrokm")
ARTICLE_DOIS_AS_WRITTEN = ("10.5555/ScF8aU8", "10.5555/n0HRokm")  # as the log names them
ARTICLE_BATCH_ID = "test.x"


def needs_parser() -> None:
    """Skip until deposits/xml/parse (another piece of work) provides parse_deposit_tree."""
    parse = pytest.importorskip("deposits.xml.parse")
    if not hasattr(parse, "parse_deposit_tree"):
        pytest.skip("deposits.xml.parse has no parse_deposit_tree yet")


@dataclass
class Depositor:
    organisation: Organisation
    credential: DepositCredential
    username: str
    password: str

    def fields(self) -> dict[str, str]:
        return {"login_id": self.username, "login_passwd": self.password}


def depositor(prefix: str = "10.5555", username: str = "sample-press", **organisation_fields) -> Depositor:
    organisation = OrganisationFactory(**organisation_fields)
    if prefix:
        PrefixFactory(value=prefix, organisation=organisation)
    credential, password = accounts_services.credential_create_role(
        organisation=organisation, username=username, actor=None, label="publishing system"
    )
    return Depositor(organisation, credential, username, password)


def sample(shared_dir: Path, name: str = ARTICLE) -> bytes:
    return (shared_dir / "samples" / "deposits" / name).read_bytes()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Stored deposit files go to this test's own folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
