"""Pages: the unit's incoming list (``/registry/incoming``) and my work (``/registry/inbox``).

The list shows the incoming documents of the units where the user holds
``registry.registries.view`` (the shell's current unit first chosen), through the services'
visibility filter, urgent first, newest next, 25 a page with a keyset cursor. The inbox is
every signed-in user's own work: documents presented to them, their open assignments and the
documents they assigned ("following").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from tortoise.expressions import Q

from core import InvalidInput, authenticated, current_unit_id, has_permission, render, requires
from core import gettext as _
from plugins.registry.actions import REGISTRIES_VIEW
from plugins.registry.api import decode_cursor, encode_cursor
from plugins.registry.models import INCOMING, Registry
from plugins.registry.models_assignments import (
    ASSIGNED,
    COMPLETED,
    PROCESSING,
    ROLE_COHANDLER,
    ROLE_INFO,
    ROLE_LEAD,
)
from plugins.registry.models_documents import REFUSED, REGISTERED, Document
from plugins.registry.services import assignment_lists, presentation
from plugins.registry.services.documents import visibility
from plugins.registry.views.pages_admin_common import MAX_ID, parse_id, unit_names
from plugins.registry.views.pages_incoming_common import document_rows, names_of_people

LIST_URL = "/registry/incoming"
PAGE_SIZE = 25
STATUSES = (REGISTERED, ASSIGNED, PROCESSING, COMPLETED, REFUSED)
TABS = ("presented", "mine", "following")


async def _viewable_units() -> list[int]:
    """Units with an incoming registry where the user holds ``registry.registries.view``."""
    rows: list[Any] = list(
        await Registry.filter(direction=INCOMING).distinct().values_list("unit_id", flat=True)
    )
    units = sorted({int(u) for u in rows})
    return [u for u in units if await has_permission(REGISTRIES_VIEW, unit_id=u)]


def _cursor(raw: str) -> tuple[int, datetime, int] | None:
    """The keyset position of a ``cursor`` this page gave; ``None`` for anything else."""
    try:
        weight, moment, last = decode_cursor(raw, (int, str, int))
        found = int(weight), datetime.fromisoformat(moment), int(last)
    except (InvalidInput, ValueError):
        return None
    # Numbers out of the database's range would fail in the query, not here.
    return found if abs(found[0]) <= MAX_ID and 0 < found[2] <= MAX_ID else None


def _encode(document: Document) -> str:
    return encode_cursor([document.priority_weight, document.received_at.isoformat(), document.id])


def _list_url(unit: int | None, registry_id: int | None, status: str, cursor: str = "") -> str:
    """The list with the same filters, at ``cursor`` (the first page without one)."""
    params = {"unit": unit, "registry_id": registry_id, "status": status, "cursor": cursor}
    return f"{LIST_URL}?{urlencode({k: v for k, v in params.items() if v})}"


@requires(REGISTRIES_VIEW, anywhere=True)
async def incoming_list(request: Request) -> Response:
    """The incoming list of the units the user may view; ``unit``, ``registry_id``,
    ``status`` and ``cursor`` in the query string (invalid values are ignored)."""
    units = await _viewable_units()
    params = request.query_params
    current = await current_unit_id(request)
    unit = parse_id(params.get("unit", ""))
    if unit not in units:
        unit = current if current in units else None
    registries = list(
        await Registry.filter(direction=INCOMING, unit_id__in=units or [0]).order_by(
            "unit_id", "name", "id"
        )
    )
    registry_id = parse_id(params.get("registry_id", ""))
    if registry_id not in [r.id for r in registries]:
        registry_id = None
    status = params.get("status", "")
    status = status if status in STATUSES else ""
    query = Document.filter(await visibility(), direction=INCOMING)
    query = query.filter(registered_unit_id__in=[unit] if unit else units or [0])
    if registry_id is not None:
        query = query.filter(registry_id=registry_id)
    if status:
        query = query.filter(status=status)
    after = _cursor(params.get("cursor", ""))
    if after is not None:
        w, t, i = after
        query = query.filter(
            Q(priority_weight__lt=w)
            | Q(priority_weight=w, received_at__lt=t)
            | Q(priority_weight=w, received_at=t, id__lt=i)
        )
    found = list(
        await query.order_by("-priority_weight", "-received_at", "-id").limit(PAGE_SIZE + 1)
    )
    page = found[:PAGE_SIZE]
    next_cursor = _encode(page[-1]) if len(found) > PAGE_SIZE else None
    names = await unit_names(set(units))
    context = {
        "rows": await document_rows(page),
        "units": [(u, names.get(u, str(u))) for u in units],
        "unit": unit,
        "registries": registries,
        "registry_id": registry_id,
        "statuses": STATUSES,
        "status": status,
        "first_url": None if after is None else _list_url(unit, registry_id, status),
        "next_url": _list_url(unit, registry_id, status, next_cursor) if next_cursor else None,
    }
    return await render(request, "registry/incoming/list.html", context)


def _assignee_summary(assignments: list[Any], users: dict[int, str], units: dict[int, str]) -> str:
    labels = {ROLE_LEAD: _("Chủ trì"), ROLE_COHANDLER: _("Phối hợp"), ROLE_INFO: _("Để biết")}
    parts = []
    for a in assignments:
        who = (
            users.get(a.assignee_user_id, "?")
            if a.assignee_user_id is not None
            else units.get(a.assignee_unit_id, "?")
        )
        parts.append(f"{labels.get(a.role, a.role)}: {who}")
    return "; ".join(parts)


@authenticated
async def inbox(request: Request) -> Response:
    """My work: ``?tab=presented`` (to assign), ``mine`` (open assignments), ``following``."""
    presented = await presentation.presented_to_me()
    mine = await assignment_lists.inbox()
    following = await assignment_lists.following()
    tab = request.query_params.get("tab", "")
    if tab not in TABS:
        tab = "presented" if presented else "mine"
    mine_docs = [item.document for item in mine]
    mine_rows = await document_rows(mine_docs)
    role_labels = {ROLE_LEAD: _("Chủ trì"), ROLE_COHANDLER: _("Phối hợp"), ROLE_INFO: _("Để biết")}
    for row, item in zip(mine_rows, mine, strict=True):
        # The assignee's own deadline, not the document's due date.
        row["due_date"], row["overdue"] = item.assignment.deadline, item.overdue
        row["extra"] = role_labels.get(item.assignment.role, item.assignment.role)
    followed_docs = [doc for doc, _made in following]
    user_ids = {a.assignee_user_id for _d, made in following for a in made if a.assignee_user_id}
    unit_ids = {a.assignee_unit_id for _d, made in following for a in made if a.assignee_unit_id}
    users = await names_of_people({int(u) for u in user_ids if u is not None})
    units = await unit_names({int(u) for u in unit_ids if u is not None})
    following_rows = await document_rows(followed_docs)
    for row, (_doc, made) in zip(following_rows, following, strict=True):
        row["extra"] = _assignee_summary(made, users, units)
    context = {
        "tab": tab,
        "tabs": TABS,
        "counts": {"presented": len(presented), "mine": len(mine), "following": len(following)},
        "presented_rows": await document_rows(presented),
        "mine_rows": mine_rows,
        "following_rows": following_rows,
    }
    return await render(request, "registry/incoming/inbox.html", context)
