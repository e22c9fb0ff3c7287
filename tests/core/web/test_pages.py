"""The minimal pages: start page, sign-in with CSRF, sign-out, the platform console login."""

from __future__ import annotations

import re

from core.web.sessions import CSRF_COOKIE, SESSION_COOKIE

HTML = {"accept": "text/html"}


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def sign_in(c, username: str, password: str):
    page = await c.get("/", headers=HTML)
    form = {"username": username, "password": password, "csrf_token": csrf_of(page.text)}
    return await c.post("/login", data=form, headers=HTML)


async def test_start_page_shows_the_tenant_and_a_login_form(anon, tenant):
    page = await anon.get("/", headers=HTML)
    assert page.status_code == 200
    assert tenant.name in page.text
    assert "Đăng nhập" in page.text
    assert CSRF_COOKIE in page.cookies


async def test_sign_in_then_home_shows_name_and_units_then_sign_out(
    app, client, tenant, account, password, in_tenant
):
    from core.units.services import create_unit

    unit = await in_tenant(tenant, lambda: create_unit("STP", "Sở Tư pháp", short_name="STP"))
    await account(tenant, "lan", role="clerk", unit_id=unit.id)
    async with client(app, "alpha.localhost") as c:
        response = await sign_in(c, "lan", password)
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        cookie_header = " ".join(response.headers.get_list("set-cookie"))
        assert "HttpOnly" in cookie_header
        assert "SameSite=lax" in cookie_header
        home = await c.get("/", headers=HTML)
        assert "Xin chào, Lan" in home.text
        assert "Sở Tư pháp" in home.text
        assert "Đăng xuất" in home.text
        me = await c.get("/api/v1/me")
        assert me.json()["username"] == "lan"
        out = await c.post("/logout", data={"csrf_token": csrf_of(home.text)}, headers=HTML)
        assert out.status_code == 303
        assert (await c.get("/api/v1/me")).status_code == 401


async def test_secure_cookies_when_configured(build_app, admin, password, web_settings):
    import httpx

    app = build_app(settings=web_settings.model_copy(update={"secure_cookies": True}))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="https://alpha.localhost") as c,
    ):
        response = await sign_in(c, "admin", password)
    session = [h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE)]
    assert session
    assert "Secure" in session[0]


async def test_login_without_the_csrf_token_is_refused(anon, admin, password):
    await anon.get("/", headers=HTML)
    response = await anon.post(
        "/login", data={"username": "admin", "password": password}, headers=HTML
    )
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in response.text
    assert SESSION_COOKIE not in response.cookies


async def test_a_csrf_token_of_another_host_is_refused(app, client, admin, password):
    async with client(app, "beta.localhost") as beta:
        page = await beta.get("/", headers=HTML)
        foreign_cookie = beta.cookies[CSRF_COOKIE]
    async with client(app, "alpha.localhost") as alpha:
        alpha.cookies.set(CSRF_COOKIE, foreign_cookie)
        form = {"username": "admin", "password": password, "csrf_token": csrf_of(page.text)}
        response = await alpha.post("/login", data=form, headers=HTML)
    assert response.status_code == 403


async def test_wrong_password_shows_the_message_and_keeps_the_username(anon, admin):
    response = await sign_in(anon, "admin", "wrong")
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.text
    assert 'value="admin"' in response.text


async def test_too_many_failures_show_how_long_to_wait(anon, admin, password):
    for _ in range(3):
        await sign_in(anon, "admin", "wrong")
    response = await sign_in(anon, "admin", password)
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần; vui lòng thử lại sau" in response.text
    assert int(response.headers["retry-after"]) > 0


async def test_a_password_change_ends_older_sessions(app, client, admin, password, api):
    async with client(app, "alpha.localhost") as c:
        await sign_in(c, "admin", password)
        assert (await c.get("/api/v1/me")).status_code == 200
        changed = await api.patch(
            f"/api/v1/users/{admin.user_id}", json={"password": "Một-mật-khẩu-mới-2"}
        )
        assert changed.status_code == 200, changed.text
        assert (await c.get("/api/v1/me")).status_code == 401


async def test_cookie_api_writes_need_the_csrf_header(app, client, admin, password):
    async with client(app, "alpha.localhost") as c:
        await sign_in(c, "admin", password)
        home = await c.get("/", headers=HTML)
        body = {"code": "VP", "name": "Văn phòng"}
        refused = await c.post("/api/v1/units", json=body)
        assert refused.status_code == 403
        assert "X-CSRF-Token" in refused.json()["detail"]
        accepted = await c.post(
            "/api/v1/units", json=body, headers={"X-CSRF-Token": csrf_of(home.text)}
        )
        assert accepted.status_code == 201, accepted.text


async def test_platform_console_login(app, client, password):
    from core.platform.services import create_platform_admin

    await create_platform_admin("operator", password, "Nhà vận hành")
    async with client(app, "localhost") as c:
        page = await c.get("/", headers=HTML)
        assert "Bảng điều khiển nền tảng" in page.text
        response = await sign_in(c, "operator", password)
        assert response.status_code == 303
        home = await c.get("/", headers=HTML)
        assert "Nhà vận hành" in home.text
        tenants = await c.get("/api/v1/platform/tenants")
        assert tenants.status_code == 200
    async with client(app, "alpha.localhost") as alpha:
        alpha.cookies.set(SESSION_COOKIE, c.cookies[SESSION_COOKIE])
        page = await alpha.get("/", headers=HTML)
        assert "Đăng nhập" in page.text


async def test_tenant_users_cannot_sign_in_to_the_console(app, client, admin, password):
    async with client(app, "localhost") as c:
        response = await sign_in(c, "admin", password)
    assert response.status_code == 401
