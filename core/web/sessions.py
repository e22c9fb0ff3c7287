"""Signed cookies: the web session and the CSRF token of forms.

The session cookie carries the tenant id, the actor kind and id, and a fingerprint of the
password hash, signed with ``settings.resolved_secret_key()`` (itsdangerous) and timed by
``settings.session_max_age``. A cookie of tenant A is ignored on tenant B's host, and changing
a password ends the sessions made with the old one. The CSRF cookie is signed too and bound to
the host, so a sibling subdomain cannot plant a usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection
from starlette.responses import Response

from core.settings import Settings

SESSION_COOKIE = "congvan_session"
CSRF_COOKIE = "congvan_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
CSRF_MAX_AGE = 24 * 3600

SessionKind = Literal["user", "platform"]


@dataclass(frozen=True)
class SessionData:
    """Who a session cookie signs in: ``tenant_id`` is ``None`` for platform admins."""

    tenant_id: int | None
    kind: SessionKind
    actor_id: int
    fingerprint: str


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: a new password invalidates older sessions."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class SessionCodec:
    """Signs, reads and sets the session and CSRF cookies for one app's settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def _session(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.settings.resolved_secret_key(), salt="congvan.session")

    @cached_property
    def _csrf(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.settings.resolved_secret_key(), salt="congvan.csrf")

    # ------------------------------------------------------------ session

    def dumps(self, data: SessionData) -> str:
        return self._session.dumps([data.tenant_id, data.kind, data.actor_id, data.fingerprint])

    def loads(self, value: str) -> SessionData | None:
        """The signed data, or ``None`` for a forged, expired or malformed cookie."""
        try:
            raw: Any = self._session.loads(value, max_age=self.settings.session_max_age)
            tenant_id, kind, actor_id, fingerprint = raw
        except (BadSignature, ValueError, TypeError):
            return None
        if kind not in ("user", "platform") or not isinstance(actor_id, int):
            return None
        return SessionData(tenant_id, kind, actor_id, str(fingerprint))

    def set_session(self, response: Response, data: SessionData) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            self.dumps(data),
            max_age=self.settings.session_max_age,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, httponly=True, samesite="lax", secure=self.settings.secure_cookies
        )

    # ------------------------------------------------------------ CSRF

    def csrf_token(self, conn: HTTPConnection) -> str:
        """The request's valid CSRF token, or a new one (then call :meth:`set_csrf`)."""
        return self._read_csrf(conn) or new_csrf_token()

    def set_csrf(self, response: Response, conn: HTTPConnection, token: str) -> None:
        response.set_cookie(
            CSRF_COOKIE,
            self._csrf.dumps([token, _host(conn)]),
            max_age=CSRF_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=self.settings.secure_cookies,
        )

    def csrf_ok(self, conn: HTTPConnection, submitted: str) -> bool:
        expected = self._read_csrf(conn)
        return bool(expected and submitted) and hmac.compare_digest(expected or "", submitted)

    def _read_csrf(self, conn: HTTPConnection) -> str | None:
        value = conn.cookies.get(CSRF_COOKIE)
        if not value:
            return None
        try:
            token, host = self._csrf.loads(value, max_age=CSRF_MAX_AGE)
        except (BadSignature, ValueError, TypeError):
            return None
        return str(token) if host == _host(conn) else None


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def _host(conn: HTTPConnection) -> str:
    return conn.headers.get("host", "").lower()
