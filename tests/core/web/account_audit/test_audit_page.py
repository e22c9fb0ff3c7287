"""The audit trail page (/admin/audit): newest first, filters, pages, the chain check."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from core.audit.services import record_audit
from core.context import Actor, acting_as
from core.db.connection import db
from core.i18n import DISPLAY_TZ
from core.testing_web import HTML


def seqs(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-seq="(\d+)"', page)]


def actions(page: str) -> list[str]:
    body = page.split('data-testid="audit-events"', 1)[-1]
    return re.findall(r"<td><code>([^<]+)</code></td>", body)


def field_error(page: str, name: str) -> str:
    match = re.search(rf'data-field-error="{name}">([^<]*)<', page)
    assert match, f"no error shown for {name}"
    return html.unescape(match.group(1))


def input_value(page: str, name: str) -> str:
    match = re.search(rf'<input id="f-{name}" name="{name}" type="[a-z]+" value="([^"]*)"', page)
    assert match, f"no input {name}"
    return html.unescape(match.group(1))


async def add_events(in_tenant, tenant) -> None:
    """Four events by two people on two kinds of object."""

    async def write() -> None:
        with acting_as(Actor("user", 101, "Nguyễn Văn An")):
            await record_audit(
                "unit.create", object_type="unit", object_id=5, after={"name": "Sở Tư pháp"}
            )
            await record_audit(
                "unit.update",
                object_type="unit",
                object_id=5,
                before={"name": "Sở Tư pháp", "code": "STP"},
                after={"name": "Sở Tư pháp tỉnh", "code": "STP"},
            )
        with acting_as(Actor("user", 102, "Trần Thị Bình")):
            await record_audit("role.create", object_type="role", object_id="thu_ky")
            await record_audit(
                "user.update", object_type="user", object_id=9, before={"a": 1}, after={"b": 2}
            )

    await in_tenant(tenant, write)


async def test_the_trail_is_shown_newest_first_with_who_what_when_and_the_diff(
    page_client, admin, tenant, in_tenant
):
    await add_events(in_tenant, tenant)
    c = await page_client(admin)
    page = await c.get("/admin/audit", headers=HTML)
    assert page.status_code == 200
    shown = seqs(page.text)
    assert shown == sorted(shown, reverse=True) and len(shown) >= 4
    text = html.unescape(page.text)
    assert "Nhật ký hệ thống" in text
    assert "Nguyễn Văn An" in text and "user:101" in text
    # Only the changed key of an update, before → after; the unchanged code is left out.
    assert 'name: "Sở Tư pháp" → "Sở Tư pháp tỉnh"' in text
    assert 'code: "STP" →' not in text
    assert "a: 1 → —" in text and "b: 2" in text
    today = datetime.now(DISPLAY_TZ).strftime("%d/%m/%Y")
    assert re.search(rf">{today} \d\d:\d\d</time>", page.text)
    # The chain check does not run on a plain view.
    assert 'data-testid="verify-ok"' not in page.text
    assert 'data-testid="verify-broken"' not in page.text


async def test_filters_narrow_the_trail(page_client, admin, tenant, in_tenant):
    await add_events(in_tenant, tenant)
    c = await page_client(admin)

    async def listed(**params: str) -> list[str]:
        page = await c.get("/admin/audit", params=params, headers=HTML)
        assert page.status_code == 200, page.text
        return actions(page.text)

    assert await listed(action="unit.") == ["unit.update", "unit.create"]
    assert await listed(action="unit.create") == ["unit.create"]
    assert await listed(actor="user:102") == ["user.update", "role.create"]
    assert await listed(actor="Bình") == ["user.update", "role.create"]
    assert await listed(object_type="role", actor="user:102") == ["role.create"]
    assert await listed(object_type="user", actor="user:102") == ["user.update"]
    assert await listed(object_type="unit", object_id="5") == ["unit.update", "unit.create"]
    assert await listed(object_id="thu_ky") == ["role.create"]
    assert await listed(object_id="777") == []
    today = datetime.now(DISPLAY_TZ).date()
    tomorrow, yesterday = today + timedelta(days=1), today - timedelta(days=1)
    assert await listed(action="unit.", date_from=str(today), date_to=str(today)) == [
        "unit.update",
        "unit.create",
    ]
    assert await listed(action="unit.", date_from=today.strftime("%d/%m/%Y")) == [
        "unit.update",
        "unit.create",
    ]
    assert await listed(action="unit.", date_from=str(tomorrow)) == []
    assert await listed(action="unit.", date_to=yesterday.strftime("%d/%m/%Y")) == []
    page = await c.get("/admin/audit", params={"object_id": "777"}, headers=HTML)
    assert "Không có sự kiện nào khớp bộ lọc." in page.text
    assert input_value(page.text, "object_id") == "777"


async def test_bad_filter_values_are_field_errors_and_the_others_stay(page_client, admin):
    c = await page_client(admin)
    params = {"action": "unit.", "actor": "An", "date_from": "31/02/2024", "date_to": "hôm qua"}
    page = await c.get("/admin/audit", params=params, headers=HTML)
    assert page.status_code == 422
    assert "Ngày không hợp lệ" in field_error(page.text, "date_from")
    assert "Ngày không hợp lệ" in field_error(page.text, "date_to")
    assert input_value(page.text, "action") == "unit."
    assert input_value(page.text, "actor") == "An"
    assert input_value(page.text, "date_to") == "hôm qua"
    assert seqs(page.text) == []
    page = await c.get("/admin/audit", params={"object_id": "5; drop"}, headers=HTML)
    assert page.status_code == 422
    assert "Mã đối tượng không hợp lệ" in field_error(page.text, "object_id")
    page = await c.get(
        "/admin/audit", params={"date_from": "2024-05-02", "date_to": "01/05/2024"}, headers=HTML
    )
    assert page.status_code == 422
    assert "không được trước ngày bắt đầu" in field_error(page.text, "date_to")
    assert input_value(page.text, "date_from") == "2024-05-02"
    # Unicode digits, absurd sizes and numbers past the column's range are refused, not 500.
    for before in ("abc", "²", "9" * 5000, str(10**30)):
        page = await c.get("/admin/audit", params={"before": before}, headers=HTML)
        assert page.status_code == 422, before[:20]
        assert "Vị trí trang không hợp lệ." in page.text
    page = await c.get("/admin/audit", params={"limit": "¹"}, headers=HTML)
    assert page.status_code == 422


async def test_pages_follow_each_other_through_the_database(page_client, admin, tenant, in_tenant):
    async def write() -> None:
        for n in range(5):
            await record_audit(f"bulk.{n}", object_type="thing", object_id=n)

    await in_tenant(tenant, write)
    c = await page_client(admin)
    first = await c.get("/admin/audit", params={"action": "bulk.", "limit": "2"}, headers=HTML)
    assert actions(first.text) == ["bulk.4", "bulk.3"]
    assert 'data-testid="first-page"' not in first.text
    seen: list[str] = actions(first.text)
    page = first
    while 'data-testid="next-page"' in page.text:
        href = html.unescape(re.search(r'href="([^"]+)" rel="next"', page.text).group(1))
        assert "action=bulk." in href and "limit=2" in href  # the filter is kept
        page = await c.get(href, headers=HTML)
        assert page.status_code == 200
        assert 'data-testid="first-page"' in page.text
        seen += actions(page.text)
    assert seen == ["bulk.4", "bulk.3", "bulk.2", "bulk.1", "bulk.0"]


async def test_verify_shows_ok_then_the_first_broken_link_after_tampering(
    page_client, admin, tenant, in_tenant
):
    await add_events(in_tenant, tenant)
    c = await page_client(admin)
    page = await c.get("/admin/audit", params={"verify": "1"}, headers=HTML)
    assert page.status_code == 200
    ok = re.search(r'data-testid="verify-ok">([^<]+)<', page.text)
    assert ok, page.text
    total = max(seqs(page.text))
    assert f"đã kiểm tra {total} sự kiện" in ok.group(1)
    target = await in_tenant(
        tenant,
        lambda: _seq_of("unit.update"),
    )
    await db().execute_script(
        f'UPDATE core_audit_event SET after = \'{{"name": "Giả mạo"}}\' '
        f"WHERE seq = {target} AND tenant_id = {tenant.id}"
    )
    page = await c.get("/admin/audit", params={"verify": "1"}, headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="verify-ok"' not in page.text
    assert 'data-testid="verify-broken"' in page.text
    assert f"Chuỗi nhật ký bị phá vỡ tại sự kiện #{target}." in page.text
    assert f"Nội dung sự kiện #{target} đã bị sửa" in page.text
    assert re.search(rf'<tr data-seq="{target}" data-broken="1">', page.text)


async def _seq_of(action: str) -> int:
    from core.audit.models import AuditEvent

    event = await AuditEvent.get(action=action)
    return event.seq


async def test_the_page_shows_only_the_tenants_own_events(
    page_client, admin, other_tenant, in_tenant
):
    await in_tenant(other_tenant, lambda: record_audit("beta.secret", object_type="x"))
    c = await page_client(admin)
    page = await c.get("/admin/audit", params={"action": "beta."}, headers=HTML)
    assert page.status_code == 200
    assert "beta.secret" not in page.text


async def test_a_clerk_gets_403_naming_the_permission(page_client, account, tenant):
    clerk = await account(tenant, "lan", role="clerk")
    c = await page_client(clerk)
    page = await c.get("/admin/audit", headers=HTML)
    assert page.status_code == 403
    assert 'data-testid="missing-permission">core.audit.view<' in page.text
    verify = await c.get("/admin/audit", params={"verify": "1"}, headers=HTML)
    assert verify.status_code == 403


async def test_the_platform_host_has_no_audit_page(app, client):
    async with client(app, "localhost") as c:
        page = await c.get("/admin/audit", headers=HTML)
    assert page.status_code == 404
