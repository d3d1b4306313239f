"""The web pages in a real browser: Debian's chromium, driven by Playwright, against the whole
stack with the training environment's demo users and requests (as ``./deploy/run`` prepares
them). deploy/test installs chromium; ``IMI_CHROMIUM`` names another binary.

Screenshots of the pages go to var/test-artifacts/screenshots/, for a person to look at.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from gateway.web.vendor import packages
from tests.e2e.test_demo_through_gateway import demo_users_loaded, e2e_config  # noqa: F401
from tests.smtp import DevMailServer

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "test-artifacts" / "screenshots"


@pytest.fixture
def smtp(tmp_path):
    """The development mail server in its own process (see tests/smtp.py, DevMailServer)."""
    server = DevMailServer(tmp_path / "mail")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Browser:
    """One chromium per test module.

    Playwright's synchronous API keeps its asyncio loop marked as running in this thread for
    as long as Playwright lives (its loop runs in a greenlet), which stops any other asyncio
    loop here, such as the in-process SMTP server of later tests (tests/smtp.py). So at the
    end of the module the browser is closed and the mark is taken off. Playwright's driver is
    left to end with the test process: stopping it waits for the child's exit through
    asyncio's child watcher, a thread that eventlet's patching turns into a green thread that
    never wakes."""
    binary = os.environ.get("IMI_CHROMIUM") or shutil.which("chromium")
    if binary is None:
        pytest.fail("no chromium: ./deploy/test installs Debian's package")
    playwright = sync_playwright().start()
    launched = playwright.chromium.launch(executable_path=binary, args=["--no-sandbox"])
    yield launched
    launched.close()
    asyncio._set_running_loop(None)


@pytest.fixture
def page(browser: Browser, stack) -> Page:
    """A fresh browser profile (no cookies) on the stack's address."""
    context = browser.new_context(
        base_url=f"http://{stack.config['WEB_SERVER_ADDRESS']}", locale="en-GB"
    )
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return packages()["axe-core"].path("axe.min.js").read_text(encoding="utf-8")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def accessibility_violations(page: Page, axe_source: str) -> list[dict]:
    """axe-core's serious and critical violations of WCAG 2.1 A and AA on the page as shown.
    The script is evaluated through the browser's debugging protocol, which the page's
    Content-Security-Policy does not govern (the page itself runs no inline script)."""
    results = page.evaluate(
        axe_source + ";axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": found["id"], "impact": found["impact"],
         "nodes": [node["target"] for node in found["nodes"]]}
        for found in results["violations"]
        if found["impact"] in ("serious", "critical")
    ]  # fmt: skip
