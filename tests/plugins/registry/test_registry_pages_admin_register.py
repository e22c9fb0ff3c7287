"""The page of one registry (``/registry/registries/{id}``): the register of a year with
reserved and released numbers, reserving and releasing (with a confirmation), the print
links of the registers that fit the direction, and who may see and do what."""

# ruff: noqa: F811 (fixtures imported from the support module)
from __future__ import annotations

import re
from datetime import UTC, datetime

from pages_admin_support import field_error, flash_of, follow, form_error, post_form, staff  # noqa: F401
from registry_support import new_registry

from core.context import tenant_context
from core.testing_web import HTML, assert_csp_clean, hidden_fields
from plugins.registry.models import RegistryNumber
from plugins.registry.notation import number_year
from plugins.registry.services.numbering import NumberRequest, allocate_number, reserve_number

BASE = "/registry/registries"


def states(page: str) -> list[tuple[str, str]]:
    return re.findall(r'data-number-id="(\d+)" data-state="(\w+)"', page)


def row_of(page: str, number_id: int) -> str:
    return page.split(f'data-number-id="{number_id}"')[1].split("</tr>")[0]


async def test_a_clerk_reserves_and_releases_a_number(staff, tenant, tree):
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "outgoing", name="Sổ văn bản đi")
        issued = await allocate_number(registry, NumberRequest(document_type="quyet_dinh"))
    url = f"{BASE}/{registry}"
    thu = staff["thu"].c
    page = await thu.get(url, headers=HTML)
    assert page.status_code == 200
    assert_csp_clean(page)
    assert states(page.text) == [(str(issued.id), "issued")]
    assert "01/QĐ-UBND" in page.text and 'data-testid="reserve-form"' in page.text
    r = await post_form(
        thu,
        url,
        f"{url}/reserve",
        {"document_type": "quyet_dinh", "note": "QĐ khen thưởng", "confidentiality": ""},
        page=page.text,
    )
    shown = await follow(thu, r)
    assert "Đã giữ số 02/QĐ-UBND." in flash_of(shown.text)
    with tenant_context(tenant):
        held = await RegistryNumber.get(state="reserved")
    assert (held.number, held.note, held.reserved_by) == (
        2,
        "QĐ khen thưởng",
        f"user:{staff['thu'].user_id}",
    )
    row = row_of(shown.text, held.id)
    assert "Đang giữ số" in row and "Thu" in row  # who reserved it
    assert 'data-confirm="Hủy giữ số 02/QĐ-UBND?' in row
    # Releasing needs a reason; the error is at the reason of that number, nothing changes.
    release = f"{url}/numbers/{held.id}/release"
    r = await post_form(thu, url, release, {"reason": "  "}, page=shown.text)
    assert r.status_code == 422
    assert field_error(r.text, "reason") == "Vui lòng nêu lý do hủy giữ số."
    assert 'data-field-error="reason"' in row_of(r.text, held.id)
    old = r.text
    r = await post_form(thu, url, release, {"reason": "Không ban hành"}, page=old)
    shown = await follow(thu, r)
    assert "Đã hủy giữ số 02/QĐ-UBND; số này không được cấp lại." in flash_of(shown.text)
    row = row_of(shown.text, held.id)
    assert 'data-testid="released-note">đã hủy giữ số' in row and "Không ban hành" in row
    assert 'data-state="released"' in shown.text and "release-form" not in row
    # Released again from a page left open (another nonce): a conflict, said on the page.
    fields = {**hidden_fields(old, release), "form_nonce": "another-nonce", "reason": "Lần nữa"}
    r = await thu.post(release, data=fields, headers=HTML)
    assert r.status_code == 409
    assert form_error(r.text) == "Số này không còn ở trạng thái giữ số."
    with tenant_context(tenant):
        assert (await RegistryNumber.get(id=held.id)).release_reason == "Không ban hành"


async def test_reserving_with_bad_input_keeps_the_values(staff, tenant, tree):
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "outgoing", document_types=["quyet_dinh"])
    url = f"{BASE}/{registry}"
    thu = staff["thu"].c
    r = await post_form(
        thu, url, f"{url}/reserve", {"document_type": "", "note": "Giữ cho tờ trình"}
    )
    assert r.status_code == 422
    assert field_error(r.text, "document_type") == "Vui lòng nhập trường này."
    assert 'value="Giữ cho tờ trình"' in r.text
    r = await post_form(
        thu, url, f"{url}/reserve", {"document_type": "to_trinh", "note": "x"}, page=r.text
    )
    assert field_error(r.text, "document_type") == "Sổ văn bản này không nhận loại văn bản này."
    r = await post_form(
        thu, url, f"{url}/reserve", {"document_type": "quyet_dinh", "drafting_unit_id": "999999"}
    )
    assert field_error(r.text, "drafting_unit_id") == "Không có đơn vị này."
    with tenant_context(tenant):
        assert await RegistryNumber.all().count() == 0


async def test_a_double_submit_reserves_once(staff, tenant, tree):
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "internal")
    url = f"{BASE}/{registry}"
    thu = staff["thu"].c
    page = (await thu.get(url, headers=HTML)).text
    fields = {**hidden_fields(page, f"{url}/reserve"), "document_type": "thong_bao"}
    assert (await thu.post(f"{url}/reserve", data=fields, headers=HTML)).status_code == 303
    again = await thu.post(f"{url}/reserve", data=fields, headers=HTML)
    assert "Biểu mẫu này đã được gửi." in flash_of((await follow(thu, again)).text)
    forged = {**fields, "csrf_token": "forged", "form_nonce": "another"}
    r = await thu.post(f"{url}/reserve", data=forged, headers=HTML)
    assert r.status_code == 403 and form_error(r.text)
    with tenant_context(tenant):
        assert await RegistryNumber.all().count() == 1


