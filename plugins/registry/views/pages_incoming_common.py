"""What the incoming-flow pages share: names of people, table rows, the candidates
a form offers (leaders to present to, users and units to assign), and the small parsers of
form values.

Everything here reads through the services' visibility rules or the tenant-filtered raw SQL
helper; nothing here checks a permission the services do not check again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core import Actor, fetch_tenant_rows, has_permission
from plugins.registry.actions import INCOMING_ASSIGN
from plugins.registry.models_assignments import COMPLETED
from plugins.registry.models_documents import REFUSED, Document
from plugins.registry.notation import format_number, number_year, vietnam_date
from plugins.registry.units import find_unit
from plugins.registry.views.pages_admin_common import parse_id, subtree

MAX_CANDIDATES = 500  # people offered in one select; a tenant's agency rarely has more


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    username: str


@dataclass(frozen=True)
class Choice:
    """An option of an assignee select: ``u:<id>`` (a user) or ``n:<id>`` (a unit)."""

    value: str
    label: str


def today() -> date:
    """Today in Vietnam (deadlines and due dates are Vietnamese calendar days)."""
    return vietnam_date()


def document_url(document: Document) -> str:
    return f"/registry/incoming/{document.id}"


def arrival_text(document: Document) -> str:
    """``05/2025`` for a registered document, empty for a refused one."""
    if document.arrival_number is None:
        return ""
    year = number_year(document.arrival_date) if document.arrival_date else ""
    return f"{format_number(document.arrival_number)}/{year}"


def document_overdue(document: Document, on: date) -> bool:
    """The document's due date is past and it is still being handled."""
    if document.due_date is None or document.status in (COMPLETED, REFUSED):
        return False
    return bool(document.due_date < on)


async def document_rows(documents: list[Document]) -> list[dict[str, Any]]:
    """Rows of ``document_table`` (see ``registry/_macros.html``), one per document, in order;
    callers may replace ``due_date``/``overdue`` (an assignee's deadline) and set ``extra``."""
    if documents:
        await Document.fetch_for_list(documents, "priority")
    on = today()
    rows = []
    for d in documents:
        rows.append(
            {
                "id": d.id,
                "url": document_url(d),
                "arrival": arrival_text(d),
                "code": f"{d.code_number}/{d.code_notation}".strip("/"),
                "issued_date": d.issued_date,
                "subject": d.subject,
                "organ_name": d.organ_name,
                "priority_weight": d.priority_weight,
                "priority_name": d.priority.name,
                "due_date": d.due_date,
                "overdue": document_overdue(d, on),
                "status": d.status,
                "confidential": d.confidentiality_level > 0,
            }
        )
    return rows


async def people(user_ids: list[int] | None = None) -> list[Person]:
    """Active users of the tenant (or the given ones, active or not), by name."""
    if user_ids is not None:
        if not user_ids:
            return []
        marks = ", ".join(f"${i + 2}" for i in range(len(user_ids)))
        rows = await fetch_tenant_rows(
            f"SELECT id, username, full_name FROM core_user WHERE {{tenant}} AND id IN ({marks})",
            list(user_ids),
        )
    else:
        rows = await fetch_tenant_rows(
            "SELECT id, username, full_name FROM core_user WHERE {tenant} AND is_active = $2 "
            f"ORDER BY full_name, id LIMIT {MAX_CANDIDATES}",
            [True],
        )
    found = [
        Person(int(r["id"]), str(r["full_name"] or r["username"]), str(r["username"])) for r in rows
    ]
    return sorted(found, key=lambda p: (p.name, p.id))


async def names_of_people(user_ids: set[int]) -> dict[int, str]:
    return {p.id: p.name for p in await people(sorted(user_ids))}


async def holders(
    action: str, unit_id: int, candidates: list[Person] | None = None
) -> list[Person]:
    """The ``candidates`` (default: the tenant's active users) holding ``action`` in
    ``unit_id``. One permission check per person: core offers no check of many users at once
    (each check reads the unit's path again), so pages call this once per request."""
    found = []
    for person in await people() if candidates is None else candidates:
        actor = Actor(kind="user", id=person.id, name=person.username)
        if await has_permission(action, unit_id=unit_id, actor=actor):
            found.append(person)
    return found


async def leaders_of(unit_id: int) -> list[Person]:
    """Active users who may assign documents of ``unit_id`` (present-to candidates)."""
    return await holders(INCOMING_ASSIGN, unit_id)


async def assignee_choices(root_unit_id: int, *, include_root: bool) -> list[Choice]:
    """Units below ``root_unit_id`` (with it when ``include_root``) and the active users holding
    a position in any of them or in the root: the options of an assignee select."""
    root = await find_unit(root_unit_id)
    if root is None:
        return []
    below = await subtree(root)
    units = [u for u in below if include_root or u.id != root.id]
    choices = [Choice(f"n:{u.id}", f"{u.name} ({u.code})") for u in units]
    if not below:  # an inactive root has no active subtree
        return choices
    marks = ", ".join(f"${i + 3}" for i in range(len(below)))
    rows = await fetch_tenant_rows(
        "SELECT DISTINCT u.id, u.username, u.full_name FROM core_user u "
        "JOIN core_position p ON p.user_id = u.id AND p.tenant_id = u.tenant_id "
        f"WHERE u.{{tenant}} AND u.is_active = $2 AND p.unit_id IN ({marks}) "
        f"ORDER BY u.full_name, u.id LIMIT {MAX_CANDIDATES}",
        [True, *(u.id for u in below)],
    )
    users = [Choice(f"u:{r['id']}", str(r["full_name"] or r["username"])) for r in rows]
    return users + choices


def parse_assignee(value: str) -> tuple[int | None, int | None] | None:
    """``u:12`` → (12, None), ``n:4`` → (None, 4); ``None`` for anything else."""
    kind, _sep, raw = value.strip().partition(":")
    number = parse_id(raw) if kind in ("u", "n") else None
    if number is None:
        return None
    return (number, None) if kind == "u" else (None, number)


def parse_date(value: str) -> date | str | None:
    """An ISO date from a date input; ``None`` when empty; the string ``"bad"`` when invalid."""
    raw = value.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return "bad"
