"""/api/v1/actions, /roles and /grants, with two-tenant isolation."""

from __future__ import annotations

import pytest


async def test_actions_list_core_and_enabled_plugin_actions(api):
    keys = {a["key"] for a in (await api.get("/api/v1/actions")).json()["items"]}
    assert {"core.units.manage", "example.notes.view"} <= keys


async def test_create_patch_delete_a_role(api):
    created = await api.post(
        "/api/v1/roles", json={"key": "reader", "name": "Người đọc", "actions": ["core.units.view"]}
    )
    assert created.status_code == 201, created.text
    assert created.json()["actions"] == ["core.units.view"]
    patched = await api.patch(
        "/api/v1/roles/reader", json={"actions": ["core.units.view", "core.users.view"]}
    )
    assert patched.json()["actions"] == ["core.units.view", "core.users.view"]
    listed = [r["key"] for r in (await api.get("/api/v1/roles")).json()["items"]]
    assert "reader" in listed
    assert "tenant_admin" in listed
    assert (await api.delete("/api/v1/roles/reader")).status_code == 204
    assert (await api.patch("/api/v1/roles/reader", json={"name": "x"})).status_code == 404


async def test_bad_roles_are_refused_with_the_reason(api):
    unknown = await api.post(
        "/api/v1/roles", json={"key": "bad", "name": "Bad", "actions": ["no.such.action"]}
    )
    assert unknown.status_code == 422
    assert "no.such.action" in unknown.json()["detail"]
    system = await api.delete("/api/v1/roles/tenant_admin")
    assert system.status_code == 409
    keys = [r["key"] for r in (await api.get("/api/v1/roles")).json()["items"]]
    assert "bad" not in keys
    assert "tenant_admin" in keys


@pytest.fixture
async def unit_and_user(api):
    unit = (await api.post("/api/v1/units", json={"code": "STP", "name": "Sở"})).json()
    user = (await api.post("/api/v1/users", json={"username": "lan", "full_name": "Lan"})).json()
    return unit["id"], user["id"]


async def test_grant_list_and_revoke(api, unit_and_user):
    unit_id, user_id = unit_and_user
    grant = {"user_id": user_id, "role_key": "clerk", "unit_id": unit_id, "descendants": True}
    created = await api.post("/api/v1/grants", json=grant)
    assert created.status_code == 201, created.text
    assert created.json()["domain"].endswith("*")
    mine = (await api.get("/api/v1/grants", params={"user_id": user_id})).json()["items"]
    assert [(g["role_key"], g["unit_id"]) for g in mine] == [("clerk", unit_id)]
    revoked = await api.request("DELETE", "/api/v1/grants", json=grant)
    assert revoked.status_code == 204
    assert (await api.get("/api/v1/grants", params={"user_id": user_id})).json()["items"] == []


async def test_revoke_by_query_parameters(api, unit_and_user):
    unit_id, user_id = unit_and_user
    await api.post(
        "/api/v1/grants", json={"user_id": user_id, "role_key": "leader", "unit_id": unit_id}
    )
    params = {"user_id": user_id, "role_key": "leader", "unit_id": unit_id}
    assert (await api.delete("/api/v1/grants", params=params)).status_code == 204
    again = await api.delete("/api/v1/grants", params=params)
    assert again.status_code == 404
    missing = await api.delete("/api/v1/grants", params={"user_id": user_id})
    assert missing.status_code == 422
    assert "role_key" in missing.json()["errors"]


async def test_a_unit_admin_sees_and_grants_only_within_their_unit(
    app, client, tenant, account, api, unit_and_user
):
    unit_id, user_id = unit_and_user
    other_unit = (await api.post("/api/v1/units", json={"code": "SYT", "name": "Y tế"})).json()
    await api.post(
        "/api/v1/grants",
        json={"user_id": user_id, "role_key": "clerk", "unit_id": other_unit["id"]},
    )
    boss = await account(tenant, "boss", role="unit_admin", unit_id=unit_id, descendants=True)
    async with client(app, "alpha.localhost", boss.token) as c:
        ok = await c.post(
            "/api/v1/grants", json={"user_id": user_id, "role_key": "leader", "unit_id": unit_id}
        )
        assert ok.status_code == 201
        denied = await c.post(
            "/api/v1/grants",
            json={"user_id": user_id, "role_key": "leader", "unit_id": other_unit["id"]},
        )
        assert denied.status_code == 403
        wide = await c.post(
            "/api/v1/grants", json={"user_id": user_id, "role_key": "leader", "unit_id": None}
        )
        assert wide.status_code == 403
        visible = (await c.get("/api/v1/grants")).json()["items"]
    assert {g["unit_id"] for g in visible} == {unit_id}


# ------------------------------------------------------------------ two-tenant isolation


async def test_another_tenants_roles_users_and_units_are_404(
    api, other_api, other_admin, unit_and_user
):
    unit_id, user_id = unit_and_user
    await other_api.post(
        "/api/v1/roles", json={"key": "secret", "name": "Bí mật", "actions": ["core.units.view"]}
    )
    their_unit = (await other_api.post("/api/v1/units", json={"code": "B", "name": "B"})).json()
    assert "secret" not in [r["key"] for r in (await api.get("/api/v1/roles")).json()["items"]]
    assert (await api.patch("/api/v1/roles/secret", json={"name": "x"})).status_code == 404
    assert (await api.delete("/api/v1/roles/secret")).status_code == 404
    cases = [
        {"user_id": other_admin.user_id, "role_key": "clerk", "unit_id": unit_id},
        {"user_id": user_id, "role_key": "clerk", "unit_id": their_unit["id"]},
        {"user_id": user_id, "role_key": "secret", "unit_id": unit_id},
    ]
    for grant in cases:
        assert (await api.post("/api/v1/grants", json=grant)).status_code == 404, grant
        assert (await api.request("DELETE", "/api/v1/grants", json=grant)).status_code == 404
    listed = await api.get("/api/v1/grants", params={"user_id": other_admin.user_id})
    assert listed.status_code == 404
    theirs = (await other_api.get("/api/v1/grants")).json()["items"]
    assert [g["user_id"] for g in theirs] == [other_admin.user_id]
    mine = (await api.get("/api/v1/grants")).json()["items"]
    assert other_admin.user_id not in {g["user_id"] for g in mine}


async def test_roles_and_actions_are_per_tenant(api, other_api):
    body = {"key": "reader", "name": "Người đọc", "actions": ["core.units.view"]}
    assert (await api.post("/api/v1/roles", json=body)).status_code == 201
    assert (await other_api.post("/api/v1/roles", json=body)).status_code == 201
    await other_api.patch("/api/v1/roles/reader", json={"name": "Beta reader"})
    mine = {r["key"]: r for r in (await api.get("/api/v1/roles")).json()["items"]}
    assert mine["reader"]["name"] == "Người đọc"
    await other_api.patch("/api/v1/plugins/example", json={"enabled": False})
    theirs = {a["key"] for a in (await other_api.get("/api/v1/actions")).json()["items"]}
    ours = {a["key"] for a in (await api.get("/api/v1/actions")).json()["items"]}
    assert "example.notes.view" in ours and "example.notes.view" not in theirs
