"""Security headers on every HTTP response: CSP, nosniff, framing, referrer, permissions, HSTS.

The middleware sits outside the error and tenancy middleware, so problem responses (the 404
of an unknown host, 413s, 500s) carry the headers too. A header the endpoint already set is
left alone, so a page that needs a different policy can send its own. HSTS is only sent when
``settings.secure_cookies`` is on, i.e. when the site is served over HTTPS: over plain HTTP the
header is meaningless, and on a development machine it would pin ``localhost`` to HTTPS.
See docs/security.md.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"

BASE_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
)


def security_headers(*, hsts: bool) -> tuple[tuple[str, str], ...]:
    """The headers the middleware adds (names in lower case), HSTS included when ``hsts``."""
    return (*BASE_HEADERS, ("strict-transport-security", HSTS)) if hsts else BASE_HEADERS


class SecurityHeadersMiddleware:
    """Pure ASGI: adds :func:`security_headers` to ``http.response.start`` unless already set."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = security_headers(hsts=hsts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
