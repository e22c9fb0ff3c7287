"""The signed-in user's pages: change my password (/account/password) and my API tokens
(/account/tokens)."""

from __future__ import annotations

import html
import re

import pytest

from core.testing_web import HTML, PASSWORD, hidden_fields, sign_in_page, submit_form
from core.web.flash import FLASH_COOKIE
from core.web.sessions import SESSION_COOKIE

NEW_PASSWORD = "Một-mật-khẩu-mới-2"
TOKEN = re.compile(r"cvt_[A-Za-z0-9_-]{43}")


def field_error(page: str, name: str) -> str:
    match = re.search(rf'data-field-error="{name}">([^<]*)<', page)
    assert match, f"no error shown for {name}"
    return html.unescape(match.group(1))


def input_value(page: str, name: str) -> str:
    match = re.search(rf'<input id="f-{name}" name="{name}" type="[a-z]+" value="([^"]*)"', page)
    assert match, f"no input {name}"
    return html.unescape(match.group(1))


def change(current: str = PASSWORD, new: str = NEW_PASSWORD, confirm: str | None = None):
    return {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
    }


async def can_sign_in(app, client, username: str, password: str) -> bool:
    async with client(app, "alpha.localhost") as c:
        return (await sign_in_page(c, username, password)).status_code == 303


async def audit_actions(in_tenant, tenant, action: str) -> list[str]:
    from core.audit.models import AuditEvent

    async def read() -> list[str]:
        return [e.object_id for e in await AuditEvent.filter(action=action)]

    return await in_tenant(tenant, read)


# ---------------------------------------------------------------- password


async def test_changing_the_password_ends_old_sessions_but_keeps_this_browser_signed_in(
    app, client, page_client, account, tenant, in_tenant
):
    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    other_browser = await page_client(lan)
    old_cookie = c.cookies[SESSION_COOKIE]
    page = await c.get("/account/password", headers=HTML)
    assert page.status_code == 200
    assert "Mật khẩu hiện tại" in page.text
    response = await submit_form(c, "/account/password", "/account/password", change())
    assert response.status_code == 303
    assert response.headers["location"] == "/account/password"
    assert c.cookies[SESSION_COOKIE] != old_cookie
    # This browser stays signed in with its fresh cookie and sees the flash.
    after = await c.get("/account/password", headers=HTML)
    assert after.status_code == 200
    assert "Đã đổi mật khẩu." in after.text
    assert (await c.get("/api/v1/me")).json()["username"] == "lan"
    # Another browser signed in with the old password, and a replay of the old cookie, are out.
    assert (await other_browser.get("/api/v1/me")).status_code == 401
    async with client(app, "alpha.localhost") as stale:
        stale.cookies.set(SESSION_COOKIE, old_cookie)
        assert (await stale.get("/api/v1/me")).status_code == 401
        assert (await stale.get("/account/password", headers=HTML)).status_code == 303
    assert await can_sign_in(app, client, "lan", NEW_PASSWORD)
    assert not await can_sign_in(app, client, "lan", PASSWORD)
    assert await audit_actions(in_tenant, tenant, "user.password") == [str(lan.user_id)]


async def test_a_wrong_current_password_is_a_field_error_and_counts_as_a_failed_sign_in(
    app, client, page_client, account, tenant
):
    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    wrong = await submit_form(
        c, "/account/password", "/account/password", change(current="không-phải-mật-khẩu")
    )
    assert wrong.status_code == 422
    assert field_error(wrong.text, "current_password") == "Mật khẩu hiện tại không đúng."
    assert NEW_PASSWORD not in wrong.text  # password fields are never echoed
    assert await can_sign_in(app, client, "lan", PASSWORD)  # nothing changed
    # The test settings lock an account after 3 failures: two more wrong attempts lock it,
    # then even the right password is refused, here and on the login form.
    for _ in range(3):
        await submit_form(c, "/account/password", "/account/password", change(current="sai-rồi"))
    locked = await submit_form(c, "/account/password", "/account/password", change())
    assert locked.status_code == 429
    assert "quá nhiều lần" in field_error(locked.text, "current_password")
    assert "Retry-After" in locked.headers
    async with client(app, "alpha.localhost") as other:
        assert (await sign_in_page(other, "lan", PASSWORD)).status_code == 429


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("ngan", "Mật khẩu cần ít nhất 8 ký tự."),
        ("x" * 1025, "Mật khẩu chỉ được dài tối đa 1024 ký tự."),
    ],
)
async def test_a_new_password_against_the_policy_is_a_field_error(
    app, client, page_client, account, tenant, new, message
):
    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    response = await submit_form(c, "/account/password", "/account/password", change(new=new))
    assert response.status_code == 422
    assert field_error(response.text, "new_password") == message
    assert await can_sign_in(app, client, "lan", PASSWORD)


