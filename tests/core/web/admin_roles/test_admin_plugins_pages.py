"""The plugins pages: the list, enable/disable (the menu follows), the settings form generated
from the typed settings model, its validation errors, permissions, stale and repeated forms."""

from __future__ import annotations

import enum
import re
from typing import Literal

from pydantic import BaseModel, Field

from core import PluginInfo, hookimpl
from core.testing_web import HTML, csrf_of, hidden_fields, submit_form

LIST = "/admin/plugins"
SETTINGS = "/admin/plugins/example"


def menu_keys(page: str) -> list[str]:
    return re.findall(r'data-menu="([^"]+)"', page)


def row_of(page: str, name: str) -> str:
    match = re.search(rf'<tr data-plugin="{name}"[^>]*>(.*?)</tr>', page, flags=re.S)
    assert match, f"no row for plugin {name}"
    return match.group(1)


async def stored_settings(in_tenant, tenant):
    from core.tenancy.plugins import get_tenant_plugin

    view = await in_tenant(tenant, lambda: get_tenant_plugin("example"))
    return view.enabled, view.settings


async def test_the_list_shows_installed_plugins_and_their_state(page_client, admin):
    c = await page_client(admin)
    page = await c.get(LIST, headers=HTML)
    assert page.status_code == 200
    example = row_of(page.text, "example")
    assert "Ghi chú mẫu" in example
    assert "Example notes" not in example
    assert "0.1.0" in example
    assert "A tiny plugin that exercises every hook family." in example
    assert "đang bật" in example
    assert 'action="/admin/plugins/example/disable"' in example
    assert 'href="/admin/plugins/example"' in example
    core = row_of(page.text, "core")
    assert "thiết yếu" in core
    assert "/disable" not in core


