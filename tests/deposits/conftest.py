"""Fixtures for the deposit validation tests.

Compiling a Crossref 4.x/5.x schema takes several seconds (MathML 3 and JATS); the registry
keeps each compiled schema for the whole process (deposits/xml/schemas.py), so every test
after the first that uses a schema version pays nothing for it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.conftest import missing_service

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def crossref_schemas(settings, shared_dir):
    """The shared schema folders (per-version sets and the 0.3.1 bundle) for this test."""
    settings.CROSSREF_SCHEMA_DIR = str(shared_dir / "schema")
    return shared_dir / "schema"


@pytest.fixture(scope="session")
def samples_dir(shared_dir) -> Path:
    return shared_dir / "samples" / "deposits"


@pytest.fixture(scope="session")
def installed_schema_dir() -> Path:
    """Run scripts/fetch-schemas once (it is idempotent and locks against parallel runs)
    and return the installed crossref-5.5.0/ folder."""
    install_dir = Path(django_settings.SCHEMA_INSTALL_DIR)
    env = {**os.environ, "SCHEMA_INSTALL_DIR": str(install_dir)}
    try:
        done = subprocess.run(
            [str(REPO / "scripts" / "fetch-schemas")],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        missing_service(f"scripts/fetch-schemas could not run: {exc}")
    if done.returncode != 0:
        missing_service(
            "scripts/fetch-schemas failed (it downloads the pinned commonmeta-py wheel from PyPI): "
            + (done.stderr or done.stdout).strip()[-600:]
        )
    folder = install_dir / "crossref-5.5.0"
    assert (folder / "crossref5.5.0.xsd").is_file(), done.stdout
    return folder


@pytest.fixture(scope="session")
def sample(shared_dir) -> Path:
    """shared/data/crossref-sample (the import_works tests)."""
    return shared_dir / "data" / "crossref-sample"