async def test_the_user_name_is_not_a_password(app, client, page_client, account, tenant):
    user = await account(tenant, "nguyenvanlan", role="clerk")
    c = await page_client(user)
    response = await submit_form(
        c, "/account/password", "/account/password", change(new="NguyenVanLan")
    )
    assert response.status_code == 422
    assert "trùng với tên đăng nhập" in field_error(response.text, "new_password")
    assert await can_sign_in(app, client, "nguyenvanlan", PASSWORD)


async def test_a_confirmation_that_does_not_match_is_a_field_error(
    app, client, page_client, account, tenant
):
    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    response = await submit_form(
        c, "/account/password", "/account/password", change(confirm=NEW_PASSWORD + "x")
    )
    assert response.status_code == 422
    assert "không khớp" in field_error(response.text, "confirm_password")
    empty = await submit_form(c, "/account/password", "/account/password", change(new=""))
    assert empty.status_code == 422
    assert field_error(empty.text, "new_password") == "Vui lòng nhập trường này."
    assert await can_sign_in(app, client, "lan", PASSWORD)


async def test_a_stale_form_changes_nothing(app, client, page_client, account, tenant):
    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    page = await c.get("/account/password", headers=HTML)
    fields = {**hidden_fields(page.text, "/account/password"), "csrf_token": "stale"}
    response = await c.post("/account/password", data={**fields, **change()}, headers=HTML)
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in response.text
    assert await can_sign_in(app, client, "lan", PASSWORD)
    assert (await c.get("/api/v1/me")).status_code == 200


async def test_a_double_submit_changes_the_password_once(page_client, account, tenant, in_tenant):
    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    page = await c.get("/account/password", headers=HTML)
    data = {**hidden_fields(page.text, "/account/password"), **change()}
    first = await c.post("/account/password", data=data, headers=HTML)
    assert first.status_code == 303
    data["csrf_token"] = hidden_fields(
        (await c.get("/account/password", headers=HTML)).text, "/account/password"
    )["csrf_token"]
    again = await c.post("/account/password", data=data, headers=HTML)
    assert again.status_code == 303
    assert "Biểu mẫu này đã được gửi." in (await c.get("/account/password", headers=HTML)).text
    assert await audit_actions(in_tenant, tenant, "user.password") == [str(lan.user_id)]


# ---------------------------------------------------------------- tokens


async def test_a_created_token_is_shown_once_and_works_as_a_bearer_token(
    app, client, page_client, account, tenant
):
    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    listing = await c.get("/account/tokens", headers=HTML)
    assert listing.status_code == 200
    assert "tests" in listing.text  # the token the fixture made
    created = await submit_form(
        c, "/account/tokens", "/account/tokens", {"name": "Điện thoại", "expires_in_days": "30"}
    )
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    assert FLASH_COOKIE not in created.cookies
    plaintext = TOKEN.findall(created.text)
    assert len(plaintext) == 1
    token = plaintext[0]
    assert "Hãy sao chép khóa ngay bây giờ." in created.text
    async with client(app, "alpha.localhost", token) as bearer:
        me = await bearer.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["username"] == "lan"
    listing = await c.get("/account/tokens", headers=HTML)
    assert "Điện thoại" in listing.text
    assert token not in listing.text
    assert TOKEN.search(listing.text) is None
    assert token[:12] in listing.text  # the prefix tells tokens apart


async def test_revoking_a_token_makes_it_fail(app, client, page_client, account, tenant):
    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    created = await submit_form(c, "/account/tokens", "/account/tokens", {"name": "CLI"})
    token = TOKEN.search(created.text).group(0)
    listing = await c.get("/account/tokens", headers=HTML)
    token_id = _token_id(listing.text, "CLI")
    revoked = await submit_form(c, "/account/tokens", f"/account/tokens/{token_id}/revoke", {})
    assert revoked.status_code == 303
    listing = await c.get("/account/tokens", headers=HTML)
    assert "Đã thu hồi khóa “CLI”." in listing.text
    assert "Đã thu hồi" in listing.text
    assert f'action="/account/tokens/{token_id}/revoke"' not in listing.text
    async with client(app, "alpha.localhost", token) as bearer:
        assert (await bearer.get("/api/v1/me")).status_code == 401
    async with client(app, "alpha.localhost", lan.token) as bearer:  # the others still work
        assert (await bearer.get("/api/v1/me")).status_code == 200


def _token_id(listing: str, name: str) -> int:
    match = re.search(rf'<tr data-token="(\d+)">\s*<td>{re.escape(name)}</td>', listing)
    assert match, f"token {name} not listed"
    return int(match.group(1))


