"""Helpers of the browser tests: Debian's Chromium, the live server process and artifacts.

Playwright drives the Chromium that Debian installs at ``/usr/bin/chromium``; Playwright's own
browser download is never used (the machine reaches package registries only). Nothing here
imports Playwright at module level, so the tests can be collected — and skipped or failed with
a clear reason — where it is not installed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from core.testing import free_port

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Dialog, Page, ViewportSize

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("CONGVAN_TEST_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags Chromium phones home at start, and this machine's
# closed network refuses (and flags) those connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Chromium resolves *.localhost to loopback by itself, but may try ::1 first while the
    # server listens on 127.0.0.1 only: pin every test host to 127.0.0.1.
    "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEMO_PASSWORD = "demo12345"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
SERVER_START_SECONDS = 30


def missing_requirements() -> str:
    """Why the browser tests cannot run here, or ``""`` when Chromium and Playwright are there."""
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (.venv/bin/pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return ""


def require_browser() -> None:
    """Skip when Chromium or Playwright is missing — except in CI, where that is a failure."""
    reason = missing_requirements()
    if not reason:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


def expect(target: Any) -> Any:
    """Playwright's auto-waiting ``expect``, imported only when a test runs."""
    from playwright.async_api import expect as playwright_expect

    return playwright_expect(target)


def artifact_path(name: str) -> Path:
    """``test-artifacts/<name>.png``, the name made safe for a file name (parametrised ids)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_')}.png"


def is_png(path: Path) -> bool:
    """The file exists, is non-empty and starts with the PNG signature."""
    return (
        path.is_file()
        and path.stat().st_size > len(PNG_SIGNATURE)
        and (path.read_bytes()[: len(PNG_SIGNATURE)] == PNG_SIGNATURE)
    )


@dataclass(frozen=True)
class LiveServer:
    """A running uvicorn process serving the real app, with the demo tenant seeded."""

    port: int
    log: Path

    def url(self, host: str = "demo.localhost", path: str = "/") -> str:
        """``http://<host>:<port><path>`` — ``demo.localhost`` is the demo tenant."""
        return f"http://{host}:{self.port}{path}"

    @property
    def demo(self) -> str:
        """The demo tenant's start page."""
        return self.url()


def server_env(tmp: Path) -> dict[str, str]:
    """The server's environment: its own var dir, SQLite database and in-process broker."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Inherited settings would point the server at a shared database, storage or watcher.
        if not key.startswith("CONGVAN_")
    }
    env.update(
        {
            "CONGVAN_VAR_DIR": str(tmp / "var"),
            "CONGVAN_DATABASE_URL": f"sqlite://{tmp / 'congvan.sqlite3'}",
            "CONGVAN_BROKER_URL": "inprocess://",
            "CONGVAN_BASE_DOMAIN": "localhost",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def _cli(tmp: Path, env: dict[str, str], *args: str) -> None:
    congvan = Path(sys.executable).with_name("congvan")
    done = subprocess.run(
        [str(congvan), *args],
        cwd=tmp,  # not ROOT: a developer's .env there must not leak into the server
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"congvan {' '.join(args)} failed:\n{done.stdout}{done.stderr}"


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        assert process.poll() is None, f"uvicorn exited at start:\n{log.read_text()}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, (
            f"uvicorn did not answer /healthz within {SERVER_START_SECONDS} s:\n{log.read_text()}"
        )
        time.sleep(0.1)


@contextmanager
def live_server_process(tmp: Path) -> Iterator[LiveServer]:
    """Migrate, seed the demo tenant (real CLI), serve with uvicorn; terminate on exit."""
    env = server_env(tmp)
    _cli(tmp, env, "migrate")
    _cli(tmp, env, "demo")
    port = free_port()
    log = tmp / "uvicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "core.web.app:create_app", "--factory"),
                *("--host", "127.0.0.1", "--port", str(port)),
            ],
            cwd=tmp,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(process, port, log)
            yield LiveServer(port=port, log=log)
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def open_as(
    browser: Browser, server: LiveServer, username: str, viewport: ViewportSize | None = None
) -> tuple[BrowserContext, Page]:
    """A browser context of its own (Vietnamese, Vietnam's time zone) signed in to the demo
    tenant as ``username`` (password :data:`DEMO_PASSWORD`) through the login form; its
    dialogs (``confirm()`` before a step) are accepted. The caller closes the context."""
    context = await browser.new_context(
        viewport=viewport or DESKTOP, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(10_000)
    page = await context.new_page()

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.on("dialog", accept)
    await page.goto(server.demo)
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Đăng nhập", exact=True).click()
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    return context, page


async def csrf_token(page: Page) -> str:
    """The CSRF token of the signed-in session, for the JSON API called from the page with
    ``fetch()`` (Playwright's own request client ignores Chromium's host-resolver rules, so
    it cannot reach ``demo.localhost``)."""
    token = await page.locator('input[name="csrf_token"]').first.get_attribute("value")
    assert token, "no CSRF token on the page"
    return token
