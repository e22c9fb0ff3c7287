"""The platform API on the base domain: tenants for platform admins only."""

from __future__ import annotations

import pytest


@pytest.fixture
async def operator(app, client, password):
    from core.platform.services import create_platform_admin

    await create_platform_admin("operator", password, "Nhà vận hành")
    async with client(app, "localhost") as c:
        response = await c.post(
            "/api/v1/auth/token", json={"username": "operator", "password": password}
        )
    assert response.status_code == 200, response.text
    async with client(app, "localhost", response.json()["token"]) as c:
        yield c


async def test_list_create_get_suspend_resume(operator, app, client, password):
    listed = (await operator.get("/api/v1/platform/tenants")).json()
    assert [t["slug"] for t in listed["items"]] == ["alpha", "beta"]
    created = await operator.post(
        "/api/v1/platform/tenants",
        json={
            "slug": "gamma",
            "name": "Tỉnh Gamma",
            "plugins": ["example"],
            "domains": ["vanban.gamma.gov.vn"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["plugins"] == ["example"]
    assert created.json()["domains"] == ["vanban.gamma.gov.vn"]
    async with client(app, "vanban.gamma.gov.vn") as custom:
        assert (await custom.get("/api/v1/openapi.json")).status_code == 200
    async with client(app, "gamma.localhost") as gamma:
        suspended = await operator.post("/api/v1/platform/tenants/gamma/suspend")
        assert suspended.json()["status"] == "suspended"
        assert (await gamma.get("/api/v1/openapi.json")).status_code == 403
        resumed = await operator.post("/api/v1/platform/tenants/gamma/resume")
        assert resumed.json()["status"] == "active"
        assert (await gamma.get("/api/v1/openapi.json")).status_code == 200
    one = (await operator.get("/api/v1/platform/tenants/gamma")).json()
    assert one["name"] == "Tỉnh Gamma"


async def test_a_tenant_created_with_an_admin_can_sign_in(operator, app, client, password):
    created = await operator.post(
        "/api/v1/platform/tenants",
        json={
            "slug": "delta",
            "name": "Delta",
            "admin_username": "admin",
            "admin_password": password,
        },
    )
    assert created.status_code == 201, created.text
    async with client(app, "delta.localhost") as delta:
        token = await delta.post(
            "/api/v1/auth/token", json={"username": "admin", "password": password}
        )
    assert token.status_code == 200


async def test_bad_tenants_are_refused_and_nothing_is_created(operator):
    bad = await operator.post("/api/v1/platform/tenants", json={"slug": "Bad Slug!", "name": "x"})
    assert bad.status_code == 422
    taken = await operator.post("/api/v1/platform/tenants", json={"slug": "alpha", "name": "x"})
    assert taken.status_code == 409
    slugs = [t["slug"] for t in (await operator.get("/api/v1/platform/tenants")).json()["items"]]
    assert slugs == ["alpha", "beta"]
    assert (await operator.get("/api/v1/platform/tenants/nobody")).status_code == 404


async def test_platform_endpoints_need_a_platform_admin(app, client):
    async with client(app, "localhost") as c:
        response = await c.get("/api/v1/platform/tenants")
    assert response.status_code == 401
    assert "platform administrator" in response.json()["detail"]


async def test_platform_endpoints_are_404_on_tenant_hosts(api, operator):
    response = await api.get("/api/v1/platform/tenants")
    assert response.status_code == 404
    assert (await api.post("/api/v1/platform/tenants/alpha/suspend")).status_code == 404


async def test_a_platform_token_is_unknown_on_a_tenant_host(app, client, operator):
    token = operator.headers["authorization"].removeprefix("Bearer ")
    async with client(app, "alpha.localhost", token) as c:
        response = await c.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown token."


async def test_tenant_endpoints_are_404_for_platform_admins(operator):
    assert (await operator.get("/api/v1/units")).status_code == 404
    assert (await operator.get("/api/v1/me")).status_code == 404
