"""The lists of assignments: a user's inbox, what they follow, a document's assignments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from plugins.registry.models_assignments import OPEN, Assignment
from plugins.registry.models_documents import Document
from plugins.registry.notation import vietnam_date
from plugins.registry.services.assignments import (
    acting_filter,
    current_user_id,
    moment_of,
    position_units,
)


@dataclass(frozen=True)
class InboxItem:
    assignment: Assignment
    document: Document
    overdue: bool


async def inbox(*, now: datetime | None = None) -> list[InboxItem]:
    """The current user's open assignments: urgent first, then the nearest deadline (none
    last), then the oldest; ``overdue`` when the deadline is before today (Vietnam date)."""
    user_id = current_user_id()
    if user_id is None:
        return []
    today = vietnam_date(moment_of(now))
    query = Assignment.filter(acting_filter(user_id, await position_units(user_id)), status=OPEN)
    items = list(await query.prefetch_related("document"))
    items.sort(
        key=lambda a: (
            -a.document.priority_weight,
            a.deadline is None,
            a.deadline or date.max,
            a.assigned_at,
            a.id,
        )
    )
    return [InboxItem(a, a.document, a.deadline is not None and a.deadline < today) for a in items]


async def following() -> list[tuple[Document, list[Assignment]]]:
    """The documents the current user assigned, newest assignment first, with those
    assignments."""
    user_id = current_user_id()
    if user_id is None:
        return []
    mine = list(
        await Assignment.filter(assigned_by=user_id)
        .order_by("-assigned_at", "-id")
        .prefetch_related("document")
    )
    grouped: dict[int, tuple[Document, list[Assignment]]] = {}
    for a in mine:
        grouped.setdefault(a.document_id, (a.document, []))[1].append(a)
    return list(grouped.values())


async def document_assignments(document_id: int) -> list[Assignment]:
    return list(await Assignment.filter(document_id=document_id).order_by("id"))
