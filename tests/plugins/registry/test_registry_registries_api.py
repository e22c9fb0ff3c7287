"""/api/v1/registry/registries: CRUD, validation, permissions in the registry's unit and
two-tenant isolation."""

from __future__ import annotations

import pytest

from core.audit.models import AuditEvent
from core.context import tenant_context
from plugins.registry.models import Registry, RegistryDocumentType
from plugins.registry.services.numbering import NumberRequest, allocate_number

BASE = "/api/v1/registry/registries"


async def create(api, unit_id, **body):
    body = {"unit_id": unit_id, "direction": "outgoing", "name": "Sổ văn bản đi", **body}
    response = await api.post(BASE, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_read_change_and_delete_a_registry(api, tenant, tree):
    created = await create(api, tree.ubnd, document_types=["thong_bao", "quyet_dinh"])
    assert created == {
        "id": created["id"],
        "unit_id": tree.ubnd,
        "direction": "outgoing",
        "name": "Sổ văn bản đi",
        "description": "",
        "document_types": ["quyet_dinh", "thong_bao"],  # in the types' display order
        "numbering_scope": "agency",
        "agency_abbreviation": "UBND",  # the unit's short name
        "notation_pattern": "{type}-{agency}",
        "is_active": True,
    }
    url = f"{BASE}/{created['id']}"
    assert (await api.get(url)).json() == created
    changed = await api.patch(
        url,
        json={"name": "Sổ đi 2025", "document_types": [], "agency_abbreviation": "UBT"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() | {"name": "x"} == created | {
        "name": "x",
        "document_types": [],
        "agency_abbreviation": "UBT",
    }
    listed = (await api.get(BASE)).json()
    assert [r["name"] for r in listed["items"]] == ["Sổ đi 2025"]
    assert listed["next_cursor"] is None
    assert (await api.delete(url)).status_code == 204
    assert (await api.get(url)).status_code == 404
    with tenant_context(tenant):
        assert await RegistryDocumentType.all().count() == 0
        events = await AuditEvent.filter(object_type="registry.registry").order_by("seq")
        assert [(e.action, e.unit_id) for e in events] == [
            ("registry.registry.create", tree.ubnd),
            ("registry.registry.update", tree.ubnd),
            ("registry.registry.delete", tree.ubnd),
        ]
        assert events[1].before == {
            "name": "Sổ văn bản đi",
            "document_types": ["quyet_dinh", "thong_bao"],
            "agency_abbreviation": "UBND",
        }


async def test_the_agency_abbreviation_defaults_to_the_unit_code(api, tenant):
    from core.units.services import create_unit

    with tenant_context(tenant):
        unit = await create_unit("SYT", "Sở Y tế")
    assert (await create(api, unit.id))["agency_abbreviation"] == "SYT"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"numbering_scope": "department"}, "numbering_scope"),
        ({"direction": "sideways"}, "direction"),
        ({"name": ""}, "name"),
        ({"document_types": ["khong_co"]}, "document_types"),
        ({"agency_abbreviation": "UB ND"}, "agency_abbreviation"),
        ({"agency_abbreviation": "UB-ND"}, "agency_abbreviation"),
        ({"notation_pattern": "{type}/{agency}"}, "notation_pattern"),
        ({"notation_pattern": "{loai}-{agency}"}, "notation_pattern"),
        ({"number": 5}, "number"),
    ],
)
async def test_bad_registries_are_refused_field_by_field(api, tenant, tree, body, field):
    full = {"unit_id": tree.ubnd, "direction": "outgoing", "name": "Sổ", **body}
    response = await api.post(BASE, json=full)
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    with tenant_context(tenant):
        assert await Registry.all().count() == 0


async def test_unknown_units_and_other_tenants_types_are_refused(api, other_api, tenant, tree):
    unknown = await api.post(BASE, json={"unit_id": 999999, "direction": "outgoing", "name": "S"})
    assert unknown.status_code == 404
    await other_api.post(
        "/api/v1/registry/reference/document-types", json={"code": "rieng_beta", "name": "Riêng"}
    )
    theirs = await api.post(
        BASE,
        json={
            "unit_id": tree.ubnd,
            "direction": "incoming",
            "name": "Sổ đến",
            "document_types": ["rieng_beta"],
        },
    )
    assert theirs.status_code == 422
    assert theirs.json()["errors"] == {"document_types": "unknown document type: rieng_beta"}
    from core.units.services import deactivate_unit

    with tenant_context(tenant):
        await deactivate_unit(tree.stp)
    inactive = await api.post(
        BASE, json={"unit_id": tree.stp, "direction": "outgoing", "name": "S"}
    )
    assert inactive.status_code == 422
    assert inactive.json()["errors"] == {"unit_id": "the unit is inactive"}
    with tenant_context(tenant):
        assert await Registry.all().count() == 0


