"""Sign-in and sign-out in a real Chromium against a real server (the kernel's minimal pages).

The browser asks for Vietnamese (``vi-VN``), the pages' source language, so the texts matched
here are the message ids themselves and do not change when a translation does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import DEMO_PASSWORD, LiveServer, artifact_path, expect, is_png

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

pytestmark = pytest.mark.slow

ADMIN_NAME = "Nguyễn Văn Quản"
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."
ADMIN_PAGES = {
    "/admin/units": "Cơ cấu tổ chức",
    "/admin/users": "Người dùng",
    "/admin/roles": "Vai trò",
    "/admin/plugins": "Phân hệ",
    "/admin/audit": "Nhật ký hệ thống",
}
VIEWPORTS = {
    "phone": (390, 844),
    "ipad": (1024, 1366),
    "desktop": (1440, 900),
}


def sign_in_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Đăng nhập", exact=True)


def sign_out_button(page: Page) -> Locator:
    return page.get_by_role("button", name="Đăng xuất", exact=True)


async def sign_in(page: Page, username: str, password: str) -> None:
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    await sign_in_button(page).click()


async def expect_login_form(page: Page) -> None:
    await expect(page.get_by_role("heading", name="Đăng nhập", exact=True)).to_be_visible()
    await expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    await expect(page.get_by_label("Mật khẩu")).to_be_visible()
    await expect(sign_in_button(page)).to_be_visible()


async def expect_signed_in_home(page: Page) -> None:
    await expect(page.get_by_role("heading", name=f"Xin chào, {ADMIN_NAME}")).to_be_visible()
    await expect(page.get_by_test_id("user-name")).to_have_text(ADMIN_NAME)


async def sign_out(page: Page) -> None:
    """Open the user menu in the header and press "Đăng xuất"."""
    await page.get_by_test_id("user-name").click()
    await sign_out_button(page).click()


async def test_sign_in_shows_the_name_and_sign_out_returns_to_the_form(
    page: Page, live_server: LiveServer
) -> None:
    response = await page.goto(live_server.demo)
    assert response is not None and response.status == 200
    await expect_login_form(page)

    await sign_in(page, "admin", DEMO_PASSWORD)

    await expect_signed_in_home(page)
    assert page.url == live_server.demo  # the sign-in redirected back to the start page

    await sign_out(page)

    await expect_login_form(page)
    await expect(page.get_by_text(ADMIN_NAME)).to_have_count(0)
    # Signed out for real: a reload still shows the form, not the user's page.
    await page.reload()
    await expect_login_form(page)


async def test_wrong_password_shows_the_error_and_keeps_the_username(
    page: Page, live_server: LiveServer
) -> None:
    await page.goto(live_server.demo)

    # Not the admin: its failed-sign-in counter stays clean for the other tests.
    await sign_in(page, "chuyenvien2", "not-the-password")

    await expect(page.get_by_role("alert")).to_contain_text(WRONG_LOGIN)
    await expect(page.get_by_label("Tên đăng nhập")).to_have_value("chuyenvien2")
    await expect(page.get_by_label("Mật khẩu")).to_have_value("")
    await expect(sign_out_button(page)).to_have_count(0)


async def test_unknown_host_gives_the_404_page(page: Page, live_server: LiveServer) -> None:
    response = await page.goto(live_server.url("nope.localhost"))

    assert response is not None and response.status == 404
    assert "text/html" in (await response.header_value("content-type") or "")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("404")
    await expect(page.locator("body")).to_contain_text("nope.localhost")
    await expect(page.get_by_label("Tên đăng nhập")).to_have_count(0)


async def test_screenshots_at_phone_ipad_and_desktop_sizes(
    page: Page, live_server: LiveServer
) -> None:
    shots = []
    await page.goto(live_server.demo)
    for name, (width, height) in VIEWPORTS.items():
        await page.set_viewport_size({"width": width, "height": height})
        await expect_login_form(page)
        shots.append(await screenshot(page, f"login-{name}"))

    await sign_in(page, "admin", DEMO_PASSWORD)
    await expect_signed_in_home(page)
    for name, (width, height) in VIEWPORTS.items():
        await page.set_viewport_size({"width": width, "height": height})
        shots.append(await screenshot(page, f"home-{name}"))

    # The main administration pages, each at the three sizes.
    for path, heading in ADMIN_PAGES.items():
        await page.goto(live_server.url(path=path))
        await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        slug = path.strip("/").replace("/", "-")
        for name, (width, height) in VIEWPORTS.items():
            await page.set_viewport_size({"width": width, "height": height})
            shots.append(await screenshot(page, f"{slug}-{name}"))

    assert [shot.name for shot in shots if not is_png(shot)] == []


async def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot in ``test-artifacts/<name>.png``, never one left by a past run."""
    shot = artifact_path(name)
    shot.unlink(missing_ok=True)
    await page.screenshot(path=shot, full_page=True)
    return shot
