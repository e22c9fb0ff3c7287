"""One-shot messages shown on the next page ("Đã lưu đơn vị"), carried in a signed cookie.

A handler that redirects after a successful form calls :func:`redirect` (or :func:`flash` on
its own response); the next page rendered through the shell shows the messages and clears
the cookie. Texts are translated when they are flashed, in the request's language.
"""

from __future__ import annotations

import json
from typing import Literal

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import HTTPConnection
from starlette.responses import RedirectResponse, Response

from core.web.state import settings_of

FLASH_COOKIE = "congvan_flash"
MAX_MESSAGES = 5
MAX_TEXT = 500

Kind = Literal["success", "info", "warning", "error"]
Message = tuple[str, str]


def _serializer(conn: HTTPConnection) -> URLSafeSerializer:
    return URLSafeSerializer(settings_of(conn).resolved_secret_key(), salt="congvan.flash")


def pending(conn: HTTPConnection) -> list[Message]:
    """The messages waiting in the request's cookie (a forged or broken cookie: none)."""
    value = conn.cookies.get(FLASH_COOKIE)
    if not value:
        return []
    try:
        raw = _serializer(conn).loads(value)
    except (BadSignature, ValueError, json.JSONDecodeError):
        return []
    if not isinstance(raw, list):
        return []
    return [
        (str(item[0]), str(item[1]))
        for item in raw[:MAX_MESSAGES]
        if isinstance(item, list) and len(item) == 2
    ]


def flash(response: Response, conn: HTTPConnection, text: str, kind: Kind = "success") -> None:
    """Add ``text`` to the messages the next page shows (keeps those not shown yet)."""
    messages = [*pending(conn), (kind, text[:MAX_TEXT])][-MAX_MESSAGES:]
    response.set_cookie(
        FLASH_COOKIE,
        _serializer(conn).dumps([list(m) for m in messages]),
        httponly=True,
        samesite="lax",
        secure=settings_of(conn).secure_cookies,
    )


def clear(response: Response, conn: HTTPConnection) -> None:
    if FLASH_COOKIE in conn.cookies:
        response.delete_cookie(
            FLASH_COOKIE, httponly=True, samesite="lax", secure=settings_of(conn).secure_cookies
        )


def redirect(
    conn: HTTPConnection, url: str, message: str | None = None, kind: Kind = "success"
) -> RedirectResponse:
    """303 to ``url`` (Post/Redirect/Get), with ``message`` flashed for the page there."""
    response = RedirectResponse(url, status_code=303)
    if message:
        flash(response, conn, message, kind)
    return response