async def test_another_users_or_tenants_token_cannot_be_revoked(
    app, client, page_client, account, tenant, other_tenant, in_tenant
):
    from core.users.tokens import list_tokens

    lan = await account(tenant, "lan", role="clerk")
    binh = await account(tenant, "binh", role="clerk")
    foreign = await account(other_tenant, "lan", role="clerk")
    binh_token = (await in_tenant(tenant, lambda: list_tokens(binh.user_id)))[0]
    foreign_token = (await in_tenant(other_tenant, lambda: list_tokens(foreign.user_id)))[0]
    c = await page_client(lan)
    page = await c.get("/account/tokens", headers=HTML)
    for token_id in (binh_token.id, foreign_token.id, 999999):
        fields = hidden_fields(page.text, "/account/tokens")
        response = await c.post(f"/account/tokens/{token_id}/revoke", data=fields, headers=HTML)
        assert response.status_code == 404
    async with client(app, "alpha.localhost", binh.token) as bearer:
        assert (await bearer.get("/api/v1/me")).status_code == 200
    async with client(app, "beta.localhost", foreign.token) as bearer:
        assert (await bearer.get("/api/v1/me")).status_code == 200


async def test_a_double_submit_creates_one_token(page_client, account, tenant, in_tenant):
    from core.users.tokens import list_tokens

    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    page = await c.get("/account/tokens", headers=HTML)
    data = {**hidden_fields(page.text, "/account/tokens"), "name": "Máy tính bảng"}
    first = await c.post("/account/tokens", data=data, headers=HTML)
    assert first.status_code == 200 and TOKEN.search(first.text)
    again = await c.post("/account/tokens", data=data, headers=HTML)
    assert again.status_code == 303
    assert TOKEN.search(again.text) is None
    assert "Biểu mẫu này đã được gửi." in (await c.get("/account/tokens", headers=HTML)).text
    tokens = await in_tenant(tenant, lambda: list_tokens(lan.user_id))
    assert [t.name for t in tokens].count("Máy tính bảng") == 1


async def test_invalid_token_values_are_field_errors_with_the_values_kept(
    page_client, account, tenant, in_tenant
):
    from core.users.tokens import list_tokens

    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    response = await submit_form(
        c, "/account/tokens", "/account/tokens", {"name": "  ", "expires_in_days": "mãi"}
    )
    assert response.status_code == 422
    assert field_error(response.text, "name") == "Vui lòng nhập trường này."
    assert "từ 1 đến 3650" in field_error(response.text, "expires_in_days")
    assert input_value(response.text, "expires_in_days") == "mãi"
    response = await submit_form(
        c, "/account/tokens", "/account/tokens", {"name": "Ứng dụng", "expires_in_days": "0"}
    )
    assert response.status_code == 422
    assert input_value(response.text, "name") == "Ứng dụng"
    assert TOKEN.search(response.text) is None
    for days in ("²", "9" * 5000):  # Unicode digits and absurd lengths: a field error, not 500
        response = await submit_form(
            c, "/account/tokens", "/account/tokens", {"name": "Ứng dụng", "expires_in_days": days}
        )
        assert response.status_code == 422
        assert "từ 1 đến 3650" in field_error(response.text, "expires_in_days")
    response = await submit_form(c, "/account/tokens", "/account/tokens", {"name": "x" * 101})
    assert response.status_code == 422
    assert "100" in field_error(response.text, "name")
    assert [t.name for t in await in_tenant(tenant, lambda: list_tokens(lan.user_id))] == ["tests"]


async def test_a_stale_token_form_creates_nothing(page_client, account, tenant, in_tenant):
    from core.users.tokens import list_tokens

    lan = await account(tenant, "lan", role="clerk")
    c = await page_client(lan)
    page = await c.get("/account/tokens", headers=HTML)
    fields = {**hidden_fields(page.text, "/account/tokens"), "csrf_token": "stale"}
    response = await c.post("/account/tokens", data={**fields, "name": "CLI"}, headers=HTML)
    assert response.status_code == 403
    assert input_value(response.text, "name") == "CLI"
    assert TOKEN.search(response.text) is None
    token_id = _token_id(page.text, "tests")
    response = await c.post(f"/account/tokens/{token_id}/revoke", data=fields, headers=HTML)
    assert response.status_code == 403
    tokens = await in_tenant(tenant, lambda: list_tokens(lan.user_id))
    assert [(t.name, t.revoked_at) for t in tokens] == [("tests", None)]


# ---------------------------------------------------------------- who may open them


@pytest.mark.parametrize("path", ["/account/password", "/account/tokens"])
async def test_anonymous_visitors_are_sent_to_sign_in(anon, path):
    response = await anon.get(path, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/login?next={path}")


@pytest.mark.parametrize("path", ["/account/password", "/account/tokens"])
async def test_the_platform_host_has_no_account_pages(app, client, path):
    async with client(app, "localhost") as c:
        assert (await c.get(path, headers=HTML)).status_code == 404
