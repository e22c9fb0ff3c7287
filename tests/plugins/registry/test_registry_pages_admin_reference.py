"""Pages of the reference data (``/registry/reference``): tabs per kind, the read-only view,
adding and editing items (code fixed, never deleted: deactivated), field errors with the
typed values kept, a stale form, a double submit, and the 403 naming the permission."""

# ruff: noqa: F811 (fixtures imported from the support module)
from __future__ import annotations

from pages_admin_support import field_error, flash_of, follow, form_error, post_form, staff  # noqa: F401

from core.context import tenant_context
from core.testing_web import HTML, assert_csp_clean, hidden_fields
from plugins.registry.models import DocumentType, RetentionPeriod, UrgencyLevel

BASE = "/registry/reference"
NEW_TYPE = f"{BASE}/document-types/new"


async def test_tabs_list_every_kind_for_the_admin(staff):
    admin = staff["admin"].c
    r = await admin.get(BASE, headers=HTML)
    assert r.status_code == 200
    assert_csp_clean(r)
    for kind in (
        "document-types",
        "copy-forms",
        "urgency-levels",
        "confidentiality-levels",
        "retention-periods",
    ):
        assert f'href="{BASE}/{kind}"' in r.text
    assert 'aria-current="page"' in r.text.split('data-kind="document-types"')[1].split(">")[0]
    assert 'data-code="quyet_dinh"' in r.text and "QĐ" in r.text
    assert f'href="{NEW_TYPE}"' in r.text
    r = await admin.get(f"{BASE}/urgency-levels", headers=HTML)
    assert "Hỏa tốc" in r.text and 'data-code="hoa_toc"' in r.text
    # The most urgent first, as the service orders them.
    assert r.text.index('data-code="hoa_toc"') < r.text.index('data-code="khan"')
    r = await admin.get(f"{BASE}/retention-periods", headers=HTML)
    assert "Vĩnh viễn" in r.text and "70 năm" in r.text
    assert (await admin.get(f"{BASE}/nope", headers=HTML)).status_code == 404


async def test_view_holders_read_only_and_others_get_403(staff):
    lan = staff["lan"].c  # a specialist: registry.reference.view only
    r = await lan.get(f"{BASE}/copy-forms", headers=HTML)
    assert r.status_code == 200
    assert 'data-testid="reference-read-only"' in r.text and "Bản sao y" in r.text
    assert "/new" not in r.text and "/edit" not in r.text
    r = await lan.get(NEW_TYPE, headers=HTML)
    assert r.status_code == 403 and "registry.reference.manage" in r.text
    r = await lan.get(f"{BASE}/document-types/quyet_dinh/edit", headers=HTML)
    assert r.status_code == 403 and "registry.reference.manage" in r.text
    # A unit admin manages registries, not the tenant's reference data.
    ua = staff["ua"].c
    r = await ua.post(NEW_TYPE, data={"code": "x", "name": "X"}, headers=HTML)
    assert r.status_code == 403 and "registry.reference.manage" in r.text


async def test_adding_an_item_end_to_end(staff, tenant):
    admin = staff["admin"].c
    data = {
        "code": "quyet_dinh_ky_luat",
        "name": "Quyết định kỷ luật",
        "abbreviation": "QĐKL",
        "notation_pattern": "{type}-{agency}-TCCB",
        "sort_order": "500",
        "is_active": "on",
    }
    r = await post_form(admin, NEW_TYPE, NEW_TYPE, data)
    shown = await follow(admin, r)
    assert r.headers["location"] == f"{BASE}/document-types"
    assert "Đã thêm “Quyết định kỷ luật”." in flash_of(shown.text)
    assert 'data-code="quyet_dinh_ky_luat"' in shown.text
    with tenant_context(tenant):
        item = await DocumentType.get(code="quyet_dinh_ky_luat")
    assert (item.abbreviation, item.notation_pattern, item.sort_order, item.is_active) == (
        "QĐKL",
        "{type}-{agency}-TCCB",
        500,
        True,
    )
    # A retention period without years is permanent.
    new = f"{BASE}/retention-periods/new"
    r = await post_form(admin, new, new, {"code": "p30", "name": "30 năm", "years": "30"})
    assert r.status_code == 303
    with tenant_context(tenant):
        assert (await RetentionPeriod.get(code="p30")).years == 30


