"""The administration flows of issue 3 in a real Chromium against a real server process.

A tenant admin builds part of the org tree, creates a user, grants a role and switches a plugin
off and on (its menu entry goes and comes back); a platform admin creates a tenant whose first
admin then signs in on the new host. Texts are the Vietnamese source strings (``vi-VN``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from browser_support import DEMO_PASSWORD, LiveServer, expect

if TYPE_CHECKING:
    from playwright.async_api import Dialog, Page

pytestmark = pytest.mark.slow


async def sign_in(page: Page, url: str, username: str, password: str) -> None:
    await page.goto(url)
    await page.get_by_label("Tên đăng nhập").fill(username)
    await page.get_by_label("Mật khẩu").fill(password)
    await page.get_by_role("button", name="Đăng nhập", exact=True).click()
    await expect(page.get_by_test_id("user-name")).to_be_visible()


def accept_confirmations(page: Page) -> None:
    """Say yes to the ``data-confirm`` questions (Playwright dismisses dialogs by default)."""

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.on("dialog", accept)


async def option_value(page: Page, select_id: str, text: str) -> str:
    """The value of the option of ``<select id=…>`` whose label contains ``text``."""
    option = page.locator(f"#{select_id} option", has_text=text)
    value = await option.first.get_attribute("value")
    assert value, f"no option {text!r} in #{select_id}"
    return value


async def test_a_tenant_admin_builds_the_org_grants_a_role_and_toggles_a_plugin(
    page: Page, live_server: LiveServer, browser
) -> None:
    accept_confirmations(page)
    await sign_in(page, live_server.demo, "admin", DEMO_PASSWORD)

    # A unit under Sở Tư pháp.
    await page.get_by_role("link", name="Cơ cấu tổ chức").first.click()
    await page.get_by_role("link", name="Tạo đơn vị", exact=True).click()
    await page.get_by_label("Mã đơn vị").fill("STP-CNTT")
    await page.locator("#f-name").fill("Phòng Công nghệ thông tin")
    parent = await option_value(page, "f-parent_id", "(STP)")
    await page.get_by_label("Đơn vị cha").select_option(parent)
    await page.get_by_role("button", name="Tạo đơn vị").click()
    nested = page.locator('li[data-code="STP"] li[data-code="STP-CNTT"]')
    await expect(nested).to_contain_text("Phòng Công nghệ thông tin")

    # A user working in it.
    await page.goto(live_server.url(path="/admin/users/new"))
    await page.get_by_label("Tên đăng nhập").fill("chuyenvien3")
    await page.get_by_label("Họ và tên").fill("Đỗ Văn Bình")
    await page.get_by_label("Mật khẩu ban đầu").fill("Mat-khau-moi-2026")
    unit = await option_value(page, "f-unit_id", "(STP-CNTT)")
    await page.get_by_label("Đơn vị công tác chính").select_option(unit)
    await page.get_by_label("Chức vụ").fill("Chuyên viên")
    await page.get_by_role("button", name="Tạo người dùng").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Đỗ Văn Bình")

    # The specialist role on the new unit.
    await page.get_by_test_id("user-roles").click()
    await page.get_by_label("Vai trò cần cấp").select_option("specialist")
    await page.get_by_label("Đơn vị áp dụng").select_option(unit)
    await page.get_by_role("button", name="Cấp vai trò").click()
    await expect(page.locator(".flash-success")).to_be_visible()
    await expect(page.locator("table")).to_contain_text("Phòng Công nghệ thông tin")

    # The new user signs in and works for the new unit, with the specialist's menu.
    other = await browser.new_context(locale="vi-VN")
    try:
        user_page = await other.new_page()
        await sign_in(user_page, live_server.demo, "chuyenvien3", "Mat-khau-moi-2026")
        await expect(user_page.get_by_test_id("current-unit")).to_have_text(
            "Phòng Công nghệ thông tin"
        )
        await expect(user_page.locator('[data-menu="example.notes"]')).to_be_visible()
        await expect(user_page.locator('[data-menu="core.plugins"]')).to_have_count(0)
    finally:
        await other.close()

    # The example plugin off: its menu entry goes; on again: it comes back.
    menu_entry = page.locator('nav [data-menu="example.notes"]')
    await page.goto(live_server.url(path="/admin/plugins"))
    await expect(menu_entry).to_be_visible()
    row = page.locator('tr[data-plugin="example"]')
    await row.get_by_role("button", name="Tắt").click()
    await expect(row.get_by_test_id("plugin-state")).to_have_text("đang tắt")
    await expect(menu_entry).to_have_count(0)
    assert (await page.goto(live_server.url(path="/example/"))).status == 404
    await page.goto(live_server.url(path="/admin/plugins"))
    await row.get_by_role("button", name="Bật").click()
    await expect(row.get_by_test_id("plugin-state")).to_have_text("đang bật")
    await expect(menu_entry).to_be_visible()
    await menu_entry.click()
    await expect(page.get_by_role("heading", name="Ghi chú")).to_be_visible()


async def test_a_platform_admin_creates_a_tenant_whose_admin_signs_in(
    page: Page, live_server: LiveServer
) -> None:
    await sign_in(page, live_server.url("localhost"), "platform", DEMO_PASSWORD)
    await page.locator('nav [data-menu="platform.tenants"]').click()
    form = page.get_by_test_id("create-tenant")
    await form.locator("#f-slug").fill("thu-nghiem")
    await form.get_by_label("Tên đơn vị sử dụng").fill("UBND tỉnh Thử Nghiệm")
    await form.get_by_label("Tên đăng nhập").fill("quantri")
    await form.get_by_label("Họ và tên").fill("Lê Văn Thử")
    await form.get_by_label("Mật khẩu").fill("Mat-khau-thu-2026")
    await form.get_by_role("button", name="Tạo đơn vị sử dụng").click()
    await expect(page.locator(".flash-success")).to_contain_text("thu-nghiem.localhost")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("UBND tỉnh Thử Nghiệm")

    await page.goto(live_server.url("thu-nghiem.localhost", "/logout"))  # a new host: no session
    await sign_in(page, live_server.url("thu-nghiem.localhost"), "quantri", "Mat-khau-thu-2026")
    await expect(page.get_by_test_id("user-name")).to_have_text("Lê Văn Thử")
    await expect(page.locator("header .brand")).to_contain_text("UBND tỉnh Thử Nghiệm")
    await expect(page.locator('nav [data-menu="core.units"]')).to_be_visible()
