"""A real browser (Debian's chromium, driven by Playwright) against a live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from tests.conftest import missing_service

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        missing_service("Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture
def page(chromium_path, live_server, request):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself are still synchronous, so allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.artifact_dir = ARTIFACTS / request.node.name
        page.artifact_dir.mkdir(parents=True, exist_ok=True)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # ORM calls made while Playwright runs get their own connection (its greenlet
            # has its own context); close it, or it blocks dropping the test database.
            connections.close_all()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def snap(page, name: str) -> None:
    page.screenshot(path=str(page.artifact_dir / f"{name}.png"), full_page=True)