async def test_print_links_fit_the_direction_and_carry_the_year(staff, tenant, tree):
    with tenant_context(tenant):
        incoming = await new_registry(tree.ubnd, "incoming")
        outgoing = await new_registry(tree.ubnd, "outgoing")
    thu = staff["thu"].c
    year = number_year()
    page = (await thu.get(f"{BASE}/{incoming}", headers=HTML)).text
    links = re.findall(r'href="([^"]+)" data-kind="(\w+)"', page)
    api = f"/api/v1/registry/registries/{incoming}/registers"
    assert links == [
        (f"{api}/incoming?year={year}&amp;format=pdf", "incoming"),
        (f"{api}/processing?year={year}&amp;format=pdf", "processing"),
    ]
    assert "Sổ đăng ký văn bản đến" in page and "Sổ theo dõi giải quyết văn bản đến" in page
    assert 'data-testid="reserve-form"' not in page  # arrival numbers are not reserved
    page = (await thu.get(f"{BASE}/{outgoing}?year={year - 1}", headers=HTML)).text
    links = re.findall(r'href="([^"]+)" data-kind="(\w+)"', page)
    api = f"/api/v1/registry/registries/{outgoing}/registers"
    assert links == [(f"{api}/outgoing?year={year - 1}&amp;format=pdf", "outgoing")]
    assert f'<option value="{year - 1}" selected>' in page
    # A year out of range falls back to this year.
    page = (await thu.get(f"{BASE}/{outgoing}?year=1890", headers=HTML)).text
    assert f"outgoing?year={year}&amp;format=pdf" in page


async def test_who_sees_what(staff, tenant, tree):
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "outgoing")
        secret = await reserve_number(
            registry,
            NumberRequest(document_type="quyet_dinh", confidentiality="mat", note="Về nhân sự"),
            now=datetime.now(UTC),
        )
    url = f"{BASE}/{registry}"
    # The clerk sees the confidential number, not what it is for; the leader sees it all.
    row = row_of((await staff["thu"].c.get(url, headers=HTML)).text, secret.id)
    assert "01/QĐ-UBND" in row and "(văn bản mật)" in row and "Về nhân sự" not in row
    leader = (await staff["hung"].c.get(url, headers=HTML)).text
    assert "Về nhân sự" in row_of(leader, secret.id)
    assert 'data-testid="reserve-form"' not in leader and "release-form" not in leader
    # A unit admin manages the registry but neither reserves nor prints.
    ua = staff["ua"].c
    page = (await ua.get(url, headers=HTML)).text
    assert 'data-testid="print-links"' not in page and f'href="{url}/edit"' in page
    r = await ua.post(f"{url}/reserve", data={"document_type": "quyet_dinh"}, headers=HTML)
    assert r.status_code == 403 and "registry.numbers.reserve" in r.text
    r = await ua.post(f"{url}/numbers/{secret.id}/release", data={"reason": "x"}, headers=HTML)
    assert r.status_code == 403 and "registry.numbers.reserve" in r.text
    r = await staff["lan"].c.get(url, headers=HTML)
    assert r.status_code == 403 and "registry.registries.view" in r.text
    r = await staff["sa"].c.get(url, headers=HTML)
    assert r.status_code == 403 and "registry.registries.view" in r.text
    # Another tenant: 404; a number of another registry: 404.
    assert (await staff["beta"].c.get(url, headers=HTML)).status_code == 404
    with tenant_context(tenant):
        other = await new_registry(tree.ubnd, "internal")
    thu = staff["thu"].c
    page = (await thu.get(url, headers=HTML)).text
    fields = {**hidden_fields(page, f"{url}/numbers/{secret.id}/release"), "reason": "x"}
    r = await thu.post(f"{BASE}/{other}/numbers/{secret.id}/release", data=fields, headers=HTML)
    assert r.status_code == 404
    with tenant_context(tenant):
        assert (await RegistryNumber.get(id=secret.id)).state == "reserved"


async def test_the_register_pages_and_ignores_bad_query_values(staff, tenant, tree, monkeypatch):
    from plugins.registry.views import pages_admin_register

    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "outgoing")
        given = [
            await allocate_number(registry, NumberRequest(document_type="quyet_dinh"))
            for _ in range(3)
        ]
    url = f"{BASE}/{registry}"
    thu = staff["thu"].c
    monkeypatch.setattr(pages_admin_register, "PAGE_SIZE", 2)
    first = await thu.get(url, headers=HTML)
    assert [n for n, _s in states(first.text)] == [str(g.id) for g in given[:2]]
    assert 'data-testid="first-page"' not in first.text
    link = re.search(r'href="([^"]+)" data-testid="next-page"', first.text)
    assert link is not None
    second = await thu.get(link.group(1).replace("&amp;", "&"), headers=HTML)
    assert [n for n, _s in states(second.text)] == [str(given[2].id)]
    assert 'data-testid="next-page"' not in second.text
    assert f'href="{url}?year={number_year()}" data-testid="first-page"' in second.text
    # Positions and years it never gave (out of range, too) show the first page of this year.
    for query in ("after=0-99999999999-1", "after=0-1-9999999999", "after=x", "year=99999"):
        r = await thu.get(f"{url}?{query}", headers=HTML)
        assert r.status_code == 200
        assert [n for n, _s in states(r.text)] == [str(g.id) for g in given[:2]]
