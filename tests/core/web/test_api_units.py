"""/api/v1/units: the org tree over HTTP, permissions in the tree, two-tenant isolation."""

from __future__ import annotations

import pytest


async def make_units(api, *specs):
    ids = {}
    for code, parent in specs:
        body = {"code": code, "name": f"Đơn vị {code}", "parent_id": ids.get(parent)}
        response = await api.post("/api/v1/units", json=body)
        assert response.status_code == 201, response.text
        ids[code] = response.json()["id"]
    return ids


@pytest.fixture
async def tree(api):
    return await make_units(api, ("UBND", None), ("STP", "UBND"), ("VP", "STP"), ("SYT", "UBND"))


async def test_create_and_read_a_unit(api):
    response = await api.post(
        "/api/v1/units",
        json={"code": "UBND", "name": "Ủy ban nhân dân tỉnh", "short_name": "ubnd"},
    )
    assert response.status_code == 201
    unit = response.json()
    assert unit["short_name"] == "UBND"
    assert unit["level"] == 0
    assert unit["path"] == f"/{unit['id']}/"
    assert (await api.get(f"/api/v1/units/{unit['id']}")).json() == unit


async def test_list_is_in_tree_order_and_paginates(api, tree):
    first = await api.get("/api/v1/units", params={"limit": 2})
    assert first.status_code == 200
    body = first.json()
    codes = [u["code"] for u in body["items"]]
    assert body["next_cursor"]
    second = await api.get("/api/v1/units", params={"limit": 2, "cursor": body["next_cursor"]})
    codes += [u["code"] for u in second.json()["items"]]
    assert second.json()["next_cursor"] is None
    assert codes == ["UBND", "STP", "VP", "SYT"]


async def test_bad_input_is_named_and_changes_nothing(api, tree):
    duplicate = await api.post("/api/v1/units", json={"code": "STP", "name": "Trùng"})
    assert duplicate.status_code == 409
    bad_short = await api.post(
        "/api/v1/units", json={"code": "NEW", "name": "Mới", "short_name": "S T"}
    )
    assert bad_short.status_code == 422
    assert "short_name" in bad_short.json()["errors"]
    missing = await api.post("/api/v1/units", json={"code": "NEW"})
    assert missing.json()["errors"] == {"name": "Field required"}
    units = (await api.get("/api/v1/units")).json()["items"]
    assert len(units) == 4


async def test_patch_renames_moves_and_deactivates(api, tree):
    response = await api.patch(
        f"/api/v1/units/{tree['VP']}",
        json={"name": "Văn phòng Sở", "parent_id": tree["SYT"], "is_active": False},
    )
    assert response.status_code == 200, response.text
    unit = response.json()
    assert unit["name"] == "Văn phòng Sở"
    assert unit["parent_id"] == tree["SYT"]
    assert unit["path"] == f"/{tree['UBND']}/{tree['SYT']}/{tree['VP']}/"
    assert unit["is_active"] is False
    active = await api.get("/api/v1/units", params={"include_inactive": "false"})
    assert "VP" not in [u["code"] for u in active.json()["items"]]
    back = await api.patch(f"/api/v1/units/{tree['VP']}", json={"is_active": True})
    assert back.json()["is_active"] is True
    root = await api.patch(f"/api/v1/units/{tree['VP']}", json={"parent_id": None})
    assert root.json()["level"] == 0


async def test_patch_checks_everything_before_changing_anything(api, tree):
    inside = await api.patch(
        f"/api/v1/units/{tree['UBND']}", json={"name": "Đổi tên", "parent_id": tree["VP"]}
    )
    assert inside.status_code == 422
    assert inside.json()["errors"] == {"parent_id": "inside the unit being moved"}
    taken = await api.patch(f"/api/v1/units/{tree['VP']}", json={"name": "X", "code": "STP"})
    assert taken.status_code == 409
    null = await api.patch(f"/api/v1/units/{tree['VP']}", json={"name": None})
    assert null.status_code == 422
    assert null.json()["errors"] == {"name": "must not be null"}
    units = {u["code"]: u for u in (await api.get("/api/v1/units")).json()["items"]}
    assert units["UBND"]["name"] == "Đơn vị UBND"
    assert units["VP"]["name"] == "Đơn vị VP"