async def test_disabling_hides_the_menu_entry_and_enabling_brings_it_back(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    assert "example.notes" in menu_keys((await c.get("/", headers=HTML)).text)
    response = await submit_form(c, LIST, f"{LIST}/example/disable", {})
    assert response.status_code == 303
    assert await stored_settings(in_tenant, tenant) == (
        False,
        {"greeting": "Xin chào", "max_notes": 100},
    )
    page = await c.get(LIST, headers=HTML)
    assert "Đã tắt phân hệ Ghi chú mẫu" in page.text
    assert "đang tắt" in row_of(page.text, "example")
    home = await c.get("/", headers=HTML)
    assert "example.notes" not in menu_keys(home.text)
    assert (await c.get("/example/", headers=HTML)).status_code == 404

    response = await submit_form(c, LIST, f"{LIST}/example/enable", {})
    assert response.status_code == 303
    assert "example.notes" in menu_keys((await c.get("/", headers=HTML)).text)
    assert (await c.get("/example/", headers=HTML)).status_code == 200


async def test_an_essential_plugin_cannot_be_disabled(page_client, admin, tenant, in_tenant):
    from core.tenancy.models import TenantPlugin

    c = await page_client(admin)
    page = await c.get(LIST, headers=HTML)
    response = await c.post(
        f"{LIST}/core/disable", data={"csrf_token": csrf_of(page.text)}, headers=HTML
    )
    assert response.status_code == 409
    assert "Phân hệ Nhân hệ thống là phân hệ thiết yếu nên luôn được bật." in response.text
    assert not await TenantPlugin.filter(tenant_id=tenant.id, plugin="core").exists()


async def test_a_stale_or_repeated_switch_changes_nothing_more(
    page_client, admin, tenant, in_tenant
):
    from core.audit.models import AuditEvent

    c = await page_client(admin)
    page = await c.get(LIST, headers=HTML)
    action = f"{LIST}/example/disable"
    fields = hidden_fields(page.text, action)
    stale = await c.post(action, data={**fields, "csrf_token": "forged"}, headers=HTML)
    assert stale.status_code == 403
    assert "Biểu mẫu đã hết hạn" in stale.text
    assert (await stored_settings(in_tenant, tenant))[0] is True
    first = await c.post(action, data=fields, headers=HTML)
    second = await c.post(action, data=fields, headers=HTML)
    assert first.status_code == second.status_code == 303
    assert "Biểu mẫu này đã được gửi." in (await c.get(LIST, headers=HTML)).text
    count = await in_tenant(tenant, lambda: AuditEvent.filter(action="plugin.disable").count())
    assert count == 1


async def test_the_settings_form_is_generated_from_the_model(page_client, admin):
    c = await page_client(admin)
    page = await c.get(SETTINGS, headers=HTML)
    assert page.status_code == 200
    assert 'id="f-greeting" name="greeting" type="text" value="Xin chào"' in page.text
    assert 'maxlength="100"' in page.text
    assert 'id="f-max_notes" name="max_notes" type="number" value="100"' in page.text
    assert 'min="1"' in page.text
    assert 'max="1000"' in page.text
    assert "How many notes a tenant may keep." in page.text  # the field's description


async def test_saving_settings_reaches_the_plugin(page_client, admin, tenant, in_tenant):
    c = await page_client(admin)
    data = {"greeting": "Chào các bạn", "max_notes": "5"}
    response = await submit_form(c, SETTINGS, SETTINGS, data)
    assert response.status_code == 303
    assert response.headers["location"] == SETTINGS
    assert await stored_settings(in_tenant, tenant) == (
        True,
        {"greeting": "Chào các bạn", "max_notes": 5},
    )
    page = await c.get(SETTINGS, headers=HTML)
    assert "Đã lưu thiết lập của phân hệ Ghi chú mẫu." in page.text
    assert 'value="Chào các bạn"' in page.text
    assert "Chào các bạn" in (await c.get("/example/", headers=HTML)).text
    # Nothing changed: nothing is saved, and the page says so.
    response = await submit_form(c, SETTINGS, SETTINGS, data)
    assert response.status_code == 303
    assert "Không có thay đổi nào." in (await c.get(SETTINGS, headers=HTML)).text


async def test_invalid_settings_are_shown_next_to_their_fields(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    data = {"greeting": "Chào", "max_notes": "5000"}
    response = await submit_form(c, SETTINGS, SETTINGS, data)
    assert response.status_code == 422
    error = re.search(r'data-field-error="max_notes">([^<]+)<', response.text)
    assert error
    assert error.group(1) == "Giá trị phải nhỏ hơn hoặc bằng 1000."
    assert 'name="max_notes" type="number" value="5000"' in response.text
    assert 'name="greeting" type="text" value="Chào"' in response.text
    response = await submit_form(c, SETTINGS, SETTINGS, {"greeting": "x" * 101, "max_notes": "abc"})
    assert response.status_code == 422
    assert "Vui lòng nhập một số nguyên." in response.text
    assert "Tối đa 100 ký tự." in response.text
    assert 'value="abc"' in response.text
    assert await stored_settings(in_tenant, tenant) == (
        True,
        {"greeting": "Xin chào", "max_notes": 100},
    )


async def test_a_stale_settings_form_keeps_the_values_and_saves_nothing(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    page = await c.get(SETTINGS, headers=HTML)
    data = {
        **hidden_fields(page.text, SETTINGS),
        "csrf_token": "forged",
        "greeting": "Mới",
        "max_notes": "7",
    }
    response = await c.post(SETTINGS, data=data, headers=HTML)
    assert response.status_code == 403
    assert 'value="Mới"' in response.text
    assert await stored_settings(in_tenant, tenant) == (
        True,
        {"greeting": "Xin chào", "max_notes": 100},
    )


async def test_unknown_plugins_are_not_found(page_client, admin):
    c = await page_client(admin)
    assert (await c.get(f"{LIST}/nope", headers=HTML)).status_code == 404
    page = await c.get(LIST, headers=HTML)
    data = {"csrf_token": csrf_of(page.text)}
    assert (await c.post(f"{LIST}/nope", data=data, headers=HTML)).status_code == 404
    assert (await c.post(f"{LIST}/nope/enable", data=data, headers=HTML)).status_code == 404


async def test_a_clerk_may_not_manage_plugins(page_client, account, tenant, in_tenant):
    clerk = await account(tenant, "lan", role="clerk")
    c = await page_client(clerk)
    for url in (LIST, SETTINGS):
        page = await c.get(url, headers=HTML)
        assert page.status_code == 403
        assert 'data-testid="missing-permission">core.plugins.manage<' in page.text
    home = await c.get("/", headers=HTML)
    data = {"csrf_token": csrf_of(home.text)}
    assert (await c.post(f"{LIST}/example/disable", data=data, headers=HTML)).status_code == 403
    assert (await stored_settings(in_tenant, tenant))[0] is True


# ---------------------------------------------------------------- every kind of field


class Colour(enum.Enum):
    RED = "do"
    BLUE = "xanh"


class RichSettings(BaseModel):
    title: str = Field("Tiêu đề", title="Tiêu đề / Title", description="Dòng đầu / First line")
    ratio: float = Field(0.5, ge=0, le=1)
    public: bool = False
    mode: Literal["nhanh", "cham"] = "nhanh"
    colour: Colour = Colour.RED
    limit: int | None = None
    tags: list[str] = Field(default_factory=list)


class RichPlugin:
    @staticmethod
    @hookimpl
    def plugin_info() -> PluginInfo:
        return PluginInfo(
            name="rich", version="2.0", title="Đủ loại / Rich", settings_model=RichSettings
        )


async def test_every_field_type_gets_its_input(
    page_client, admin, register_plugin, tenant, in_tenant
):
    from core.tenancy.plugins import get_tenant_plugin

    register_plugin(RichPlugin())
    c = await page_client(admin)
    url = "/admin/plugins/rich"
    page = (await c.get(url, headers=HTML)).text
    assert "Tiêu đề" in page and "Dòng đầu" in page and "First line" not in page
    assert 'name="ratio" type="number" value="0.5"' in page
    assert 'step="any"' in page
    assert 'name="public" type="checkbox" value="on">' in page
    assert '<select id="f-mode" name="mode"' in page
    assert '<option value="cham">' in page
    assert '<option value="do" selected>' in page
    assert '<textarea id="f-tags" name="tags"' in page
    data = {
        "title": "Mới",
        "ratio": "0,25",
        "public": "on",
        "mode": "cham",
        "colour": "xanh",
        "limit": "",
        "tags": '["a", "b"]',
    }
    response = await submit_form(c, url, url, data)
    assert response.status_code == 303, response.text
    view = await in_tenant(tenant, lambda: get_tenant_plugin("rich"))
    assert view.settings == {
        "title": "Mới",
        "ratio": 0.25,
        "public": True,
        "mode": "cham",
        "colour": "xanh",
        "limit": None,
        "tags": ["a", "b"],
    }
    page = (await c.get(url, headers=HTML)).text
    assert 'name="public" type="checkbox" value="on" checked' in page
    bad = {**data, "mode": "bay", "ratio": "2", "tags": "[oops", "limit": "x"}
    response = await submit_form(c, url, url, bad)
    assert response.status_code == 422
    errors = dict(re.findall(r'data-field-error="(\w+)">([^<]+)<', response.text))
    assert errors["tags"] == "Giá trị JSON không hợp lệ."
    # The JSON error stops the form before the model runs; fix it to see the model's errors.
    response = await submit_form(c, url, url, {**bad, "tags": "[]"})
    assert response.status_code == 422
    errors = dict(re.findall(r'data-field-error="(\w+)">([^<]+)<', response.text))
    assert errors == {
        "mode": "Vui lòng chọn một giá trị trong danh sách.",
        "ratio": "Giá trị phải nhỏ hơn hoặc bằng 1.",
        "limit": "Vui lòng nhập một số nguyên.",
    }
    assert 'value="2"' in response.text
    view = await in_tenant(tenant, lambda: get_tenant_plugin("rich"))
    assert view.settings["mode"] == "cham"