async def test_invalid_input_keeps_the_values_and_saves_nothing(staff, tenant):
    admin = staff["admin"].c
    with tenant_context(tenant):
        before = await DocumentType.all().count()
    data = {
        "code": "Sai Mã",
        "name": "",
        "abbreviation": "Q Đ",
        "notation_pattern": "{loai}-{agency}",
        "sort_order": "mười",
    }
    r = await post_form(admin, NEW_TYPE, NEW_TYPE, data)
    assert r.status_code == 422
    assert field_error(r.text, "name") == "Vui lòng nhập trường này."
    assert field_error(r.text, "sort_order") == "Nhập một số nguyên."
    assert 'value="Sai Mã"' in r.text and 'value="{loai}-{agency}"' in r.text
    # With the page's own checks passed, the service's messages come next to their fields.
    data.update(name="Loại mới", sort_order="10")
    r = await post_form(admin, NEW_TYPE, NEW_TYPE, data, page=r.text)
    assert r.status_code == 422
    assert "chữ thường không dấu" in (field_error(r.text, "code") or "")
    data["code"] = "loai_moi"
    r = await post_form(admin, NEW_TYPE, NEW_TYPE, data, page=r.text)
    assert field_error(r.text, "abbreviation") == "Không được chứa khoảng trắng hoặc dấu /."
    data["abbreviation"] = "LM"
    r = await post_form(admin, NEW_TYPE, NEW_TYPE, data, page=r.text)
    assert "{loai}" in (field_error(r.text, "notation_pattern") or "")
    # A code that exists is a conflict on the code field.
    data.update(code="quyet_dinh", notation_pattern="")
    r = await post_form(admin, NEW_TYPE, NEW_TYPE, data, page=r.text)
    assert r.status_code == 409
    assert field_error(r.text, "code") == "Mã này đã được dùng cho một mục khác."
    with tenant_context(tenant):
        assert await DocumentType.all().count() == before


async def test_editing_keeps_the_code_and_deactivates(staff, tenant):
    admin = staff["admin"].c
    url = f"{BASE}/urgency-levels/khan/edit"
    r = await admin.get(url, headers=HTML)
    assert r.status_code == 200
    assert 'data-testid="fixed-code">khan<' in r.text and 'name="code"' not in r.text
    # Unticking "Đang sử dụng" deactivates; a code sent along changes nothing.
    data = {"name": "Khẩn (ưu tiên)", "weight": "1", "sort_order": "20", "code": "khac"}
    r = await post_form(admin, url, url, data, page=r.text)
    shown = await follow(admin, r)
    assert "Đã lưu “Khẩn (ưu tiên)”." in flash_of(shown.text)
    row = shown.text.split('data-code="khan"')[1].split("</tr>")[0]
    assert "Ngừng sử dụng" in row
    with tenant_context(tenant):
        item = await UrgencyLevel.get(code="khan")
        assert not await UrgencyLevel.exists(code="khac")
    assert (item.name, item.is_active) == ("Khẩn (ưu tiên)", False)
    # A bad weight keeps the typed values.
    r = await post_form(admin, url, url, {"name": "Khẩn", "weight": "5000", "is_active": "on"})
    assert r.status_code == 422
    assert field_error(r.text, "weight") == "Số nguyên từ -1000 đến 1000."
    assert 'value="5000"' in r.text
    assert (
        await admin.get(f"{BASE}/urgency-levels/khong_co/edit", headers=HTML)
    ).status_code == 404


async def test_a_stale_form_and_a_double_submit(staff, tenant):
    admin = staff["admin"].c
    page = (await admin.get(NEW_TYPE, headers=HTML)).text
    data = {"code": "loai_a", "name": "Loại A", "sort_order": "1", "is_active": "on"}
    forged = {**hidden_fields(page, NEW_TYPE), "csrf_token": "forged", **data}
    r = await admin.post(NEW_TYPE, data=forged, headers=HTML)
    assert r.status_code == 403 and form_error(r.text) and 'value="Loại A"' in r.text
    fields = {**hidden_fields(page, NEW_TYPE), **data}
    first = await admin.post(NEW_TYPE, data=fields, headers=HTML)
    assert first.status_code == 303
    again = await admin.post(NEW_TYPE, data=fields, headers=HTML)
    assert "Biểu mẫu này đã được gửi." in flash_of((await follow(admin, again)).text)
    with tenant_context(tenant):
        assert await DocumentType.filter(code="loai_a").count() == 1


async def test_another_tenant_edits_only_its_own_items(staff, tenant, other_tenant):
    beta = staff["beta"].c
    url = f"{BASE}/document-types/quyet_dinh/edit"
    data = {"name": "Quyết định (beta)", "abbreviation": "QĐ", "is_active": "on"}
    r = await post_form(beta, url, url, data)
    assert r.status_code == 303
    with tenant_context(tenant):
        assert (await DocumentType.get(code="quyet_dinh")).name == "Quyết định"
    with tenant_context(other_tenant):
        assert (await DocumentType.get(code="quyet_dinh")).name == "Quyết định (beta)"
