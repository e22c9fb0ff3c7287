"""The org tree pages (/admin/units): the tree, create, edit, move, (de)activate; bad input kept
in the form with Vietnamese messages, stale and repeated forms, permissions in the tree."""

from __future__ import annotations

import html
import re

import pytest

from core.testing_web import HTML, client_for, hidden_fields, sign_in_page, submit_form
from core.web.flash import FLASH_COOKIE

NEW = "/admin/units/new"


def field_error(page: str, name: str) -> str | None:
    match = re.search(rf'data-field-error="{name}">([^<]*)<', page)
    return html.unescape(match.group(1)) if match else None


def input_value(page: str, name: str) -> str | None:
    match = re.search(rf'<input id="f-{name}" name="{name}" type="[^"]+" value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else None


def selected(page: str, name: str) -> str | None:
    block = re.search(rf'<select id="f-{name}".*?</select>', page, flags=re.S)
    assert block, f"no select {name}"
    match = re.search(r'<option value="([^"]*)" selected>', block.group(0))
    return match.group(1) if match else None


def unit_fields(**values: str) -> dict[str, str]:
    fields = {
        "code": "STP",
        "name": "Sở Tư pháp",
        "short_name": "STP",
        "kind": "agency",
        "organ_id": "",
        "organ_id_v2": "",
        "sort_order": "0",
        "parent_id": "",
    }
    fields.update(values)
    return fields


async def units_of(in_tenant, tenant) -> dict[str, object]:
    from core.units.models import Unit

    return {u.code: u for u in await in_tenant(tenant, lambda: Unit.all())}


@pytest.fixture
async def tree(tenant, in_tenant):
    """UBND > (STP > VP, SYT); SYT deactivated."""
    from core.units.services import create_unit, deactivate_unit

    async def build():
        ubnd = await create_unit("UBND", "Ủy ban nhân dân tỉnh", short_name="UBND")
        stp = await create_unit(
            "STP", "Sở Tư pháp", parent_id=ubnd.id, kind="department", organ_id="000.00.31.h41"
        )
        vp = await create_unit("VP", "Văn phòng Sở", parent_id=stp.id, kind="office")
        syt = await create_unit("SYT", "Sở Y tế", parent_id=ubnd.id, organ_id_v2="h37.02")
        await deactivate_unit(syt.id)
        return {"UBND": ubnd, "STP": stp, "VP": vp, "SYT": syt}

    return await in_tenant(tenant, build)


# ---------------------------------------------------------------------------- the tree


async def test_the_tree_nests_units_and_marks_inactive_ones(page_client, admin, tree):
    c = await page_client(admin)
    page = await c.get("/admin/units", headers=HTML)
    assert page.status_code == 200
    text = page.text
    order = re.findall(r'<li data-unit="\d+" data-code="([^"]+)"', text)
    assert order == ["UBND", "STP", "VP", "SYT"]
    # VP sits in the list of STP, which sits in the list of UBND.
    stp_start = text.index('data-code="STP"')
    assert text.index('data-code="VP"') > stp_start
    assert text.index('<ul class="tree">', stp_start) < text.index('data-code="VP"')
    assert re.search(r'data-code="SYT" data-inactive="1"', text)
    assert not re.search(r'data-code="STP" data-inactive', text)
    assert "000.00.31.H41" in text  # OrganId shown, normalised
    assert "H37.02" in text
    assert "ngừng hoạt động" in text
    assert "Phòng, ban" in text  # the kind, translated
    assert f'href="/admin/units/new?parent={tree["STP"].id}"' in text
    assert f'href="/admin/units/new?parent={tree["SYT"].id}"' not in text  # inactive


async def test_a_clerk_sees_the_tree_but_neither_create_nor_edit(
    page_client, account, tenant, tree
):
    clerk = await account(tenant, "lan", role="clerk", unit_id=tree["STP"].id)
    c = await page_client(clerk)
    page = await c.get("/admin/units", headers=HTML)
    assert page.status_code == 200
    assert 'href="/admin/units/new"' not in page.text
    detail = await c.get(f"/admin/units/{tree['STP'].id}", headers=HTML)
    assert detail.status_code == 200
    assert f'action="/admin/units/{tree["STP"].id}"' not in detail.text
    denied = await c.get(NEW, headers=HTML)
    assert denied.status_code == 403
    assert 'data-testid="missing-permission">core.units.manage<' in denied.text


async def test_the_pages_are_not_on_the_platform_host(app, tree):
    async with client_for(app, "localhost") as c:
        assert (await c.get("/admin/units", headers=HTML)).status_code == 404
        assert (await c.get(f"/admin/units/{tree['STP'].id}", headers=HTML)).status_code == 404


# ---------------------------------------------------------------------------- create


async def test_create_a_root_then_a_child_with_the_parent_preselected(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    created = await submit_form(
        c,
        NEW,
        NEW,
        unit_fields(
            code="UBND",
            name="Ủy ban  nhân dân tỉnh",
            short_name="ubnd",
            organ_id="000.00.00.h41",
            organ_id_v2="h41",
        ),
    )
    assert created.status_code == 303
    assert created.headers["location"] == "/admin/units"
    root = (await units_of(in_tenant, tenant))["UBND"]
    assert (root.name, root.short_name, root.level, root.parent_id) == (
        "Ủy ban nhân dân tỉnh",
        "UBND",
        0,
        None,
    )
    assert (root.organ_id, root.organ_id_v2) == ("000.00.00.H41", "H41")
    tree_page = await c.get("/admin/units", headers=HTML)
    assert "Đã tạo đơn vị Ủy ban nhân dân tỉnh." in tree_page.text

    url = f"{NEW}?parent={root.id}"
    form = await c.get(url, headers=HTML)
    assert selected(form.text, "parent_id") == str(root.id)
    assert selected(form.text, "kind") == "department"
    child = await submit_form(
        c, url, NEW, unit_fields(code="STP", parent_id=str(root.id), kind="department")
    )
    assert child.status_code == 303
    stp = (await units_of(in_tenant, tenant))["STP"]
    assert (stp.parent_id, stp.level, stp.path) == (root.id, 1, f"/{root.id}/{stp.id}/")


async def test_invalid_input_is_shown_next_to_each_field_with_the_typed_values(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    typed = unit_fields(
        code="bad code!",
        name="   ",
        short_name="S T",
        organ_id="12.34",
        organ_id_v2="h37-02",
        sort_order="abc",
    )
    response = await submit_form(c, NEW, NEW, typed)
    assert response.status_code == 422
    page = response.text
    assert field_error(page, "name") == "Vui lòng nhập trường này."
    assert field_error(page, "code").startswith("Mã đơn vị gồm 1–50 ký tự")
    assert field_error(page, "short_name").startswith("Tên viết tắt chỉ gồm chữ in hoa")
    assert field_error(page, "organ_id").startswith("Mã định danh theo QCVN 102")
    assert field_error(page, "organ_id_v2").startswith("Mã định danh theo Quyết định 20/2020")
    assert field_error(page, "sort_order").startswith("Thứ tự hiển thị")
    assert input_value(page, "code") == "bad code!"
    assert input_value(page, "organ_id") == "12.34"
    assert input_value(page, "organ_id_v2") == "h37-02"
    assert input_value(page, "short_name") == "S T"
    assert await units_of(in_tenant, tenant) == {}


async def test_a_duplicate_code_is_a_field_error(page_client, admin, tenant, in_tenant, tree):
    c = await page_client(admin)
    response = await submit_form(c, NEW, NEW, unit_fields(code="STP", name="Sở khác"))
    assert response.status_code == 422
    assert field_error(response.text, "code") == "Mã đơn vị này đã được dùng cho một đơn vị khác."
    assert input_value(response.text, "name") == "Sở khác"
    assert len(await units_of(in_tenant, tenant)) == 4


async def test_a_deactivated_parent_is_refused(page_client, admin, tenant, in_tenant, tree):
    c = await page_client(admin)
    response = await submit_form(
        c, NEW, NEW, unit_fields(code="NEW", name="Mới", parent_id=str(tree["SYT"].id))
    )
    assert response.status_code == 422
    assert field_error(response.text, "parent_id").startswith("Đơn vị cha đang ngừng hoạt động")
    assert "NEW" not in await units_of(in_tenant, tenant)


async def test_a_stale_form_changes_nothing_and_keeps_the_values(
    page_client, admin, tenant, in_tenant
):
    c = await page_client(admin)
    page = await c.get(NEW, headers=HTML)
    fields = {**hidden_fields(page.text, NEW), "csrf_token": "stale-token"}
    response = await c.post(
        NEW, data={**fields, **unit_fields(code="UBND", name="Ủy ban")}, headers=HTML
    )
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    assert input_value(response.text, "code") == "UBND"
    assert input_value(response.text, "name") == "Ủy ban"
    assert await units_of(in_tenant, tenant) == {}
    # The re-rendered form carries a fresh token: sending it again works.
    again = await c.post(
        NEW,
        data={**hidden_fields(response.text, NEW), **unit_fields(code="UBND", name="Ủy ban")},
        headers=HTML,
    )
    assert again.status_code == 303
    assert "UBND" in await units_of(in_tenant, tenant)


async def test_a_double_submit_creates_one_unit(page_client, admin, tenant, in_tenant):
    c = await page_client(admin)
    page = await c.get(NEW, headers=HTML)
    data = {**hidden_fields(page.text, NEW), **unit_fields()}
    first = await c.post(NEW, data=data, headers=HTML)
    second = await c.post(NEW, data=data, headers=HTML)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"] == "/admin/units"
    assert FLASH_COOKIE in second.cookies
    assert "Biểu mẫu này đã được gửi." in (await c.get("/admin/units", headers=HTML)).text
    assert list(await units_of(in_tenant, tenant)) == ["STP"]


async def test_a_clerk_cannot_create_a_unit(page_client, account, tenant, in_tenant, tree):
    clerk = await account(tenant, "lan", role="clerk", unit_id=tree["STP"].id)
    c = await page_client(clerk)
    home = await c.get("/admin/units", headers=HTML)
    data = {**hidden_fields(home.text), **unit_fields(code="NEW", parent_id=str(tree["STP"].id))}
    response = await c.post(NEW, data=data, headers=HTML)
    assert response.status_code == 403
    assert 'data-testid="missing-permission">core.units.manage<' in response.text
    edit = await c.post(
        f"/admin/units/{tree['STP'].id}", data={**data, "code": "STP"}, headers=HTML
    )
    assert edit.status_code == 403
    assert 'data-testid="missing-permission">core.units.manage<' in edit.text
    assert "NEW" not in await units_of(in_tenant, tenant)


# ---------------------------------------------------------------------------- edit


async def test_edit_a_unit(page_client, admin, tenant, in_tenant, tree):
    c = await page_client(admin)
    url = f"/admin/units/{tree['STP'].id}"
    page = await c.get(url, headers=HTML)
    assert input_value(page.text, "organ_id") == "000.00.31.H41"
    response = await submit_form(
        c,
        url,
        url,
        unit_fields(
            code="SO-TP",
            name="Sở Tư pháp tỉnh",
            short_name="stp",
            kind="agency",
            organ_id="",
            organ_id_v2="h37.31",
            sort_order="5",
        ),
    )
    assert response.status_code == 303
    assert response.headers["location"] == url
    stp = (await units_of(in_tenant, tenant))["SO-TP"]
    assert (stp.name, stp.short_name, stp.kind, stp.sort_order) == (
        "Sở Tư pháp tỉnh",
        "STP",
        "agency",
        5,
    )
    assert (stp.organ_id, stp.organ_id_v2) == (None, "H37.31")
    assert "Đã lưu đơn vị Sở Tư pháp tỉnh." in (await c.get(url, headers=HTML)).text


async def test_edit_refuses_a_malformed_organ_id_and_a_taken_code(
    page_client, admin, tenant, in_tenant, tree
):
    c = await page_client(admin)
    url = f"/admin/units/{tree['STP'].id}"
    response = await submit_form(c, url, url, unit_fields(code="VP", organ_id="000.00.31"))
    assert response.status_code == 422
    assert field_error(response.text, "organ_id").startswith("Mã định danh theo QCVN 102")
    assert input_value(response.text, "organ_id") == "000.00.31"
    taken = await submit_form(c, url, url, unit_fields(code="VP", name="Đổi tên"))
    assert taken.status_code == 422
    assert field_error(taken.text, "code") == "Mã đơn vị này đã được dùng cho một đơn vị khác."
    assert input_value(taken.text, "name") == "Đổi tên"
    units = await units_of(in_tenant, tenant)
    assert units["STP"].name == "Sở Tư pháp"
    assert units["STP"].organ_id == "000.00.31.H41"


async def test_edit_twice_with_the_same_form_saves_once(
    page_client, admin, tenant, in_tenant, tree
):
    from core.audit.models import AuditEvent

    c = await page_client(admin)
    url = f"/admin/units/{tree['VP'].id}"
    page = await c.get(url, headers=HTML)
    data = {**hidden_fields(page.text, url), **unit_fields(code="VP", name="Văn phòng")}
    assert (await c.post(url, data=data, headers=HTML)).status_code == 303
    second = await c.post(url, data=data, headers=HTML)
    assert second.status_code == 303
    assert "Biểu mẫu này đã được gửi." in (await c.get(url, headers=HTML)).text
    updates = await in_tenant(
        tenant, lambda: AuditEvent.filter(action="unit.update", object_id=str(tree["VP"].id))
    )
    assert len(updates) == 1


async def test_another_tenants_unit_is_not_found(page_client, admin, other_tenant, in_tenant):
    from core.units.services import create_unit

    beta = await in_tenant(other_tenant, lambda: create_unit("BETA", "Đơn vị Beta"))
    c = await page_client(admin)
    url = f"/admin/units/{beta.id}"
    assert (await c.get(url, headers=HTML)).status_code == 404
    home = await c.get("/admin/units", headers=HTML)
    data = {**hidden_fields(home.text), **unit_fields(code="HACK", name="Bị sửa")}
    assert (await c.post(url, data=data, headers=HTML)).status_code == 404
    assert (await c.post(url + "/deactivate", data=data, headers=HTML)).status_code == 404
    foreign_parent = await c.get(f"{NEW}?parent={beta.id}", headers=HTML)
    assert foreign_parent.status_code == 200
    assert selected(foreign_parent.text, "parent_id") is None
    posted = await c.post(NEW, data={**data, "parent_id": str(beta.id)}, headers=HTML)
    assert posted.status_code == 422
    assert field_error(posted.text, "parent_id") == "Đơn vị này không tồn tại."
    unit = (await units_of(in_tenant, other_tenant))["BETA"]
    assert (unit.name, unit.is_active) == ("Đơn vị Beta", True)


async def test_a_unit_admin_manages_only_their_subtree(
    page_client, account, tenant, in_tenant, tree
):
    from core.authz.grants import grant_role

    lead = await account(tenant, "hung", role=None, unit_id=tree["STP"].id)
    await in_tenant(
        tenant,
        lambda: grant_role(lead.user_id, "unit_admin", unit_id=tree["STP"].id, descendants=True),
    )
    c = await page_client(lead)
    inside = f"/admin/units/{tree['VP'].id}"
    ok = await submit_form(c, inside, inside, unit_fields(code="VP", name="Văn phòng STP"))
    assert ok.status_code == 303
    outside = f"/admin/units/{tree['UBND'].id}"
    page = await c.get(outside, headers=HTML)
    assert page.status_code == 200
    assert f'action="{outside}"' not in page.text  # no edit form outside the subtree
    data = {**hidden_fields((await c.get(inside, headers=HTML)).text, inside)}
    denied = await c.post(outside, data={**data, **unit_fields(code="UBND")}, headers=HTML)
    assert denied.status_code == 403
    assert 'data-testid="missing-permission">core.units.manage<' in denied.text
    # A child inside the subtree may be created; a root may not.
    form = await c.get(NEW, headers=HTML)
    assert '<option value="">' not in form.text.split('id="f-parent_id"')[1].split("</select>")[0]
    child = await submit_form(
        c, NEW, NEW, unit_fields(code="TP1", name="Phòng 1", parent_id=str(tree["STP"].id))
    )
    assert child.status_code == 303
    root = await submit_form(c, NEW, NEW, unit_fields(code="ROOT", name="Gốc"))
    assert root.status_code == 403
    units = await units_of(in_tenant, tenant)
    assert units["VP"].name == "Văn phòng STP"
    assert units["UBND"].name == "Ủy ban nhân dân tỉnh"
    assert "TP1" in units and "ROOT" not in units


# ---------------------------------------------------------------------------- move


async def test_move_a_unit_and_refuse_a_cycle(page_client, admin, tenant, in_tenant, tree):
    c = await page_client(admin)
    stp = tree["STP"]
    url = f"/admin/units/{stp.id}"
    move = f"{url}/move"
    cycle = await submit_form(c, url, move, {"parent_id": str(tree["VP"].id)})
    assert cycle.status_code == 422
    assert field_error(cycle.text, "parent_id") == (
        "Không thể chuyển một đơn vị vào đơn vị cấp dưới của chính nó."
    )
    assert selected(cycle.text, "parent_id") == str(tree["VP"].id)
    itself = await submit_form(c, url, move, {"parent_id": str(stp.id)})
    assert itself.status_code == 422
    assert field_error(itself.text, "parent_id") == "Không thể chuyển một đơn vị vào chính nó."
    assert (await units_of(in_tenant, tenant))["STP"].parent_id == tree["UBND"].id

    to_root = await submit_form(c, url, move, {"parent_id": ""})
    assert to_root.status_code == 303
    units = await units_of(in_tenant, tenant)
    assert (units["STP"].parent_id, units["STP"].level) == (None, 0)
    assert (units["VP"].level, units["VP"].path) == (1, f"/{stp.id}/{tree['VP'].id}/")
    assert "Đã chuyển đơn vị Sở Tư pháp." in (await c.get(url, headers=HTML)).text


async def test_a_stale_move_changes_nothing(page_client, admin, tenant, in_tenant, tree):
    c = await page_client(admin)
    url = f"/admin/units/{tree['VP'].id}"
    page = await c.get(url, headers=HTML)
    data = {
        **hidden_fields(page.text, f"{url}/move"),
        "csrf_token": "nope",
        "parent_id": str(tree["UBND"].id),
    }
    response = await c.post(f"{url}/move", data=data, headers=HTML)
    assert response.status_code == 403
    assert selected(response.text, "parent_id") == str(tree["UBND"].id)
    assert (await units_of(in_tenant, tenant))["VP"].parent_id == tree["STP"].id


# ---------------------------------------------------------------------------- (de)activate


async def test_deactivate_with_the_subtree_and_reactivate(
    page_client, admin, tenant, in_tenant, tree
):
    c = await page_client(admin)
    stp = f"/admin/units/{tree['STP'].id}"
    done = await submit_form(c, stp, f"{stp}/deactivate", {})
    assert done.status_code == 303
    units = await units_of(in_tenant, tenant)
    assert (units["STP"].is_active, units["VP"].is_active) == (False, False)
    page = await c.get(stp, headers=HTML)
    assert 'data-testid="unit-inactive"' in page.text
    # The child cannot come back while its parent is deactivated.
    vp = f"/admin/units/{tree['VP'].id}"
    refused = await submit_form(c, vp, f"{vp}/activate", {})
    assert refused.status_code == 422
    assert "Đơn vị cấp trên đang ngừng hoạt động" in refused.text
    # Only the unit, then the subtree as well.
    assert (await submit_form(c, stp, f"{stp}/activate", {})).status_code == 303
    units = await units_of(in_tenant, tenant)
    assert (units["STP"].is_active, units["VP"].is_active) == (True, False)
    assert (await submit_form(c, stp, f"{stp}/deactivate", {})).status_code == 303
    again = await submit_form(c, stp, f"{stp}/activate", {"descendants": "on"})
    assert again.status_code == 303
    units = await units_of(in_tenant, tenant)
    assert (units["STP"].is_active, units["VP"].is_active) == (True, True)


# ---------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
async def test_create_and_edit_a_unit_through_the_pages_on_postgres(pg_app, account, in_tenant):
    app, alpha, _beta = pg_app
    await account(alpha, "admin")
    async with client_for(app, "alpha.localhost") as c:
        assert (await sign_in_page(c, "admin")).status_code == 303
        created = await submit_form(c, NEW, NEW, unit_fields(organ_id="000.00.31.H41"))
        assert created.status_code == 303
        stp = (await units_of(in_tenant, alpha))["STP"]
        url = f"/admin/units/{stp.id}"
        duplicate = await submit_form(c, NEW, NEW, unit_fields(name="Trùng mã"))
        assert duplicate.status_code == 422
        edited = await submit_form(c, url, url, unit_fields(name="Sở Tư pháp tỉnh"))
        assert edited.status_code == 303
    units = await units_of(in_tenant, alpha)
    assert list(units) == ["STP"]
    assert units["STP"].name == "Sở Tư pháp tỉnh"
