"""Two-tenant isolation over HTTP on PostgreSQL, where row-level security is the second lock:
the tenant reaches the pooled connection from the request's context variable."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.postgres


async def test_tenants_stay_apart_through_the_api(pg_app, account, client):
    app, alpha, beta = pg_app
    alpha_admin = await account(alpha, "admin")
    beta_admin = await account(beta, "admin")
    async with (
        client(app, "alpha.localhost", alpha_admin.token) as a,
        client(app, "beta.localhost", beta_admin.token) as b,
    ):
        unit = (await a.post("/api/v1/units", json={"code": "UBND", "name": "UBND"})).json()
        assert (await b.get(f"/api/v1/units/{unit['id']}")).status_code == 404
        assert (await b.patch(f"/api/v1/units/{unit['id']}", json={"name": "x"})).status_code == 404
        assert (await b.get("/api/v1/units")).json()["items"] == []
        assert (await b.get(f"/api/v1/users/{alpha_admin.user_id}")).status_code == 404
        # Concurrent requests of both tenants share the pool; none sees the other's rows.
        results = await asyncio.gather(
            *(a.get("/api/v1/units") for _ in range(10)),
            *(b.get("/api/v1/units") for _ in range(10)),
        )
        assert [len(r.json()["items"]) for r in results] == [1] * 10 + [0] * 10
        audit = (await b.get("/api/v1/audit", params={"limit": 200})).json()["items"]
        assert "UBND" not in str(audit)
    async with client(app, "beta.localhost", alpha_admin.token) as cross:
        assert (await cross.get("/api/v1/me")).status_code == 401
