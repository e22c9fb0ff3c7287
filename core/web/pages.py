"""The minimal kernel pages: start page with the login form, sign-in and sign-out.

On a tenant host ``/`` shows the tenant's name and a login form, or the signed-in user's name,
units and a sign-out button. On the base domain it is the platform console's login. Forms carry
a CSRF token that must match the signed cookie; failed sign-ins are rate-limited by the
authentication services and the page says how long to wait. ``POST /lang`` switches the UI
language (a ``lang`` cookie, see ``core.i18n``) and returns to a same-site page.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from core.context import TenantInfo, current_actor
from core.errors import InvalidInput, PermissionDenied, TooManyRequests, Unauthenticated
from core.i18n import LANG_COOKIE, N_, SUPPORTED
from core.i18n import gettext as _
from core.platform.services import authenticate_platform
from core.users.auth import DEACTIVATED, authenticate
from core.web.api.auth import positions_of
from core.web.flash import redirect
from core.web.forms import FORM_ERROR, read_form
from core.web.permissions import authenticated, public
from core.web.sessions import CSRF_FIELD, SessionData, new_csrf_token, password_fingerprint
from core.web.shell import UNIT_COOKIE, render, unit_choices
from core.web.state import client_address, is_platform, sessions_of, settings_of

STALE_FORM = N_("Biểu mẫu đã hết hạn, vui lòng thử lại.")
WRONG_LOGIN = N_("Tên đăng nhập hoặc mật khẩu không đúng.")
DEACTIVATED_LOGIN = N_("Tài khoản này đã bị ngừng sử dụng. Vui lòng liên hệ quản trị viên.")
LANG_MAX_AGE = 365 * 24 * 3600
UNIT_MAX_AGE = 365 * 24 * 3600


def login_page(
    request: Request,
    *,
    error: str = "",
    username: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
    next_url: str = "",
) -> Awaitable[Response]:
    notice = ""
    if request.query_params.get("expired") and not error:
        notice = _("Phiên làm việc đã hết hạn hoặc bạn chưa đăng nhập. Đăng nhập để tiếp tục.")
    context = {
        "error": error,
        "notice": notice,
        "username": username,
        "next": next_url or safe_next(request.query_params.get("next", "/")),
    }
    return render(request, "core/login.html", context, status=status, headers=headers)


@public
async def home(request: Request) -> Response:
    actor = current_actor()
    if actor.kind == "user" and actor.id is not None and not is_platform(request):
        context = {"display_name": actor.name, "positions": await positions_of(actor.id)}
        return await render(request, "core/home.html", context)
    if actor.kind == "platform" and is_platform(request):
        return await render(
            request, "core/home.html", {"display_name": actor.name, "positions": []}
        )
    return await login_page(request)


@public
async def login_form(request: Request) -> Response:
    """The sign-in page; ``next`` is where to go afterwards (already signed in: go there)."""
    if current_actor().kind in ("user", "platform"):
        return RedirectResponse(safe_next(request.query_params.get("next", "/")), status_code=303)
    return await login_page(request)


@public
async def login(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    next_url = safe_next(str(form.get("next") or "/"))
    sessions = sessions_of(request)
    if not sessions.csrf_ok(request, str(form.get(CSRF_FIELD) or "")):
        return await login_page(
            request, error=_(STALE_FORM), username=username, status=403, next_url=next_url
        )
    try:
        data = await _authenticate(request, username, password)
    except TooManyRequests as exc:
        minutes = max(1, math.ceil(exc.retry_after / 60))
        message = _("Đăng nhập sai quá nhiều lần; vui lòng thử lại sau %(minutes)s phút.") % {
            "minutes": minutes
        }
        headers = {"Retry-After": str(exc.retry_after)}
        return await login_page(
            request,
            error=message,
            username=username,
            status=429,
            headers=headers,
            next_url=next_url,
        )
    except Unauthenticated as exc:
        message = _(DEACTIVATED_LOGIN) if exc.detail == DEACTIVATED else _(WRONG_LOGIN)
        return await login_page(
            request, error=message, username=username, status=401, next_url=next_url
        )
    response = RedirectResponse(next_url, status_code=303)
    sessions.set_session(response, data)
    # A new CSRF token after sign-in: a token seen before it cannot be replayed.
    sessions.set_csrf(response, request, new_csrf_token())
    return response


async def _authenticate(request: Request, username: str, password: str) -> SessionData:
    address = client_address(request)
    if is_platform(request):
        admin = await authenticate_platform(
            username, password, address=address, settings=settings_of(request)
        )
        return SessionData(None, "platform", admin.id, password_fingerprint(admin.password_hash))
    tenant: TenantInfo = request.scope["congvan.tenant"]
    user = await authenticate(username, password, address=address, settings=settings_of(request))
    return SessionData(tenant.id, "user", user.id, password_fingerprint(user.password_hash))


@public
async def logout(request: Request) -> Response:
    form = await request.form()
    sessions = sessions_of(request)
    if not sessions.csrf_ok(request, str(form.get(CSRF_FIELD) or "")):
        return await login_page(request, error=_(STALE_FORM), status=403)
    response = RedirectResponse("/", status_code=303)
    sessions.clear_session(response)
    return response


@public
async def switch_language(request: Request) -> Response:
    """Remember the chosen UI language in a long-lived cookie and go back to ``next``."""
    form = await request.form()
    if not sessions_of(request).csrf_ok(request, str(form.get(CSRF_FIELD) or "")):
        raise PermissionDenied("csrf", _(STALE_FORM))
    lang = str(form.get("lang") or "")
    if lang not in SUPPORTED:
        message = f"Unsupported language {lang!r}; choose one of {', '.join(SUPPORTED)}."
        raise InvalidInput(message, errors={"lang": message})
    response = RedirectResponse(safe_next(str(form.get("next") or "/")), status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=LANG_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings_of(request).secure_cookies,
    )
    return response


@authenticated
async def switch_unit(request: Request) -> Response:
    """Act for another of the user's units (remembered in a cookie, checked on every use)."""
    form = await read_form(request)
    next_url = safe_next(form.get("next", "/"))
    if form.stale:
        return redirect(request, next_url, form.errors[FORM_ERROR], "error")
    actor = current_actor()
    choices = await unit_choices(actor.id) if actor.kind == "user" and actor.id else []
    wanted = form.get("unit_id")
    choice = next((c for c in choices if str(c.id) == wanted), None)
    if choice is None:
        return redirect(request, next_url, _("Bạn không làm việc tại đơn vị này."), "error")
    response = redirect(request, next_url, _("Đang làm việc cho: %(unit)s") % {"unit": choice.name})
    response.set_cookie(
        UNIT_COOKIE,
        str(choice.id),
        max_age=UNIT_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings_of(request).secure_cookies,
    )
    return response


def safe_next(target: str) -> str:
    """``target`` if it is a path on this site, else ``/`` (no open redirects)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


def page_routes() -> list[Route]:
    return [
        Route("/", home, methods=["GET"], name="home"),
        Route("/login", login_form, methods=["GET"], name="login_form"),
        Route("/login", login, methods=["POST"], name="login"),
        Route("/account/unit", switch_unit, methods=["POST"], name="switch_unit"),
        Route("/logout", logout, methods=["POST"], name="logout"),
        Route("/lang", switch_language, methods=["POST"], name="switch_language"),
    ]
