"""The one place that turns errors into HTTP responses.

API paths (``/api/…``) and clients that do not ask for HTML get ``application/problem+json``
(RFC 9457, the body of :meth:`CongvanError.to_problem`); browsers get the ``core/error.html``
page. Middleware that answers before routing (tenant, auth, size limit) and the exception
handlers of the app all go through :func:`error_response`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from core.errors import CongvanError, TooManyRequests

log = logging.getLogger("congvan.web")

PROBLEM_JSON = "application/problem+json"
WWW_AUTHENTICATE = 'Bearer realm="congvan"'


class HttpError(CongvanError):
    """An HTTP-level error raised by routing (unknown path, wrong method)."""

    def __init__(self, status: int, title: str, detail: str, code: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.code = code


class InternalError(CongvanError):
    """What an unexpected exception becomes: no internals, a reference to find it in the log."""

    status = 500
    code = "internal-error"
    title = "Internal server error"


def header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def wants_html(scope: Scope) -> bool:
    """Browsers (``Accept: text/html``) outside ``/api/`` get pages; everyone else JSON."""
    if str(scope.get("path", "")).startswith("/api/"):
        return False
    return "text/html" in header(scope, b"accept")


def from_http_exception(exc: HTTPException, scope: Scope) -> CongvanError:
    method = scope.get("method", "")
    path = scope.get("path", "")
    if exc.status_code == 404:
        return HttpError(404, "Not found", f"No page or endpoint at {method} {path}.", "not-found")
    if exc.status_code == 405:
        return HttpError(
            405, "Method not allowed", f"{method} is not allowed on {path}.", "method-not-allowed"
        )
    return HttpError(exc.status_code, "HTTP error", str(exc.detail), "http-error")


def unexpected(exc: BaseException, scope: Scope) -> InternalError:
    """Log ``exc`` with a reference and return the error that names only the reference."""
    reference = uuid.uuid4().hex[:12]
    log.error(
        "unexpected error %s on %s %s",
        reference,
        scope.get("method", ""),
        scope.get("path", ""),
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return InternalError(
        f"An unexpected error occurred; it was logged with reference {reference}.",
        reference=reference,
    )


def error_headers(error: CongvanError) -> dict[str, str]:
    headers: dict[str, str] = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    if error.status == 401:
        headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    return headers


def error_response(
    scope: Scope, error: CongvanError, *, headers: Mapping[str, str] | None = None
) -> Response:
    """The response for ``error``: a problem document, or an HTML page for browsers."""
    all_headers = {**error_headers(error), **(headers or {})}
    if wants_html(scope):
        return _html_page(scope, error, all_headers)
    return ProblemResponse(error.to_problem(), status_code=error.status, headers=all_headers)


async def send_error(
    scope: Scope,
    receive: Receive,
    send: Send,
    error: CongvanError,
    *,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer a raw ASGI request with ``error`` (for middleware that runs before routing)."""
    await error_response(scope, error, headers=headers)(scope, receive, send)


class ProblemResponse(Response):
    media_type = PROBLEM_JSON

    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _html_page(scope: Scope, error: CongvanError, headers: dict[str, str]) -> Response:
    app = scope.get("app")
    templates = getattr(getattr(app, "state", None), "templates", None)
    if templates is not None:
        from starlette.requests import Request

        request = Request(scope)
        context = {"error": error, "status": error.status}
        response: Response = templates.TemplateResponse(
            request, "core/error.html", context, status_code=error.status, headers=headers
        )
        return response
    import html

    body = (
        f"<!doctype html><meta charset=utf-8><title>{error.status}</title>"
        f"<h1>{error.status} — {html.escape(error.title)}</h1><p>{html.escape(error.detail)}</p>"
    )
    return HTMLResponse(body, status_code=error.status, headers=headers)
