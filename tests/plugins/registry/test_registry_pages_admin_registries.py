"""Pages of the registries (``/registry/registries``): the list per unit, the create and edit
forms with the live notation example, conflicts (409) shown at the fields, deactivating, and
the errors every page test covers."""

# ruff: noqa: F811 (fixtures imported from the support module)
from __future__ import annotations

import re

from pages_admin_support import field_error, flash_of, follow, form_error, post_form, staff  # noqa: F401
from registry_support import new_registry

from core.context import tenant_context
from core.testing_web import HTML, assert_csp_clean, hidden_fields
from plugins.registry.models import Registry

BASE = "/registry/registries"
NEW = f"{BASE}/new"


def form_data(unit_id: int, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "unit_id": str(unit_id),
        "direction": "outgoing",
        "name": "Sổ quyết định",
        "description": "",
        "document_types": ["quyet_dinh"],
        "numbering_scope": "registry",
        "agency_abbreviation": "",
        "notation_pattern": "{type}-{agency}",
    }
    data.update(changes)
    return data


def listed(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-registry-id="(\d+)"', page)]


async def test_the_list_shows_the_registries_of_the_units_one_may_view(staff, tenant, tree):
    with tenant_context(tenant):
        ubnd = await new_registry(tree.ubnd, "incoming", name="Sổ đến UBND")
        stp = await new_registry(tree.stp, "outgoing", name="Sổ đi STP")
    r = await staff["thu"].c.get(BASE, headers=HTML)
    assert r.status_code == 200
    assert_csp_clean(r)
    assert listed(r.text) == [ubnd] and 'data-testid="registry-new"' not in r.text
    r = await staff["sa"].c.get(BASE, headers=HTML)
    assert listed(r.text) == [stp] and "15/QĐ-STP" in r.text
    admin = staff["admin"].c
    assert set(listed((await admin.get(BASE, headers=HTML)).text)) == {ubnd, stp}
    # The unit filter; an unknown unit shows every registry, never an error.
    r = await admin.get(f"{BASE}?unit_id={tree.stp}", headers=HTML)
    assert listed(r.text) == [stp]
    r = await admin.get(f"{BASE}?unit_id=abc", headers=HTML)
    assert r.status_code == 200 and set(listed(r.text)) == {ubnd, stp}
    r = await staff["lan"].c.get(BASE, headers=HTML)
    assert r.status_code == 403 and "registry.registries.view" in r.text


async def test_creating_a_registry_end_to_end(staff, tenant, tree):
    ua = staff["ua"].c
    page = await ua.get(NEW, headers=HTML)
    assert page.status_code == 200
    assert_csp_clean(page)
    assert 'hx-get="/registry/registries/notation-example"' in page.text
    assert "15/QĐ-UBND" in page.text  # the example for the default unit and pattern
    for scope in ("agency", "registry", "type"):
        assert f'value="{scope}"' in page.text
    r = await post_form(
        ua, NEW, NEW, form_data(tree.ubnd, document_types=["quyet_dinh", "to_trinh"])
    )
    shown = await follow(ua, r)
    assert "Đã tạo sổ văn bản “Sổ quyết định”." in flash_of(shown.text)
    with tenant_context(tenant):
        registry = await Registry.get(name="Sổ quyết định")
    assert (registry.unit_id, registry.direction, registry.numbering_scope) == (
        tree.ubnd,
        "outgoing",
        "registry",
    )
    assert registry.agency_abbreviation == "UBND"  # left empty: the unit's short name
    assert registry.id in listed(shown.text)


async def test_invalid_input_and_conflicts_are_shown_at_the_fields(staff, tenant, tree):
    ua = staff["ua"].c
    bad = form_data(tree.ubnd, name="", notation_pattern="{so}-{agency}", agency_abbreviation="U B")
    r = await post_form(ua, NEW, NEW, bad)
    assert r.status_code == 422
    assert field_error(r.text, "name") == "Vui lòng nhập trường này."
    assert 'value="{so}-{agency}"' in r.text
    assert re.search(r'value="quyet_dinh" checked', r.text)  # the chosen types stay ticked
    bad["name"] = "Sổ A"
    r = await post_form(ua, NEW, NEW, bad, page=r.text)
    assert "{so}" in (field_error(r.text, "notation_pattern") or "")
    assert "Không được chứa khoảng trắng" in (field_error(r.text, "agency_abbreviation") or "")
    assert 'data-testid="notation-example-problem"' in r.text
    with tenant_context(tenant):
        first = await new_registry(tree.ubnd, "outgoing", name="Sổ QĐ", numbering_scope="registry")
    # Every type (no list) overlaps the registry numbering on its own: 409 at the types.
    r = await post_form(ua, NEW, NEW, form_data(tree.ubnd, name="Sổ B", document_types=[]))
    assert r.status_code == 409
    assert "Sổ QĐ" in (field_error(r.text, "document_types") or "")
    # Agency-wide next to a registry-scoped one: 409 at the scope.
    r = await post_form(ua, NEW, NEW, form_data(tree.ubnd, name="Sổ C", numbering_scope="agency"))
    assert r.status_code == 409
    assert "không được trộn lẫn" in (field_error(r.text, "numbering_scope") or "")
    with tenant_context(tenant):
        assert await Registry.all().values_list("id", flat=True) == [first]


async def test_permissions_of_the_forms(staff, tenant, tree):
    sa = staff["sa"].c  # unit admin of STP only
    page = await sa.get(NEW, headers=HTML)
    assert f'<option value="{tree.ubnd}"' not in page.text
    r = await post_form(sa, NEW, NEW, form_data(tree.ubnd), page=page.text)
    assert r.status_code == 403 and "registry.registries.manage" in r.text
    r = await post_form(sa, NEW, NEW, form_data(999999), page=page.text)
    assert r.status_code == 404
    thu = staff["thu"].c
    assert (await thu.get(NEW, headers=HTML)).status_code == 403
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "outgoing")
        assert await Registry.all().count() == 1
    r = await thu.get(f"{BASE}/{registry}/edit", headers=HTML)
    assert r.status_code == 403 and "registry.registries.manage" in r.text
    # Another tenant's registry: 404 on every page.
    beta = staff["beta"].c
    for url in (f"{BASE}/{registry}", f"{BASE}/{registry}/edit"):
        assert (await beta.get(url, headers=HTML)).status_code == 404
    r = await beta.post(f"{BASE}/{registry}/deactivate", data={}, headers=HTML)
    assert r.status_code == 404