async def test_a_unit_admin_manages_only_their_subtree(app, client, tenant, account, tree):
    admin = await account(
        tenant, "stpadmin", role="unit_admin", unit_id=tree["STP"], descendants=True
    )
    async with client(app, "alpha.localhost", admin.token) as c:
        inside = await c.patch(f"/api/v1/units/{tree['VP']}", json={"name": "Văn phòng"})
        assert inside.status_code == 200
        child = await c.post(
            "/api/v1/units", json={"code": "PB", "name": "Phòng", "parent_id": tree["STP"]}
        )
        assert child.status_code == 201
        outside = await c.patch(f"/api/v1/units/{tree['SYT']}", json={"name": "Sở Y tế"})
        assert outside.status_code == 403
        assert outside.json()["permission"] == "core.units.manage"
        root = await c.post("/api/v1/units", json={"code": "ROOT2", "name": "Gốc"})
        assert root.status_code == 403
        away = await c.patch(f"/api/v1/units/{tree['VP']}", json={"parent_id": tree["SYT"]})
        assert away.status_code == 403
        # Reading the tree needs the view action in any unit.
        assert len((await c.get("/api/v1/units")).json()["items"]) == 5
        assert (await c.get(f"/api/v1/units/{tree['SYT']}")).status_code == 200


async def test_a_user_without_a_grant_cannot_read_the_tree(app, client, tenant, account, tree):
    nobody = await account(tenant, "nobody", role=None)
    async with client(app, "alpha.localhost", nobody.token) as c:
        response = await c.get("/api/v1/units")
    assert response.status_code == 403
    assert "core.units.view" in response.json()["detail"]


async def test_anonymous_calls_are_401(anon, tree):
    assert (await anon.get("/api/v1/units")).status_code == 401
    assert (await anon.post("/api/v1/units", json={"code": "A", "name": "A"})).status_code == 401


# ------------------------------------------------------------------ two-tenant isolation


async def test_another_tenants_units_are_404_and_never_listed(api, other_api, tree):
    theirs = await make_units(other_api, ("BETA", None))
    listed = (await api.get("/api/v1/units")).json()["items"]
    assert "BETA" not in [u["code"] for u in listed]
    their_id = theirs["BETA"]
    assert (await api.get(f"/api/v1/units/{their_id}")).status_code == 404
    patched = await api.patch(f"/api/v1/units/{their_id}", json={"name": "Hijack"})
    assert patched.status_code == 404
    child = await api.post("/api/v1/units", json={"code": "X", "name": "X", "parent_id": their_id})
    assert child.status_code == 404
    move = await api.patch(f"/api/v1/units/{tree['VP']}", json={"parent_id": their_id})
    assert move.status_code == 404
    theirs_now = (await other_api.get(f"/api/v1/units/{their_id}")).json()
    assert theirs_now["name"] == "Đơn vị BETA"
    assert len((await other_api.get("/api/v1/units")).json()["items"]) == 1


async def test_tenant_endpoints_are_404_on_the_platform_host(app, client, admin):
    async with client(app, "localhost", admin.token) as c:
        response = await c.get("/api/v1/units")
    assert response.status_code in (401, 404)
    async with client(app, "localhost") as c:
        assert (await c.get("/api/v1/units")).status_code == 404


async def test_a_patch_that_fails_halfway_changes_nothing(api):
    parent = (await api.post("/api/v1/units", json={"code": "P", "name": "Sở P"})).json()
    child = (
        await api.post(
            "/api/v1/units", json={"code": "C", "name": "Phòng C", "parent_id": parent["id"]}
        )
    ).json()
    await api.patch(f"/api/v1/units/{parent['id']}", json={"is_active": False})
    # The rename would succeed alone; reactivating under an inactive parent fails after it.
    response = await api.patch(
        f"/api/v1/units/{child['id']}", json={"name": "Phòng mới", "is_active": True}
    )
    assert response.status_code in (409, 422), response.text
    after = (await api.get(f"/api/v1/units/{child['id']}")).json()
    assert after["name"] == "Phòng C"
    assert after["is_active"] is False


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/units/99999999999999999999999", None),
        ("DELETE", "/api/v1/me/tokens/99999999999999999999", None),
        ("POST", "/api/v1/units", {"code": "X", "name": "X", "parent_id": 10**30}),
        ("POST", "/api/v1/grants", {"user_id": 1, "role_key": "clerk", "unit_id": 10**30}),
        ("DELETE", "/api/v1/grants?user_id=1&role_key=clerk&unit_id=%C2%B2", None),
        ("POST", "/api/v1/units", "[" * 100_000),
    ],
)
async def test_absurd_ids_and_bodies_get_clear_answers_not_500(api, method, path, body):
    if isinstance(body, str):
        response = await api.request(
            method, path, content=body, headers={"content-type": "application/json"}
        )
    else:
        response = await api.request(method, path, json=body)
    assert response.status_code in (400, 404, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
