"""Console page of failed jobs (outbox messages that exhausted their attempts), all tenants.

- ``GET /platform/jobs?tenant=<slug>``: the failed messages, newest first (at most
  :data:`SHOWN`), optionally of one tenant: tenant, job (handler), attempts, the first line of
  the last error, when it was queued and when it was last tried.
- ``POST /platform/jobs/{id}/retry``: give one message a fresh set of attempts
  (:func:`core.jobs.admin.retry_message`, audited in its tenant's trail); it leaves the list.
- ``POST /platform/jobs/retry``: the same for every message listed on the page (``ids``).

The outbox has no "failed at" column: the last try is ``next_attempt_at``, the time the last
attempt was due (it ran within a dispatch interval of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from core.errors import Conflict, NotFound
from core.i18n import gettext as _
from core.jobs.admin import failed_messages, retry_message
from core.jobs.models import OutboxMessage
from core.tenancy.models import Tenant
from core.web.console.guard import console_page
from core.web.flash import redirect
from core.web.forms import (
    FORM_ERROR,
    AlreadySubmitted,
    Form,
    already_submitted,
    nonce_used,
    read_form,
)
from core.web.shell import render

JOBS_URL = "/platform/jobs"
SHOWN = 200
MAX_RETRY = 1000


@dataclass(frozen=True)
class FailedJob:
    id: str
    tenant: Tenant | None
    handler: str
    attempts: int
    max_attempts: int
    error: str
    created_at: datetime
    last_try: datetime


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def jobs_url(tenant: str = "") -> str:
    return f"{JOBS_URL}?{urlencode({'tenant': tenant})}" if tenant else JOBS_URL


async def _tenant_filter(slug: str) -> Tenant | None:
    """The tenant of ``?tenant=``; an unknown slug → 404."""
    if not slug:
        return None
    tenant = await Tenant.get_or_none(slug=slug)
    if tenant is None:
        raise NotFound(f"No tenant {slug!r}.")
    return tenant


def _rows(messages: list[OutboxMessage], tenants: dict[int, Tenant]) -> list[FailedJob]:
    return [
        FailedJob(
            id=m.id,
            tenant=tenants.get(m.tenant_id) if m.tenant_id is not None else None,
            handler=m.handler,
            attempts=m.attempts,
            max_attempts=m.max_attempts,
            error=first_line(m.last_error),
            created_at=m.created_at,
            last_try=m.next_attempt_at,
        )
        for m in messages
    ]


async def _page(
    request: Request, slug: str, form: Form | None = None, status: int = 200
) -> Response:
    chosen = await _tenant_filter(slug)
    tenants = {t.id: t for t in await Tenant.all().order_by("slug")}
    messages = await failed_messages(tenant_id=chosen.id if chosen else None, limit=SHOWN)
    context: dict[str, Any] = {
        "jobs": _rows(messages, tenants),
        "tenant_options": [(t.slug, f"{t.name} ({t.slug})") for t in tenants.values()],
        "chosen": chosen,
        "tenant_slug": chosen.slug if chosen else "",
        "truncated": len(messages) >= SHOWN,
        "shown": SHOWN,
        "form": form,
    }
    return await render(request, "core/console/jobs.html", context, status=status)


@console_page
async def job_list(request: Request) -> Response:
    return await _page(request, request.query_params.get("tenant", "").strip())


@console_page
async def job_retry(request: Request) -> Response:
    message_id: str = request.path_params["message_id"]
    form = await read_form(request)
    back = jobs_url(form.get("tenant").strip())
    if await nonce_used(form):
        return already_submitted(request, back)
    if form.stale:
        return await _page(request, form.get("tenant").strip(), form, status=form.status)
    try:
        async with form.once():
            row = await retry_message(message_id)  # another's id or an unknown one → 404
    except AlreadySubmitted:
        return already_submitted(request, back)
    except Conflict:
        return redirect(request, back, _("Tác vụ này không còn ở trạng thái lỗi."), "info")
    message = _("Đã đưa tác vụ %(handler)s vào hàng đợi để chạy lại.") % {"handler": row.handler}
    return redirect(request, back, message)


@console_page
async def job_retry_shown(request: Request) -> Response:
    form = await read_form(request)
    back = jobs_url(form.get("tenant").strip())
    if await nonce_used(form):
        return already_submitted(request, back)
    ids = list(dict.fromkeys(form.getlist("ids")))[:MAX_RETRY]
    if not ids:
        form.error(FORM_ERROR, _("Không có tác vụ nào để chạy lại."))
    if not form.ok:
        return await _page(request, form.get("tenant").strip(), form, status=form.status)
    retried = 0
    try:
        async with form.once():
            for message_id in ids:
                try:
                    await retry_message(message_id)
                except (Conflict, NotFound):
                    continue  # retried meanwhile, or gone: nothing to do for it
                retried += 1
    except AlreadySubmitted:
        return already_submitted(request, back)
    message = _("Đã đưa %(count)s tác vụ vào hàng đợi để chạy lại.") % {"count": retried}
    return redirect(request, back, message)


def routes() -> list[BaseRoute]:
    return [
        Route(JOBS_URL, job_list, methods=["GET"], name="console_jobs"),
        Route(JOBS_URL + "/retry", job_retry_shown, methods=["POST"], name="console_jobs_retry"),
        Route(
            JOBS_URL + "/{message_id}/retry", job_retry, methods=["POST"], name="console_job_retry"
        ),
    ]
