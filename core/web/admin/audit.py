"""The audit trail page (``/admin/audit``): the tenant's events, newest first, with filters.

Filters are query parameters (a GET form, so a filtered view can be bookmarked): ``action``
(prefix), ``actor`` (a reference such as ``user:7``, else part of the actor's name),
``object_type``, ``object_id``, ``date_from``/``date_to`` (``yyyy-mm-dd`` from ``type="date"``
inputs, or ``dd/mm/yyyy``; days in Vietnam's time zone, both ends included). Pages are cut in the
database by ``seq`` (``before`` = the last ``seq`` shown). A wrong filter value is reported next
to its field with status 422; the other values stay in the form. ``?verify=1`` recomputes the
hash chain (:func:`core.audit.services.verify_chain`) and shows the result; it never runs on a
plain page view.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from tortoise.queryset import QuerySet

from core.audit.models import AuditEvent
from core.audit.services import VerifyResult, verify_chain
from core.i18n import DISPLAY_TZ
from core.i18n import gettext as _
from core.web.forms import FORM_ERROR, Form, parse_id
from core.web.permissions import requires, tenant_page
from core.web.shell import render

VIEW = "core.audit.view"
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_TEXT = 100
MAX_VALUE = 160
TEXT_FIELDS = ("action", "actor", "object_type", "object_id")
FILTER_FIELDS = (*TEXT_FIELDS, "date_from", "date_to")
# An actor reference as stored in ``AuditEvent.actor``; anything else searches the name.
ACTOR_REF = re.compile(r"(user|platform):\d+|system|anonymous")
# Object ids are database ids or keys (role keys, plugin names): no spaces or punctuation.
OBJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]*")


# ---------------------------------------------------------------- filters


@dataclass
class AuditFilters:
    """The valid filters of a request; ``form`` keeps every typed value and the errors."""

    form: Form
    action: str = ""
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None
    before: int | None = None
    limit: int = PAGE_SIZE
    kept: dict[str, str] = field(default_factory=dict)

    def query_string(self, **extra: str | int) -> str:
        """The filters as a query string (for the next page link), plus ``extra``."""
        params: dict[str, str | int] = {k: v for k, v in self.kept.items() if v}
        if self.limit != PAGE_SIZE:
            params["limit"] = self.limit
        params.update(extra)
        return urlencode(params)


def parse_day(raw: str) -> date | None:
    """``yyyy-mm-dd`` (a date input) or ``dd/mm/yyyy``; ``None`` when it is neither."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def parse_filters(params: Mapping[str, str]) -> AuditFilters:
    values = {name: params.get(name, "").strip() for name in FILTER_FIELDS}
    form = Form(values=dict(values))
    filters = AuditFilters(form=form)
    for name in TEXT_FIELDS:
        if len(values[name]) > MAX_TEXT:
            form.error(name, _("Tối đa %(count)s ký tự.") % {"count": MAX_TEXT})
    if values["object_id"] and not OBJECT_ID.fullmatch(values["object_id"]):
        form.error("object_id", _("Mã đối tượng không hợp lệ: chỉ gồm chữ số, chữ cái và . _ - :"))
    days: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        days[name] = parse_day(values[name]) if values[name] else None
        if values[name] and days[name] is None:
            form.error(name, _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy."))
        elif days[name] is not None:  # a date input shows only yyyy-mm-dd
            form.values[name] = values[name] = str(days[name])
    if days["date_from"] and days["date_to"] and days["date_from"] > days["date_to"]:
        form.error("date_to", _("Ngày kết thúc không được trước ngày bắt đầu."))
    before = params.get("before", "").strip()
    if before:
        if (position := parse_id(before)) is not None:
            filters.before = position
        else:
            form.error(FORM_ERROR, _("Vị trí trang không hợp lệ."))
    limit = params.get("limit", "").strip()
    if limit:
        if (size := parse_id(limit)) is not None and size <= MAX_PAGE_SIZE:
            filters.limit = size
        else:
            form.error(
                FORM_ERROR, _("Số dòng mỗi trang phải từ 1 đến %(max)s.") % {"max": MAX_PAGE_SIZE}
            )
    if form.errors:
        return filters
    filters.action = values["action"]
    filters.actor = values["actor"]
    filters.object_type = values["object_type"]
    filters.object_id = values["object_id"]
    filters.date_from = days["date_from"]
    filters.date_to = days["date_to"]
    filters.kept = values
    return filters


def day_start(day: date) -> datetime:
    """Midnight of ``day`` in Vietnam's time zone, in UTC."""
    return datetime.combine(day, time(0, 0), tzinfo=DISPLAY_TZ).astimezone(UTC)


def events_query(filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The tenant's events matching ``filters``, newest first, one more than a page."""
    query = AuditEvent.all()
    if filters.action:
        query = query.filter(action__startswith=filters.action)
    if filters.actor:
        if ACTOR_REF.fullmatch(filters.actor):
            query = query.filter(actor=filters.actor)
        else:
            query = query.filter(actor_name__icontains=filters.actor)
    if filters.object_type:
        query = query.filter(object_type=filters.object_type)
    if filters.object_id:
        query = query.filter(object_id=filters.object_id)
    if filters.date_from is not None:
        query = query.filter(at__gte=day_start(filters.date_from))
    if filters.date_to is not None:
        query = query.filter(at__lt=day_start(filters.date_to + timedelta(days=1)))
    if filters.before is not None:
        query = query.filter(seq__lt=filters.before)
    return query.order_by("-seq").limit(filters.limit + 1)


# ---------------------------------------------------------------- what changed


@dataclass(frozen=True)
class Change:
    """One key of an event's before/after: ``None`` means the key is absent on that side."""

    key: str
    before: str | None
    after: str | None


def shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The keys whose value differs between ``before`` and ``after``, sorted."""
    old, new = before or {}, after or {}
    result: list[Change] = []
    for key in sorted(set(old) | set(new)):
        if key in old and key in new and old[key] == new[key]:
            continue
        result.append(
            Change(
                str(key),
                shown(old[key]) if key in old else None,
                shown(new[key]) if key in new else None,
            )
        )
    return result


@dataclass(frozen=True)
class EventRow:
    event: AuditEvent
    changes: list[Change]
    broken: bool


# ---------------------------------------------------------------- the chain


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    broken_seq: int | None
    message: str


def explain(result: VerifyResult) -> Verification:
    """The result of :func:`verify_chain` in the request's language."""
    if result.ok:
        return Verification(True, result.count, None, "")
    reason = result.reason
    if "missing" in reason:
        message = _("Sự kiện #%(seq)s bị thiếu (đã bị xóa).")
    elif "link to the previous" in reason:
        message = _("Sự kiện #%(seq)s không khớp liên kết với sự kiện trước nó.")
    elif "does not match its hash" in reason:
        message = _("Nội dung sự kiện #%(seq)s đã bị sửa: không khớp với mã băm.")
    elif "head" in reason:
        message = _("Chuỗi dừng trước sự kiện #%(seq)s: các sự kiện cuối đã bị xóa.")
    else:
        message = _("Chuỗi bị phá vỡ tại sự kiện #%(seq)s.")
    return Verification(
        False, result.count, result.broken_seq, message % {"seq": result.broken_seq}
    )


# ---------------------------------------------------------------- the page


@tenant_page
@requires(VIEW)
async def audit_page(request: Request) -> Response:
    filters = parse_filters(request.query_params)
    verification = None
    if request.query_params.get("verify") == "1":
        verification = explain(await verify_chain())
    broken = verification.broken_seq if verification is not None else None
    rows: list[EventRow] = []
    next_url = ""
    if filters.form.ok:
        events = list(await events_query(filters))
        page = events[: filters.limit]
        rows = [EventRow(e, changes(e.before, e.after), e.seq == broken) for e in page]
        if len(events) > filters.limit:
            next_url = "/admin/audit?" + filters.query_string(before=page[-1].seq)
    context = {
        "form": filters.form,
        "rows": rows,
        "next_url": next_url,
        "first_url": ("/admin/audit?" + filters.query_string()) if filters.before else "",
        "verify_url": "/admin/audit?" + filters.query_string(verify=1),
        "verification": verification,
    }
    return await render(request, "core/admin/audit/list.html", context, status=filters.form.status)


def routes() -> list[BaseRoute]:
    return [Route("/admin/audit", audit_page, methods=["GET"], name="admin_audit")]
