"""The lists of assignments: a user's inbox, what they follow, a document's assignments.

Both personal lists are capped, cut where they matter least: the inbox keeps the
:data:`INBOX_LIMIT` most pressing open assignments, the following list the
:data:`FOLLOWING_LIMIT` documents assigned most recently. Each is one or two queries whatever
its length (the documents come with their assignments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Case, When
from tortoise.functions import Max

from plugins.registry.models_assignments import OPEN, Assignment
from plugins.registry.models_documents import Document
from plugins.registry.notation import vietnam_date
from plugins.registry.services.assignments import acting_filter, current_user_id
from plugins.registry.units import position_units

INBOX_LIMIT = 500
FOLLOWING_LIMIT = 200


@dataclass(frozen=True)
class InboxItem:
    assignment: Assignment
    document: Document
    overdue: bool


async def inbox(*, now: datetime | None = None, limit: int = INBOX_LIMIT) -> list[InboxItem]:
    """The current user's open assignments (at most ``limit``): urgent first, then the nearest
    deadline (none last), then the oldest; ``overdue`` when the deadline is before today
    (Vietnam date)."""
    user_id = current_user_id()
    if user_id is None:
        return []
    today = vietnam_date(now)
    items = list(
        await Assignment.filter(acting_filter(user_id, await position_units(user_id)), status=OPEN)
        # No deadline sorts last on both databases (text values: asyncpg binds them as text).
        .annotate(undated=Case(When(deadline__isnull=True, then="1"), default="0"))
        .order_by("-document__priority_weight", "undated", "deadline", "assigned_at", "id")
        .limit(limit)
        .select_related("document")
    )
    return [InboxItem(a, a.document, a.deadline is not None and a.deadline < today) for a in items]


async def following(*, limit: int = FOLLOWING_LIMIT) -> list[tuple[Document, list[Assignment]]]:
    """The documents the current user assigned (the ``limit`` most recent), newest assignment
    first, with those assignments."""
    user_id = current_user_id()
    if user_id is None:
        return []
    recent: list[Any] = list(
        await Assignment.filter(assigned_by=user_id)
        .annotate(last_at=Max("assigned_at"), last_id=Max("id"))
        .group_by("document_id")
        .order_by("-last_at", "-last_id")
        .limit(limit)
        .values_list("document_id", flat=True)
    )
    if not recent:
        return []
    mine = list(
        await Assignment.filter(assigned_by=user_id, document_id__in=recent)
        .order_by("-assigned_at", "-id")
        .select_related("document")
    )
    grouped: dict[int, tuple[Document, list[Assignment]]] = {}
    for a in mine:
        grouped.setdefault(a.document_id, (a.document, []))[1].append(a)
    return list(grouped.values())


async def document_assignments(document_id: int) -> list[Assignment]:
    return list(await Assignment.filter(document_id=document_id).order_by("id"))
