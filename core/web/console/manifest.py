"""The console's manifest page: apply a tenant manifest (TOML) uploaded or pasted.

``GET /platform/manifest`` shows the form (a ``.toml`` file, or the text in a textarea; the file
wins when both are given). ``POST`` checks the TOML first — a syntax error is reported with its
line and column — then applies it with :func:`core.tenancy.manifest.apply_manifest`, which
validates the whole manifest before writing anything, in one transaction. The page then shows
what was created, updated, and what exists but is not in the manifest. On an error nothing is
applied and the text is kept in the textarea (an uploaded file's too) to be corrected.

Secrets in a manifest are references: ``$env:NAME`` works as with ``congvan tenant apply``;
``$file:PATH`` is refused here, since an uploaded manifest has no folder of its own and a path
would read files of the server. The request size limit (``CONGVAN_MAX_REQUEST_BYTES``) applies
as everywhere; a manifest is also limited to :data:`MAX_MANIFEST_BYTES`.
"""

from __future__ import annotations

import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.context import Actor, acting_as, current_actor
from core.errors import CongvanError
from core.i18n import gettext as _
from core.tenancy.manifest import ManifestReport, apply_manifest
from core.tenancy.secrets import FILE_PREFIX
from core.web.console.guard import console_page
from core.web.forms import (
    FORM_ERROR,
    AlreadySubmitted,
    Form,
    already_submitted,
    nonce_used,
    read_form,
)
from core.web.shell import render
from core.web.state import settings_of

MANIFEST_URL = "/platform/manifest"
# Below the form parser's 1 MiB limit of a text field, so a pasted manifest too large gets this
# page's message rather than a bare 400.
MAX_MANIFEST_BYTES = 512 * 1024
FILE_FIELD = "manifest_file"
TEXT_FIELD = "manifest_text"
DEFAULT_NAME = "manifest.toml"
_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True)
class Source:
    name: str  # what error messages call the manifest (the uploaded file's name)
    text: str


def _limit(request: Request) -> int:
    return min(MAX_MANIFEST_BYTES, settings_of(request).max_request_bytes)


async def _read_source(request: Request, form: Form) -> Source | None:
    """The manifest the form carries; ``None`` with an error on its field otherwise."""
    limit = _limit(request)
    upload = form.files.get(FILE_FIELD)
    if upload is not None and upload.filename:
        name = Path(upload.filename).name
        if not name.lower().endswith(".toml"):
            form.error(FILE_FIELD, _("Chỉ nhận tệp kê khai có đuôi .toml."))
            return None
        data = await upload.read(limit + 1)
        if len(data) > limit:
            form.error(FILE_FIELD, _("Tệp kê khai lớn hơn %(size)s KB.") % {"size": limit // 1024})
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.error(FILE_FIELD, _("Tệp kê khai phải được mã hóa UTF-8."))
            return None
        form.values[TEXT_FIELD] = text  # kept in the textarea if it has to be corrected
        return Source(name, text)
    text = form.get(TEXT_FIELD)
    if not text.strip():
        form.error(TEXT_FIELD, _("Chọn một tệp .toml hoặc dán nội dung tệp kê khai."))
        return None
    if len(text.encode("utf-8")) > limit:
        form.error(TEXT_FIELD, _("Nội dung kê khai lớn hơn %(size)s KB.") % {"size": limit // 1024})
        return None
    return Source(DEFAULT_NAME, text)


def toml_problem(text: str) -> str | None:
    """A message for a syntax error (with its line) or a ``$file:`` secret; ``None`` if fine."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
        where = _WHERE.search(reason)
        if where is None:
            return _("Nội dung không phải TOML hợp lệ: %(reason)s") % {"reason": reason}
        return _("Nội dung không phải TOML hợp lệ ở dòng %(line)s, cột %(column)s: %(reason)s") % {
            "line": where.group(1),
            "column": where.group(2),
            "reason": reason[: where.start()],
        }
    users = data.get("users")
    for index, user in enumerate(users if isinstance(users, list) else []):
        password = user.get("password") if isinstance(user, dict) else None
        if isinstance(password, str) and password.startswith(FILE_PREFIX):
            return _(
                "users[%(index)s].password: trên trang này mật khẩu chỉ được tham chiếu bằng "
                "$env:TÊN_BIẾN; tham chiếu $file: chỉ dùng với lệnh congvan tenant apply."
            ) % {"index": index}
    return None


async def _apply(source: Source) -> ManifestReport:
    """Apply the manifest from a private temporary folder; errors name the upload, not it."""
    # Like ``congvan tenant apply`` (the operator's command), the manifest is applied by the
    # system actor: a platform admin holds no tenant permissions (grants need them). The audit
    # trail still names the platform admin who asked, as tenant provisioning does.
    applier = Actor("system", name=f"tenant manifest by {current_actor().ref}")
    with tempfile.TemporaryDirectory(prefix="congvan-manifest-") as folder:
        path = Path(folder) / DEFAULT_NAME
        path.write_text(source.text, encoding="utf-8")
        try:
            with acting_as(applier):
                report = await apply_manifest(path)
        except CongvanError as exc:
            exc.detail = exc.detail.replace(str(path), source.name)
            raise
    report.path = source.name
    return report


async def _page(
    request: Request,
    form: Form | None = None,
    *,
    report: ManifestReport | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "form": form,
        "report": report,
        "max_kb": _limit(request) // 1024,
    }
    return await render(request, "core/console/manifest.html", context, status=status)


@console_page
async def manifest_form(request: Request) -> Response:
    return await _page(request)


@console_page
async def manifest_apply(request: Request) -> Response:
    form = await read_form(request)
    if await nonce_used(form):
        return already_submitted(request, MANIFEST_URL)
    if form.stale:
        return await _page(request, form, status=form.status)
    source = await _read_source(request, form)
    problem = toml_problem(source.text) if source is not None else None
    if problem is not None:
        form.error(FORM_ERROR, problem)
    if source is not None and form.ok:
        try:
            async with form.once():
                report = await _apply(source)
        except AlreadySubmitted:
            return already_submitted(request, MANIFEST_URL)
        except CongvanError as exc:
            form.error(
                FORM_ERROR,
                _("Tệp kê khai có lỗi nên chưa áp dụng gì: %(detail)s") % {"detail": exc.detail},
            )
        else:
            # The result is shown right away (it cannot be carried by a redirect); sending the
            # page again is refused by the submit-once nonce.
            return await _page(request, report=report)
    return await _page(request, form, status=form.status)


def routes() -> list[BaseRoute]:
    return [
        Route(MANIFEST_URL, manifest_form, methods=["GET"], name="console_manifest"),
        Route(MANIFEST_URL, manifest_apply, methods=["POST"], name="console_manifest_apply"),
    ]
