"""Who is calling: a bearer token or the signed session cookie → ``current_actor``.

On a tenant host a bearer token resolves with ``core.users.tokens.resolve_token`` (another
tenant's token is unknown here: 401), on the platform host with
``core.platform.services.resolve_platform_token``. Without a token the session cookie is read;
a cookie of another tenant, an expired one or one signed before a password change counts as
anonymous. Cookie-authenticated API writes must echo the CSRF token in ``X-CSRF-Token``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from core.context import ANONYMOUS, Actor, TenantInfo, acting_as
from core.errors import CongvanError, NotFound, PermissionDenied, Unauthenticated
from core.platform.services import get_platform_admin, resolve_platform_token
from core.users.services import get_user
from core.users.tokens import resolve_token
from core.web.problems import WWW_AUTHENTICATE, send_error
from core.web.sessions import CSRF_HEADER, SESSION_COOKIE, SessionCodec, password_fingerprint

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INVALID_TOKEN = WWW_AUTHENTICATE + ', error="invalid_token"'


class AuthMiddleware:
    def __init__(self, app: ASGIApp, sessions: SessionCodec) -> None:
        self.app = app
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        tenant: TenantInfo | None = scope.get("congvan.tenant")
        platform = bool(scope.get("congvan.platform"))
        if tenant is None and not platform:  # probes on a bare address: nobody to sign in
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        authorization = conn.headers.get("authorization")
        actor = ANONYMOUS
        via = "none"
        try:
            if authorization is not None:
                actor = await _bearer_actor(authorization, platform)
                via = "token"
            elif SESSION_COOKIE in conn.cookies:
                actor = await self._session_actor(conn.cookies[SESSION_COOKIE], tenant, platform)
                via = "session" if actor is not ANONYMOUS else "none"
                if via == "session":
                    self._check_csrf(conn, scope)
        except CongvanError as exc:
            await _refuse(scope, receive, send, exc)
            return
        scope["congvan.actor"] = actor
        scope["congvan.auth"] = via
        with acting_as(actor):
            await self.app(scope, receive, send)

    async def _session_actor(self, value: str, tenant: TenantInfo | None, platform: bool) -> Actor:
        data = self.sessions.loads(value)
        if data is None:
            return ANONYMOUS
        if platform and data.kind == "platform":
            try:
                admin = await get_platform_admin(data.actor_id)
            except NotFound:
                return ANONYMOUS
            if not admin.is_active or password_fingerprint(admin.password_hash) != data.fingerprint:
                return ANONYMOUS
            return Actor("platform", admin.id, admin.full_name or admin.username)
        if tenant is not None and data.kind == "user" and data.tenant_id == tenant.id:
            try:
                user = await get_user(data.actor_id)
            except NotFound:
                return ANONYMOUS
            if not user.is_active or password_fingerprint(user.password_hash) != data.fingerprint:
                return ANONYMOUS
            return Actor("user", user.id, user.full_name or user.username)
        return ANONYMOUS

    def _check_csrf(self, conn: HTTPConnection, scope: Scope) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            return
        # Every cookie-authenticated write must come from a page of this very host: browsers
        # say where a request comes from (Sec-Fetch-Site, Origin). Tenant subdomains are
        # same-site to each other, so SameSite=Lax alone would let tenant A's pages post to B.
        site = conn.headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            raise PermissionDenied("csrf", f"Cross-site request refused (Sec-Fetch-Site: {site}).")
        origin = conn.headers.get("origin")
        if (
            origin is not None
            and urlsplit(origin).netloc.lower() != conn.headers.get("host", "").lower()
        ):
            raise PermissionDenied("csrf", "Cross-origin request refused (Origin does not match).")
        # Pages check their form's token too (core.web.forms); API writes through a cookie
        # must carry it in a header, which a cross-site form cannot set.
        if not str(scope["path"]).startswith("/api/"):
            return
        if not self.sessions.csrf_ok(conn, conn.headers.get(CSRF_HEADER, "")):
            raise PermissionDenied(
                "csrf",
                "This request is signed in by a session cookie and needs the X-CSRF-Token "
                "header (the value of the page's csrf_token).",
            )


async def _refuse(scope: Scope, receive: Receive, send: Send, error: CongvanError) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4000 + error.status})
        return
    headers = {"WWW-Authenticate": INVALID_TOKEN} if isinstance(error, Unauthenticated) else None
    await send_error(scope, receive, send, error, headers=headers)


async def _bearer_actor(authorization: str, platform: bool) -> Actor:
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("Send the token as 'Authorization: Bearer <token>'.")
    if platform:
        admin = await resolve_platform_token(token)
        return Actor("platform", admin.id, admin.full_name or admin.username)
    user = await resolve_token(token)
    return Actor("user", user.id, user.full_name or user.username)