async def test_a_stale_form_and_a_double_submit(staff, tenant, tree):
    ua = staff["ua"].c
    page = (await ua.get(NEW, headers=HTML)).text
    forged = {**hidden_fields(page, NEW), "csrf_token": "forged", **form_data(tree.ubnd)}
    r = await ua.post(NEW, data=forged, headers=HTML)
    assert r.status_code == 403 and form_error(r.text) and 'value="Sổ quyết định"' in r.text
    fields = {**hidden_fields(page, NEW), **form_data(tree.ubnd)}
    assert (await ua.post(NEW, data=fields, headers=HTML)).status_code == 303
    again = await ua.post(NEW, data=fields, headers=HTML)
    assert "Biểu mẫu này đã được gửi." in flash_of((await follow(ua, again)).text)
    with tenant_context(tenant):
        assert await Registry.all().count() == 1


async def test_editing_keeps_unit_and_direction_and_deactivates(staff, tenant, tree):
    with tenant_context(tenant):
        registry = await new_registry(tree.ubnd, "outgoing", name="Sổ đi")
    ua = staff["ua"].c
    url = f"{BASE}/{registry}/edit"
    page = await ua.get(url, headers=HTML)
    assert 'data-testid="fixed-fields"' in page.text and 'name="direction"' not in page.text
    data = form_data(
        tree.stp, direction="incoming", name="Sổ văn bản đi UBND", agency_abbreviation="UBT"
    )
    r = await post_form(ua, url, url, data, page=page.text)
    shown = await follow(ua, r)
    assert "Đã lưu sổ văn bản." in flash_of(shown.text) and "15/QĐ-UBT" in shown.text
    with tenant_context(tenant):
        saved = await Registry.get(id=registry)
    assert (saved.name, saved.unit_id, saved.direction) == (
        "Sổ văn bản đi UBND",
        tree.ubnd,
        "outgoing",
    )
    r = await post_form(ua, url, url, {**data, "agency_abbreviation": ""})
    assert r.status_code == 422 and field_error(r.text, "agency_abbreviation")
    # Deactivate (with a confirmation in the page), then the activation conflicts with a
    # registry that took its place.
    page = await ua.get(url, headers=HTML)
    assert 'data-confirm="Ngừng sử dụng sổ' in page.text
    r = await post_form(ua, url, f"{BASE}/{registry}/deactivate", {}, page=page.text)
    shown = await follow(ua, r)
    assert "Đã ngừng sử dụng sổ văn bản." in flash_of(shown.text)
    assert 'data-testid="registry-inactive"' in shown.text
    with tenant_context(tenant):
        await new_registry(
            tree.ubnd,
            "outgoing",
            name="Sổ riêng",
            numbering_scope="registry",
            agency_abbreviation="UBT",
        )
    r = await post_form(ua, url, f"{BASE}/{registry}/activate", {})
    assert r.status_code == 409 and "Trùng loại văn bản với sổ “Sổ riêng”" in (
        form_error(r.text) or ""
    )
    with tenant_context(tenant):
        assert not (await Registry.get(id=registry)).is_active


async def test_the_notation_example_follows_the_typed_values(staff, tree):
    ua = staff["ua"].c
    url = f"{BASE}/notation-example"
    r = await ua.get(
        url,
        params={
            "direction": "outgoing",
            "notation_pattern": "{type}-{agency}",
            "agency_abbreviation": "",
            "unit_id": str(tree.ubnd),
            "document_types": ["to_trinh"],
        },
        headers={**HTML, "HX-Request": "true"},
    )
    assert r.status_code == 200 and "<html" not in r.text
    assert 'data-testid="notation-example-code">15/TTr-UBND<' in r.text
    r = await ua.get(
        url,
        params={
            "direction": "outgoing",
            "notation_pattern": "{agency}-{unit}",
            "agency_abbreviation": "UBND",
        },
    )
    assert "15/UBND-VP" in r.text and "đơn vị soạn thảo" in r.text
    r = await ua.get(
        url,
        params={"direction": "outgoing", "notation_pattern": "{x}", "agency_abbreviation": "UBND"},
    )
    assert 'data-testid="notation-example-problem"' in r.text
    r = await ua.get(url, params={"direction": "incoming"})
    assert 'notation-example-code">15<' in r.text
    r = await staff["thu"].c.get(url, headers=HTML)
    assert r.status_code == 403 and "registry.registries.manage" in r.text
