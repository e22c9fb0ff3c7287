"""/api/v1/users: accounts, password resets, positions, two-tenant isolation."""

from __future__ import annotations

import pytest


@pytest.fixture
async def units(api):
    ids = {}
    for code in ("STP", "SYT"):
        response = await api.post("/api/v1/units", json={"code": code, "name": f"Sở {code}"})
        ids[code] = response.json()["id"]
    return ids


async def test_create_list_and_read_users(api, units):
    created = await api.post(
        "/api/v1/users",
        json={
            "username": "Lan.Nguyen",
            "full_name": "Nguyễn Thị Lan",
            "email": "lan@stp.gov.vn",
            "unit_id": units["STP"],
            "position_title": "Chuyên viên",
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["username"] == "lan.nguyen"
    assert user["positions"] == [
        {
            "unit_id": units["STP"],
            "unit_code": "STP",
            "unit_name": "Sở STP",
            "title": "Chuyên viên",
            "is_primary": True,
        }
    ]
    listed = (await api.get("/api/v1/users", params={"unit_id": units["STP"]})).json()
    assert [u["username"] for u in listed["items"]] == ["lan.nguyen"]
    found = (await api.get("/api/v1/users", params={"q": "Thị Lan"})).json()["items"]
    assert [u["id"] for u in found] == [user["id"]]
    assert "password_hash" not in (await api.get(f"/api/v1/users/{user['id']}")).text


async def test_users_paginate(api):
    for i in range(5):
        await api.post("/api/v1/users", json={"username": f"u{i}", "full_name": f"U {i}"})
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/api/v1/users", params=params)).json()
        seen += [u["username"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == ["admin", "u0", "u1", "u2", "u3", "u4"]
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize("cursor", ["garbage!", "WyJ4Il0", "WzEsMl0"])  # ["x"], [1,2]
async def test_a_cursor_this_list_did_not_issue_is_refused(api, cursor):
    response = await api.get("/api/v1/users", params={"cursor": cursor})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "cursor" in response.json()["errors"]


async def test_bad_input_is_named_and_nothing_is_created(api, units):
    bad = await api.post("/api/v1/users", json={"username": "x y", "full_name": "X"})
    assert bad.status_code == 422
    assert "username" in bad.json()["errors"]
    weak = await api.post(
        "/api/v1/users", json={"username": "weak", "full_name": "Weak", "password": "123"}
    )
    assert weak.status_code == 422
    taken = await api.post("/api/v1/users", json={"username": "admin", "full_name": "Again"})
    assert taken.status_code == 409
    names = [u["username"] for u in (await api.get("/api/v1/users")).json()["items"]]
    assert names == ["admin"]


async def test_patch_changes_fields_resets_password_and_deactivates(api, app, client, password):
    user = (
        await api.post(
            "/api/v1/users",
            json={
                "username": "minh",
                "full_name": "Minh",
                "password": password,
            },
        )
    ).json()
    changed = await api.patch(
        f"/api/v1/users/{user['id']}",
        json={"full_name": "Trần Văn Minh", "password": "Mật-khẩu-mới-rất-dài-9"},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["full_name"] == "Trần Văn Minh"
    async with client(app, "alpha.localhost") as c:
        old = await c.post("/api/v1/auth/token", json={"username": "minh", "password": password})
        assert old.status_code == 401
        new = await c.post(
            "/api/v1/auth/token", json={"username": "minh", "password": "Mật-khẩu-mới-rất-dài-9"}
        )
        assert new.status_code == 200
    off = await api.patch(f"/api/v1/users/{user['id']}", json={"is_active": False})
    assert off.json()["is_active"] is False


async def test_a_weak_new_password_changes_nothing(api):
    user = (await api.post("/api/v1/users", json={"username": "an", "full_name": "An"})).json()
    response = await api.patch(
        f"/api/v1/users/{user['id']}", json={"full_name": "Changed", "password": "1"}
    )
    assert response.status_code == 422
    assert (await api.get(f"/api/v1/users/{user['id']}")).json()["full_name"] == "An"


async def test_positions_are_added_and_removed(api, units):
    user = (await api.post("/api/v1/users", json={"username": "hoa", "full_name": "Hoa"})).json()
    added = await api.post(
        f"/api/v1/users/{user['id']}/positions",
        json={"unit_id": units["SYT"], "title": "Phó Giám đốc", "is_primary": True},
    )
    assert added.status_code == 201, added.text
    assert [p["unit_code"] for p in added.json()["positions"]] == ["SYT"]
    removed = await api.delete(f"/api/v1/users/{user['id']}/positions/{units['SYT']}")
    assert removed.status_code == 204
    assert (await api.get(f"/api/v1/users/{user['id']}")).json()["positions"] == []


async def test_a_unit_admin_manages_users_of_their_unit_only(
    app, client, tenant, account, api, units
):
    boss = await account(tenant, "stpboss", role="unit_admin", unit_id=units["STP"])
    stp_user = (
        await api.post(
            "/api/v1/users",
            json={"username": "stpuser", "full_name": "STP", "unit_id": units["STP"]},
        )
    ).json()
    syt_user = (
        await api.post(
            "/api/v1/users",
            json={"username": "sytuser", "full_name": "SYT", "unit_id": units["SYT"]},
        )
    ).json()
    async with client(app, "alpha.localhost", boss.token) as c:
        ok = await c.patch(f"/api/v1/users/{stp_user['id']}", json={"phone": "0901234567"})
        assert ok.status_code == 200
        denied = await c.patch(f"/api/v1/users/{syt_user['id']}", json={"phone": "0901234567"})
        assert denied.status_code == 403
        create_elsewhere = await c.post(
            "/api/v1/users", json={"username": "x1", "full_name": "X", "unit_id": units["SYT"]}
        )
        assert create_elsewhere.status_code == 403
        assert (await c.get(f"/api/v1/users/{syt_user['id']}")).status_code == 200


# ------------------------------------------------------------------ two-tenant isolation


async def test_another_tenants_users_are_404_and_never_listed(api, other_api, other_admin, units):
    uid = other_admin.user_id
    assert (await api.get(f"/api/v1/users/{uid}")).status_code == 404
    assert (
        await api.patch(f"/api/v1/users/{uid}", json={"full_name": "Hijack"})
    ).status_code == 404
    assert (
        await api.patch(f"/api/v1/users/{uid}", json={"password": "Mật-khẩu-mới-rất-dài-9"})
    ).status_code == 404
    position = await api.post(f"/api/v1/users/{uid}/positions", json={"unit_id": units["STP"]})
    assert position.status_code == 404
    their_unit = (await other_api.post("/api/v1/units", json={"code": "B", "name": "B"})).json()
    mine = (await api.get("/api/v1/me")).json()["id"]
    cross = await api.post(f"/api/v1/users/{mine}/positions", json={"unit_id": their_unit["id"]})
    assert cross.status_code == 404
    create = await api.post(
        "/api/v1/users", json={"username": "z", "full_name": "Z", "unit_id": their_unit["id"]}
    )
    assert create.status_code == 404
    filtered = await api.get("/api/v1/users", params={"unit_id": their_unit["id"]})
    assert filtered.status_code == 404
    removed = await api.delete(f"/api/v1/users/{uid}/positions/{their_unit['id']}")
    assert removed.status_code == 404
    listed = (await api.get("/api/v1/users")).json()["items"]
    assert [u["id"] for u in listed] == [mine]
    theirs = (await other_api.get(f"/api/v1/users/{uid}")).json()
    assert theirs["full_name"] == "Admin"
