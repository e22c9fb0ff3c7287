"""Fixtures of the browser tests: a live server process, Debian's Chromium and a page per test.

``live_server`` (session) is a real uvicorn process on a free port with its own var dir and
SQLite database, migrated and seeded by the real CLI; each pytest-xdist worker starts its own.
``browser`` (session) is one headless Chromium driven by Playwright's async API: tests run in
pytest-asyncio's session loop, and the sync API refuses to run inside a running event loop.
``page`` (test) opens a new browser context asking for Vietnamese (``vi-VN``), so no cookie
leaks between tests; when the test fails, a full-page screenshot is saved as
``test-artifacts/<test name>.png``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    LiveServer,
    artifact_path,
    live_server_process,
    require_browser,
)

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

# Short enough that a broken page fails the test quickly, long enough for argon2 sign-ins.
DEFAULT_TIMEOUT_MS = 10_000
CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body failed: the ``page`` fixture's teardown reads it."""
    report = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app under uvicorn with the demo tenant at ``http://demo.localhost:<port>``."""
    require_browser()
    with live_server_process(tmp_path_factory.mktemp("live_server")) as server:
        yield server
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, f"the live server logged an error:\n{log}"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Debian Chromium for the whole session (never Playwright's download)."""
    require_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    """A page in a fresh browser context; screenshot to ``test-artifacts/`` if the test fails."""
    failure_shot = artifact_path(request.node.name)
    failure_shot.unlink(missing_ok=True)  # a screenshot of an earlier run's failure misleads
    # Vietnamese, the pages' source language: its texts do not change with the catalogues.
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    new_page = await context.new_page()
    try:
        yield new_page
        if request.node.stash.get(CALL_FAILED, False):
            await new_page.screenshot(path=failure_shot, full_page=True)
    finally:
        await context.close()
