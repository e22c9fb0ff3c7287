"""The checks of an assignment request before anything is written (see :func:`.assignments.assign`):
the direction text, each assignee (a user or a unit of this tenant, active, inside the unit
that passes an assignment on, a deadline not before the arrival date) and the document's
status."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from core import Conflict, InvalidInput, NotFound, fetch_tenant_rows
from plugins.registry.models_assignments import COMPLETED
from plugins.registry.models_documents import REFUSED, Document
from plugins.registry.models_outgoing import CANCELLED, RECEIVED
from plugins.registry.units import UnitRef, find_unit, get_unit, position_units

if TYPE_CHECKING:
    from plugins.registry.services.assignments import Assignee

MAX_DIRECTION = 2000


async def _user_row(user_id: int) -> dict[str, Any] | None:
    rows = await fetch_tenant_rows(
        "SELECT id, username, is_active FROM core_user WHERE {tenant} AND id = $2", [user_id]
    )
    return rows[0] if rows else None


def check_direction(text: str) -> str:
    value = " ".join(text.split())
    if len(value) > MAX_DIRECTION:
        raise InvalidInput(
            f"The direction is longer than {MAX_DIRECTION} characters.",
            {"direction": f"at most {MAX_DIRECTION} characters"},
        )
    return text.strip()


async def _check_user(name: str, user_id: int, within: UnitRef | None) -> None:
    user = await _user_row(user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id} in this tenant.")
    if not user["is_active"]:
        raise InvalidInput(
            f"{name}: user {user['username']!r} is deactivated.",
            {f"{name}.user_id": f"user {user['username']} is deactivated"},
        )
    if within is None:
        return
    units = [await find_unit(u) for u in await position_units(user_id)]
    if not any(u is not None and within.contains(u) for u in units):
        raise InvalidInput(
            f"{name}: user {user['username']!r} is not in unit {within.code}.",
            {f"{name}.user_id": f"not in unit {within.code}"},
        )


async def _check_unit(name: str, unit_id: int, within: UnitRef | None) -> None:
    unit = await get_unit(unit_id)
    if not unit.is_active:
        raise InvalidInput(
            f"{name}: unit {unit.code!r} is deactivated.",
            {f"{name}.unit_id": f"unit {unit.code} is deactivated"},
        )
    if within is not None and (unit.id == within.id or not within.contains(unit)):
        raise InvalidInput(
            f"{name}: unit {unit.code!r} is not below unit {within.code}.",
            {f"{name}.unit_id": f"not below unit {within.code}"},
        )


async def check_assignee(
    name: str, assignee: Assignee, within: UnitRef | None, earliest: date
) -> None:
    """404 for another tenant's (or no) user/unit, 422 for a deactivated one, one outside
    ``within`` (re-assignment), or a deadline before ``earliest``."""
    if (assignee.user_id is None) == (assignee.unit_id is None):
        raise InvalidInput(f"{name}: give a user_id or a unit_id.", {name: "a user or a unit"})
    if assignee.deadline is not None and assignee.deadline < earliest:
        raise InvalidInput(
            f"{name}: the deadline {assignee.deadline} is before the arrival date {earliest}.",
            {f"{name}.deadline": "before the arrival date"},
        )
    if assignee.user_id is not None:
        await _check_user(name, assignee.user_id, within)
    else:
        assert assignee.unit_id is not None
        await _check_unit(name, assignee.unit_id, within)


def check_assignable(document: Document) -> None:
    if document.status == REFUSED:
        raise Conflict(f"Document {document.id} was refused; a refused document is not assigned.")
    if document.status == COMPLETED:
        raise Conflict(f"Document {document.id} is completed; it is not assigned any more.")
    if document.status == RECEIVED:
        raise Conflict(f"Document {document.id} is not registered yet; register it first.")
    if document.status == CANCELLED:
        raise Conflict(f"Document {document.id} was recalled by its issuer; it is cancelled.")
