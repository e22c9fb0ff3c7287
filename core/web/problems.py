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
from core.i18n import N_

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


STATUS_TITLES = {
    400: N_("Yêu cầu không hợp lệ"),
    401: N_("Cần đăng nhập"),
    403: N_("Không có quyền truy cập"),
    404: N_("Không tìm thấy"),
    405: N_("Phương thức không được phép"),
    409: N_("Xung đột dữ liệu"),
    413: N_("Dữ liệu gửi lên quá lớn"),
    422: N_("Dữ liệu không hợp lệ"),
    429: N_("Quá nhiều yêu cầu"),
    500: N_("Lỗi hệ thống"),
    503: N_("Dịch vụ tạm thời không sẵn sàng"),
}
STATUS_TEXTS = {
    401: N_("Vui lòng đăng nhập để tiếp tục."),
    403: N_("Bạn không có quyền thực hiện thao tác này."),
    404: N_("Không tìm thấy trang hoặc đối tượng bạn yêu cầu."),
    413: N_("Dữ liệu hoặc tệp gửi lên vượt quá giới hạn cho phép."),
    429: N_("Bạn đã thử quá nhiều lần; vui lòng đợi một lát rồi thử lại."),
    500: N_("Đã có lỗi không mong muốn. Lỗi đã được ghi lại."),
    503: N_("Dịch vụ tạm thời không sẵn sàng; vui lòng thử lại sau."),
}
CODE_TEXTS = {
    "unknown-tenant": N_("Không có đơn vị sử dụng nào ở địa chỉ này."),
    "tenant-suspended": N_("Đơn vị sử dụng này đang tạm ngừng hoạt động."),
    "csrf": N_("Biểu mẫu đã hết hạn hoặc không hợp lệ; vui lòng tải lại trang và thử lại."),
}


def _login_redirect(scope: Scope) -> Response:
    """An anonymous browser on a page that needs a session goes to the login page and comes
    back afterwards: to the page itself (GET), or to the page the form was on (POST)."""
    from urllib.parse import quote, urlsplit

    from starlette.responses import RedirectResponse

    if scope.get("method") == "GET":
        target = str(scope.get("path", "/"))
        query = scope.get("query_string", b"").decode("latin-1")
        target += f"?{query}" if query else ""
    else:
        referer = urlsplit(header(scope, b"referer"))
        if referer.netloc and referer.netloc != header(scope, b"host"):
            target = "/"
        else:
            target = referer.path or "/"
            target += f"?{referer.query}" if referer.query else ""
    return RedirectResponse(f"/login?next={quote(target, safe='/')}&expired=1", status_code=303)


def _html_page(scope: Scope, error: CongvanError, headers: dict[str, str]) -> Response:
    if error.status == 401 and scope.get("congvan.tenant", scope.get("congvan.platform")):
        return _login_redirect(scope)
    app = scope.get("app")
    templates = getattr(getattr(app, "state", None), "templates", None)
    if templates is not None:
        from starlette.requests import Request

        from core.i18n import gettext as _

        request = Request(scope)
        status = error.status
        text = CODE_TEXTS.get(error.code) or STATUS_TEXTS.get(status)
        permission = getattr(error, "permission", None)
        if permission == "csrf":
            permission = None
            text = CODE_TEXTS["csrf"]
        tenant = scope.get("congvan.tenant")
        context = {
            "error": error,
            "status": status,
            "error_title": _(STATUS_TITLES.get(status, "Lỗi")),
            "error_text": _(text) if text else error.detail,
            "permission": permission,
            "permission_title": _action_title(permission) if permission else "",
            "reference": error.extra.get("reference", ""),
            "tenant": tenant,
            "heading": getattr(tenant, "name", "") or "Congvan",
        }
        response: Response = templates.TemplateResponse(
            request,
            _error_template(templates, tenant, status),
            context,
            status_code=status,
            headers=headers,
        )
        return response
    import html

    body = (
        f"<!doctype html><meta charset=utf-8><title>{error.status}</title>"
        f"<h1>{error.status} — {html.escape(error.title)}</h1><p>{html.escape(error.detail)}</p>"
    )
    return HTMLResponse(body, status_code=error.status, headers=headers)


def _error_template(templates: Any, tenant: Any, status: int) -> str:
    """``core/errors/<status>.html`` when the theme, a plugin or the core has it."""
    import jinja2

    name = f"core/errors/{status}.html"
    try:
        templates.environment_for(tenant).get_template(name)
    except jinja2.TemplateNotFound:
        return "core/error.html"
    return name


def _action_title(action: str) -> str:
    """The declared title of ``action`` in the request's language (the action id if unknown)."""
    from core.authz.roles import list_actions
    from core.i18n import split_bilingual

    for declared in list_actions(enabled_only=False):
        if declared.key == action:
            return split_bilingual(declared.title)
    return action
