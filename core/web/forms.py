"""HTML forms of the shell: CSRF check, values kept on error, errors per field, submit once.

A page handler reads a posted form with :func:`read_form`; the result keeps every value the
user typed, so an invalid form re-renders with them and each error next to its field::

    form = await read_form(request)
    if form.ok:
        try:
            async with form.once():          # a second submit of the same form does nothing
                await create_unit(...)
        except AlreadySubmitted:
            return redirect(request, "/admin/units", _("Biểu mẫu này đã được gửi."), "info")
        except InvalidInput as exc:
            form.add_errors(exc)
        else:
            return redirect(request, "/admin/units", _("Đã tạo đơn vị."))
    return await render(request, "core/admin/unit_form.html", {"form": form}, status=form.status)

Templates emit the hidden fields with ``{{ form_fields(form) }}`` (CSRF token and a fresh
nonce) and errors with the ``core/forms.html`` macros. A form whose CSRF token does not match
(expired, or another site's) is *stale*: nothing is done, the page shows it again with the
typed values and a new token, so resubmitting works and nothing is lost.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import IntegrityError

from core.db.connection import atomic
from core.errors import Conflict, CongvanError, InvalidInput
from core.i18n import gettext as _
from core.web.flash import redirect
from core.web.form_models import FormSubmission
from core.web.sessions import CSRF_FIELD
from core.web.state import sessions_of

NONCE_FIELD = "form_nonce"
FORM_ERROR = "__form__"
# Nonces older than this are forgotten; a form left open longer can be submitted again.
NONCE_TTL = timedelta(days=2)


class AlreadySubmitted(CongvanError):
    """This form (its nonce) was already submitted successfully."""

    status = 409
    code = "already-submitted"
    title = "Already submitted"


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


@dataclass
class Form:
    """A posted form: its values, the errors found, and whether its CSRF token was valid."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    stale: bool = False
    nonce: str = ""

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def getlist(self, name: str) -> list[str]:
        return self.lists.get(name, [])

    def checked(self, name: str) -> bool:
        return self.values.get(name, "") in ("on", "true", "1", "yes")

    def error(self, name: str, message: str) -> None:
        """Mark field ``name`` (``FORM_ERROR`` for the whole form) as wrong, first error wins."""
        self.errors.setdefault(name, message)

    def add_errors(self, exc: CongvanError) -> None:
        """Field errors of an :class:`InvalidInput`, else the error's text for the whole form."""
        if isinstance(exc, InvalidInput) and exc.errors:
            for name, message in exc.errors.items():
                self.error(name, message)
        else:
            self.error(FORM_ERROR, exc.detail)

    @property
    def ok(self) -> bool:
        return not self.stale and not self.errors

    @property
    def status(self) -> int:
        """403 for a stale form, 422 for invalid values, else 200."""
        if self.stale:
            return 403
        return 422 if self.errors else 200

    @asynccontextmanager
    async def once(self) -> AsyncIterator[None]:
        """Run the block in a transaction that also records this form's nonce.

        A nonce already recorded raises :class:`AlreadySubmitted` before the block runs. Two
        submissions racing both run, but only one commits: the other's insert of the same
        nonce fails and its transaction rolls back. When the block raises, the nonce is not
        kept, so the corrected form can be sent again.
        """
        if not self.nonce:
            async with atomic():
                yield
            return
        async with atomic():
            if await _recorded(self.nonce):
                raise AlreadySubmitted(_("Biểu mẫu này đã được gửi."))
            yield
            try:
                await FormSubmission.create(nonce=self.nonce)
            except IntegrityError as exc:
                raise AlreadySubmitted(_("Biểu mẫu này đã được gửi.")) from exc
        if secrets.randbelow(100) == 0:
            await forget_old_nonces()


async def forget_old_nonces(now: datetime | None = None) -> int:
    """Delete nonces older than ``NONCE_TTL``; returns how many."""
    cutoff = (now or datetime.now(UTC)) - NONCE_TTL
    deleted: int = await FormSubmission.filter(created_at__lt=cutoff).delete()
    return deleted


async def read_form(request: Request) -> Form:
    """The posted form of ``request`` with its CSRF token checked (see the module docstring)."""
    data = await request.form()
    form = Form()
    for key, value in data.multi_items():
        if isinstance(value, UploadFile):
            form.files.setdefault(key, value)
            continue
        form.lists.setdefault(key, []).append(value)
        form.values.setdefault(key, value)
    form.nonce = form.values.pop(NONCE_FIELD, "")[:64]
    token = form.values.pop(CSRF_FIELD, "")
    form.lists.pop(CSRF_FIELD, None)
    form.lists.pop(NONCE_FIELD, None)
    if not sessions_of(request).csrf_ok(request, token):
        form.stale = True
        form.error(
            FORM_ERROR,
            _(
                "Biểu mẫu đã hết hạn hoặc không hợp lệ nên chưa được lưu. "
                "Thông tin bạn nhập vẫn còn, vui lòng kiểm tra và gửi lại."
            ),
        )
    return form


async def nonce_used(form: Form) -> bool:
    """Whether this form's nonce already went through: checked before validating, so a repeated
    submit is told so instead of, say, "that code is taken" or "wrong current password"."""
    return bool(form.nonce) and not form.stale and await _recorded(form.nonce)


async def _recorded(nonce: str) -> bool:
    exists: bool = await FormSubmission.filter(nonce=nonce).exists()
    return exists


def already_submitted(request: Request, url: str) -> Response:
    """The answer to a form sent a second time: back to ``url``, nothing changed."""
    return redirect(request, url, _("Biểu mẫu này đã được gửi."), "info")


T = TypeVar("T")
ErrorHandler = Callable[[Form, CongvanError], None]


async def submit_once(
    request: Request,
    form: Form,
    change: Callable[[], Awaitable[T]],
    *,
    url: str,
    message: str | Callable[[T], str],
    on_error: ErrorHandler | None = None,
    errors: tuple[type[CongvanError], ...] = (InvalidInput, Conflict),
) -> Response | None:
    """Run ``change`` once for a valid ``form`` and answer with Post/Redirect/Get.

    Returns the redirect to ``url`` (with ``message``, or ``message(result)``, flashed) after
    the change, or the "already sent" redirect for a repeated form; ``None`` when the page must
    be shown again: the form is stale or invalid, or ``change`` raised one of ``errors``
    (recorded on the form by ``on_error``, default :meth:`Form.add_errors`).
    """
    if not form.ok:
        return None
    try:
        async with form.once():
            result = await change()
    except AlreadySubmitted:
        return already_submitted(request, url)
    except errors as exc:
        (on_error or Form.add_errors)(form, exc)
        return None
    text = message(result) if callable(message) else message
    return redirect(request, url, text)


MAX_ID = 2_147_483_647


def parse_id(raw: str) -> int | None:
    """A positive integer id (within the database's range) from a form or query value."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= MAX_ID else None


def required(form: Form, *names: str) -> None:
    """Mark every empty field of ``names`` as required."""
    for name in names:
        if not form.get(name).strip():
            form.error(name, _("Vui lòng nhập trường này."))
