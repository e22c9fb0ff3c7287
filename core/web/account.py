"""The signed-in user's own pages: change my password, my API tokens.

Any signed-in user of the tenant may use them (``@authenticated``); they act only on the
actor's own account and answer 404 on the platform host. (``POST /account/unit``, the unit
switch, lives in :mod:`core.web.pages`.)

- ``/account/password``: the current password is checked like a sign-in (a wrong one counts
  against the login rate limit of the account and the address, and says only "wrong
  password"); the new one must pass :func:`core.users.passwords.check_password_policy`. The
  change ends every session signed with the old password (their fingerprint no longer
  matches), so this browser gets a fresh session cookie with the new fingerprint.
- ``/account/tokens``: the user's tokens. A created token's plaintext is shown once, in the
  response to the POST itself (``Cache-Control: no-store``), never flashed or stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.audit.services import record_audit
from core.context import current_tenant
from core.errors import InvalidInput, TooManyRequests
from core.i18n import N_
from core.i18n import gettext as _
from core.users.models import ApiToken, User
from core.users.passwords import MIN_LENGTH, check_password_policy, verify_password_async
from core.users.ratelimit import LoginThrottle
from core.users.services import get_user, set_password
from core.users.tokens import MAX_DAYS, create_token, list_tokens, revoke_token
from core.web.admin.users_forms import password_message
from core.web.flash import redirect
from core.web.forms import (
    FORM_ERROR,
    AlreadySubmitted,
    Form,
    already_submitted,
    nonce_used,
    parse_id,
    read_form,
    required,
)
from core.web.permissions import authenticated, tenant_page
from core.web.sessions import SessionData, new_csrf_token, password_fingerprint
from core.web.shell import render
from core.web.state import client_address, current_user_id, sessions_of, settings_of

PASSWORD_URL = "/account/password"
TOKENS_URL = "/account/tokens"
NO_STORE = {"Cache-Control": "no-store"}
TOKEN_NAME_MAX = 100
WRONG_PASSWORD = N_("Mật khẩu hiện tại không đúng.")

# ---------------------------------------------------------------- password


async def check_current_password(request: Request, user: User, password: str) -> None:
    """Raise InvalidInput (field ``current_password``) unless ``password`` is the user's.

    Counted like a sign-in attempt: too many failures raise TooManyRequests, also for the
    login form, until the window ends.
    """
    address = client_address(request)
    throttle = LoginThrottle.create(str(current_tenant().id), settings=settings_of(request))
    await throttle.begin(user.username, address)
    if not await verify_password_async(user.password_hash, password):
        await record_audit(
            "user.password_check_failed",
            object_type="user",
            object_id=user.id,
            after={"address": address},
        )
        raise InvalidInput("Wrong password.", {"current_password": _(WRONG_PASSWORD)})
    await throttle.succeeded(user.username, address)


def password_form_errors(form: Form) -> None:
    required(form, "current_password", "new_password", "confirm_password")
    new, confirm = form.get("new_password"), form.get("confirm_password")
    if new and confirm and new != confirm:
        form.error("confirm_password", _("Mật khẩu nhập lại không khớp với mật khẩu mới."))


async def password_page(
    request: Request, form: Form | None, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    context = {"form": form, "min_length": MIN_LENGTH}
    return await render(
        request, "core/account/password.html", context, status=status, headers=headers
    )


@tenant_page
@authenticated
async def password_form(request: Request) -> Response:
    return await password_page(request, None)


@tenant_page
@authenticated
async def change_password(request: Request) -> Response:
    user_id = current_user_id()
    form = await read_form(request)
    if await nonce_used(form):
        return already_submitted(request, PASSWORD_URL)
    if not form.stale:
        password_form_errors(form)
    headers: dict[str, str] = {}
    status = form.status
    if form.ok:
        user = await get_user(user_id)
        new = form.get("new_password")
        try:
            await check_current_password(request, user, form.get("current_password"))
            try:
                check_password_policy(new, username=user.username)
            except InvalidInput as exc:
                reason = password_message(exc.errors.get("password", ""))
                raise InvalidInput(exc.detail, {"new_password": reason}) from exc
            async with form.once():
                await set_password(user_id, new)
        except AlreadySubmitted:
            return already_submitted(request, PASSWORD_URL)
        except TooManyRequests as exc:
            minutes = max(1, math.ceil(exc.retry_after / 60))
            message = _("Nhập sai mật khẩu quá nhiều lần; vui lòng thử lại sau %(minutes)s phút.")
            form.error("current_password", message % {"minutes": minutes})
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        except InvalidInput as exc:
            form.add_errors(exc)
            status = form.status
        else:
            return await signed_in_again(request, user_id)
    return await password_page(request, form, status=status, headers=headers)


async def signed_in_again(request: Request, user_id: int) -> Response:
    """Back to the page with a session cookie for the new password (and a new CSRF token)."""
    user = await get_user(user_id)
    data = SessionData(
        current_tenant().id, "user", user.id, password_fingerprint(user.password_hash)
    )
    response = redirect(
        request,
        PASSWORD_URL,
        _("Đã đổi mật khẩu. Các phiên đăng nhập khác bằng mật khẩu cũ đã bị đăng xuất."),
    )
    sessions = sessions_of(request)
    sessions.set_session(response, data)
    sessions.set_csrf(response, request, new_csrf_token())
    return response


# ---------------------------------------------------------------- API tokens


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    state: str  # active, revoked, expired


def token_rows(tokens: list[ApiToken]) -> list[TokenRow]:
    now = datetime.now(UTC)
    rows = []
    for token in tokens:
        if token.revoked_at is not None:
            state = "revoked"
        elif token.expires_at is not None and token.expires_at <= now:
            state = "expired"
        else:
            state = "active"
        rows.append(TokenRow(token, state))
    return rows


async def tokens_page(request: Request, form: Form | None, *, status: int = 200) -> Response:
    rows = token_rows(await list_tokens(current_user_id()))
    context = {"form": form, "rows": rows, "max_days": MAX_DAYS}
    return await render(request, "core/account/tokens.html", context, status=status)


def token_form_values(form: Form) -> tuple[str, int | None]:
    """The cleaned name and expiry (days) of the create form; errors go on the form."""
    required(form, "name")
    name = " ".join(form.get("name").split())
    if len(name) > TOKEN_NAME_MAX:
        form.error("name", _("Tối đa %(count)s ký tự.") % {"count": TOKEN_NAME_MAX})
    raw = form.get("expires_in_days").strip()
    days: int | None = None
    if raw:
        if (count := parse_id(raw)) is not None and count <= MAX_DAYS:
            days = count
        else:
            form.error(
                "expires_in_days",
                _("Nhập số ngày từ 1 đến %(max)s, hoặc để trống.") % {"max": MAX_DAYS},
            )
    return name, days


def token_errors(form: Form, exc: InvalidInput) -> None:
    """The service's errors, in the user's language."""
    for name in exc.errors:
        if name == "name":
            form.error(
                "name", _("Tên khóa cần từ 1 đến %(count)s ký tự.") % {"count": TOKEN_NAME_MAX}
            )
        elif name == "expires_in_days":
            form.error(
                "expires_in_days",
                _("Nhập số ngày từ 1 đến %(max)s, hoặc để trống.") % {"max": MAX_DAYS},
            )
        else:
            form.error(FORM_ERROR, _("Không tạo được khóa: tài khoản đã bị ngừng sử dụng."))
    if not exc.errors:
        form.add_errors(exc)


@tenant_page
@authenticated
async def my_tokens(request: Request) -> Response:
    return await tokens_page(request, None)


@tenant_page
@authenticated
async def create_my_token(request: Request) -> Response:
    user_id = current_user_id()
    form = await read_form(request)
    if await nonce_used(form):
        return already_submitted(request, TOKENS_URL)
    name, days = ("", None) if form.stale else token_form_values(form)
    if form.ok:
        try:
            async with form.once():
                token, plaintext = await create_token(user_id, name, expires_in_days=days)
        except AlreadySubmitted:
            return already_submitted(request, TOKENS_URL)
        except InvalidInput as exc:
            token_errors(form, exc)
        else:
            context = {"token": token, "plaintext": plaintext}
            return await render(
                request, "core/account/token_created.html", context, headers=dict(NO_STORE)
            )
    return await tokens_page(request, form, status=form.status)


@tenant_page
@authenticated
async def revoke_my_token(request: Request) -> Response:
    user_id = current_user_id()
    token_id: int = request.path_params["token_id"]
    form = await read_form(request)
    if form.stale:
        return await tokens_page(request, form, status=form.status)
    token = await revoke_token(token_id, user_id=user_id)  # another user's token: NotFound
    return redirect(request, TOKENS_URL, _("Đã thu hồi khóa “%(name)s”.") % {"name": token.name})


def routes() -> list[BaseRoute]:
    return [
        Route(PASSWORD_URL, password_form, methods=["GET"], name="account_password"),
        Route(PASSWORD_URL, change_password, methods=["POST"], name="account_change_password"),
        Route(TOKENS_URL, my_tokens, methods=["GET"], name="account_tokens"),
        Route(TOKENS_URL, create_my_token, methods=["POST"], name="account_create_token"),
        Route(
            TOKENS_URL + "/{token_id:int}/revoke",
            revoke_my_token,
            methods=["POST"],
            name="account_revoke_token",
        ),
    ]
