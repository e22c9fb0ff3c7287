"""Bearer tokens and session cookies: who the caller is, per tenant and on the platform host."""

from __future__ import annotations

from core.web.sessions import SESSION_COOKIE


async def test_password_login_gives_a_token_that_works(app, admin, anon, client, password):
    response = await anon.post(
        "/api/v1/auth/token", json={"username": "admin", "password": password}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_at"] is not None
    async with client(app, "alpha.localhost", body["token"]) as c:
        me = await c.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "admin"
    assert me.json()["permissions"]["core.units.manage"] == ["*"]


async def test_wrong_password_is_401_and_issues_nothing(admin, anon, api):
    response = await anon.post("/api/v1/auth/token", json={"username": "admin", "password": "x"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."
    tokens = (await api.get("/api/v1/me/tokens")).json()["items"]
    assert [t["name"] for t in tokens] == ["tests"]


async def test_repeated_failures_are_rate_limited_with_retry_after(admin, anon, password):
    for _ in range(3):  # login_max_failures_account=3 in web_settings
        await anon.post("/api/v1/auth/token", json={"username": "admin", "password": "bad"})
    response = await anon.post(
        "/api/v1/auth/token", json={"username": "admin", "password": password}
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["retry_after"] == int(response.headers["retry-after"])


async def test_missing_fields_in_the_login_body_are_named(anon):
    response = await anon.post("/api/v1/auth/token", json={"username": "admin"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"password": "Field required"}


async def test_a_bad_token_is_401_with_www_authenticate(anon):
    for token in ("garbage", "cv_" + "a" * 43):
        response = await anon.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json()["detail"] == "Unknown token."
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_a_non_bearer_authorization_header_is_explained(anon):
    response = await anon.get("/api/v1/units", headers={"Authorization": "Basic YWRtaW46eA=="})
    assert response.status_code == 401
    assert "Bearer" in response.json()["detail"]


async def test_a_revoked_token_stops_working(api, app, client, admin):
    created = await api.post("/api/v1/me/tokens", json={"name": "phone"})
    assert created.status_code == 201
    token = created.json()["token"]
    async with client(app, "alpha.localhost", token) as phone:
        assert (await phone.get("/api/v1/me")).status_code == 200
        revoked = await api.delete(f"/api/v1/me/tokens/{created.json()['id']}")
        assert revoked.status_code == 204
        response = await phone.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token was revoked."


async def test_a_token_of_tenant_a_is_unknown_on_tenant_b(app, admin, client):
    async with client(app, "beta.localhost", admin.token) as c:
        response = await c.get("/api/v1/units")
    assert response.status_code == 401
    assert response.json()["detail"] == "Unknown token."


async def test_a_tenant_token_is_unknown_on_the_platform_host(app, admin, client):
    async with client(app, "localhost", admin.token) as c:
        response = await c.get("/api/v1/platform/tenants")
    assert response.status_code == 401


async def test_my_tokens_list_only_mine(api, account, app, client, tenant):
    clerk = await account(tenant, "clerk1", role="clerk")
    async with client(app, "alpha.localhost", clerk.token) as c:
        mine = (await c.get("/api/v1/me/tokens")).json()["items"]
        theirs = (await api.get("/api/v1/me/tokens")).json()["items"]
        assert len(mine) == 1
        assert len(theirs) == 1
        response = await c.delete(f"/api/v1/me/tokens/{theirs[0]['id']}")
    assert response.status_code == 404
    assert (await api.get("/api/v1/me")).status_code == 200


async def test_me_needs_a_signed_in_user(anon):
    response = await anon.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_session_cookie_of_tenant_a_is_ignored_on_b(app, admin, client, tenant):
    from core.context import tenant_context
    from core.users.models import User
    from core.web.sessions import SessionData, password_fingerprint

    with tenant_context(tenant):
        user = await User.get(id=admin.user_id)
    data = SessionData(tenant.id, "user", admin.user_id, password_fingerprint(user.password_hash))
    cookie = app.state.sessions.dumps(data)
    async with client(app, "alpha.localhost") as alpha:
        alpha.cookies.set(SESSION_COOKIE, cookie)
        assert (await alpha.get("/api/v1/me")).json()["username"] == "admin"
    async with client(app, "beta.localhost") as beta:
        beta.cookies.set(SESSION_COOKIE, cookie)
        assert (await beta.get("/api/v1/me")).status_code == 401


async def test_a_forged_or_expired_session_cookie_is_anonymous(app, admin, client, tenant):
    from core.web.sessions import SessionCodec, SessionData

    async with client(app, "alpha.localhost") as c:
        c.cookies.set(SESSION_COOKIE, "forged.value.here")
        assert (await c.get("/api/v1/me")).status_code == 401
    other_key = app.state.settings.model_copy(update={"secret_key": "another-key"})
    foreign = SessionCodec(other_key).dumps(SessionData(tenant.id, "user", admin.user_id, "x"))
    async with client(app, "alpha.localhost") as c:
        c.cookies.set(SESSION_COOKIE, foreign)
        assert (await c.get("/api/v1/me")).status_code == 401


async def test_a_user_of_tenant_a_cannot_sign_in_on_b(app, account, tenant, client, password):
    await account(tenant, "onlyalpha", role=None)
    async with client(app, "beta.localhost") as beta:
        response = await beta.post(
            "/api/v1/auth/token", json={"username": "onlyalpha", "password": password}
        )
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."


async def test_another_tenants_token_ids_are_404(api, other_api):
    theirs = (await other_api.get("/api/v1/me/tokens")).json()["items"]
    response = await api.delete(f"/api/v1/me/tokens/{theirs[0]['id']}")
    assert response.status_code == 404
    assert [t["id"] for t in (await other_api.get("/api/v1/me/tokens")).json()["items"]] == [
        theirs[0]["id"]
    ]
    assert (await other_api.get("/api/v1/me")).status_code == 200


async def test_an_expired_token_says_so(api, app, client, tenant, in_tenant):
    from datetime import UTC, datetime, timedelta

    from core.users.models import ApiToken

    created = await api.post("/api/v1/me/tokens", json={"name": "old", "expires_in_days": 1})
    token = created.json()["token"]
    past = datetime.now(UTC) - timedelta(minutes=1)
    await in_tenant(
        tenant, lambda: ApiToken.filter(id=created.json()["id"]).update(expires_at=past)
    )
    async with client(app, "alpha.localhost", token) as c:
        response = await c.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token has expired."
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