async def test_names_scopes_unit_and_direction_rules(api, tenant, tree):
    first = await create(api, tree.ubnd)
    url = f"{BASE}/{first['id']}"
    duplicate = await api.post(
        BASE, json={"unit_id": tree.ubnd, "direction": "incoming", "name": "Sổ văn bản đi"}
    )
    assert duplicate.status_code == 409
    mixed = await api.post(
        BASE,
        json={
            "unit_id": tree.ubnd,
            "direction": "outgoing",
            "name": "Sổ riêng",
            "numbering_scope": "registry",
        },
    )
    assert mixed.status_code == 409
    assert mixed.json()["errors"] == {
        "numbering_scope": "mixes agency-wide numbering with other scopes"
    }
    moved = await api.patch(url, json={"unit_id": tree.stp, "direction": "incoming"})
    assert moved.status_code == 422
    assert set(moved.json()["errors"]) == {"unit_id", "direction"}
    null_name = await api.patch(url, json={"name": None})
    assert null_name.status_code == 422
    # The scope may change until the registry gives its first number of the year.
    scoped = await api.patch(url, json={"numbering_scope": "type"})
    assert scoped.json()["numbering_scope"] == "type"
    with tenant_context(tenant):
        await allocate_number(first["id"], NumberRequest(document_type="quyet_dinh"))
    locked = await api.patch(url, json={"numbering_scope": "registry"})
    assert locked.status_code == 409
    assert locked.json()["errors"] == {"numbering_scope": "numbers already given this year"}
    kept = await api.delete(url)
    assert kept.status_code == 409
    assert "deactivate" in kept.json()["detail"]
    assert (await api.patch(url, json={"is_active": False})).json()["is_active"] is False
    assert (await api.get(url)).json()["numbering_scope"] == "type"


async def test_the_list_filters_and_paginates(api, tree):
    for unit, direction, name in [
        (tree.ubnd, "outgoing", "Sổ đi"),
        (tree.ubnd, "incoming", "Sổ đến"),
        (tree.stp, "outgoing", "Sổ đi STP"),
        (tree.stp, "internal", "Sổ nội bộ STP"),
    ]:
        await create(api, unit, direction=direction, name=name)
    first = (await api.get(BASE, params={"limit": 3})).json()
    second = (await api.get(BASE, params={"limit": 3, "cursor": first["next_cursor"]})).json()
    assert second["next_cursor"] is None
    names = [r["name"] for r in first["items"] + second["items"]]
    assert names == ["Sổ đến", "Sổ đi", "Sổ nội bộ STP", "Sổ đi STP"]
    outgoing = (await api.get(BASE, params={"direction": "outgoing"})).json()["items"]
    assert [r["name"] for r in outgoing] == ["Sổ đi", "Sổ đi STP"]
    of_stp = (await api.get(BASE, params={"unit_id": tree.stp})).json()["items"]
    assert len(of_stp) == 2
    assert (await api.get(BASE, params={"cursor": "bad"})).status_code == 422
    assert (await api.get(BASE, params={"colour": "red"})).status_code == 422


async def test_permissions_are_checked_in_the_registry_unit(
    app, api, tenant, tree, account, client
):
    ubnd = await create(api, tree.ubnd, name="Sổ UBND")
    stp = await create(api, tree.stp, name="Sổ STP")
    unit_admin = await account(tenant, "hoa", role="unit_admin", unit_id=tree.stp, descendants=True)
    clerk = await account(tenant, "lan", role="clerk", unit_id=tree.ubnd, descendants=True)
    specialist = await account(tenant, "minh", role="specialist", unit_id=tree.ubnd)
    async with client(app, "alpha.localhost", unit_admin.token) as c:
        listed = (await c.get(BASE)).json()["items"]
        assert [r["name"] for r in listed] == ["Sổ STP"]
        assert (await c.patch(f"{BASE}/{stp['id']}", json={"name": "Sổ STP 2"})).status_code == 200
        denied = await c.patch(f"{BASE}/{ubnd['id']}", json={"name": "Của tôi"})
        assert denied.status_code == 403
        assert denied.json()["permission"] == "registry.registries.manage"
        assert (await c.get(f"{BASE}/{ubnd['id']}")).status_code == 403
        elsewhere = await c.post(
            BASE, json={"unit_id": tree.ubnd, "direction": "internal", "name": "Sổ lạ"}
        )
        assert elsewhere.status_code == 403
        assert (await c.delete(f"{BASE}/{ubnd['id']}")).status_code == 403
    async with client(app, "alpha.localhost", clerk.token) as c:
        assert (await c.get(f"{BASE}/{ubnd['id']}")).status_code == 200
        assert (await c.patch(f"{BASE}/{ubnd['id']}", json={"name": "X"})).status_code == 403
        assert [r["name"] for r in (await c.get(BASE)).json()["items"]] == ["Sổ UBND"]
    async with client(app, "alpha.localhost", specialist.token) as c:
        hidden = await c.get(f"{BASE}/{ubnd['id']}")
        assert hidden.status_code == 403
        assert hidden.json()["permission"] == "registry.registries.view"
        assert (await c.get(BASE)).status_code == 403
    assert (await api.get(f"{BASE}/{ubnd['id']}")).json()["name"] == "Sổ UBND"


async def test_another_tenants_registry_is_not_found(api, other_api, tree):
    ours = await create(api, tree.ubnd)
    url = f"{BASE}/{ours['id']}"
    assert (await other_api.get(url)).status_code == 404
    assert (await other_api.patch(url, json={"name": "Của beta"})).status_code == 404
    assert (await other_api.delete(url)).status_code == 404
    assert (await other_api.get(f"{url}/numbers")).status_code == 404
    reserve = await other_api.post(f"{url}/reservations", json={"document_type": "quyet_dinh"})
    assert reserve.status_code == 404
    assert (await other_api.get(BASE)).json()["items"] == []
    taken = await other_api.post(
        BASE, json={"unit_id": tree.ubnd, "direction": "outgoing", "name": "S"}
    )
    assert taken.status_code == 404
    assert (await api.get(url)).json()["name"] == "Sổ văn bản đi"
