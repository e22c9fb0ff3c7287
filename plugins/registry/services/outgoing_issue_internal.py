"""Distributing a numbered internal document (văn bản nội bộ) inside its agency.

No incoming copies: the units and users named become participants of the document itself
(so they see it; a unit means every holder of a position in it), the timeline records the
``issued`` step and the document becomes ``issued``. Each unit must lie in the agency of the
document's registry, each user must hold a position there. More units and users may be added
later; a recalled document is frozen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core import Conflict, InvalidInput, NotFound, atomic, publish
from plugins.registry.events import DocumentDistributed
from plugins.registry.models import INTERNAL
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import PART_CLERK, PART_RECIPIENT
from plugins.registry.models_outgoing import ISSUED, SIGNED
from plugins.registry.notation import moment_of
from plugins.registry.services.outgoing_common import (
    Outgoing,
    current_user_id,
    user_row,
)
from plugins.registry.services.outgoing_issue_common import (
    check_clerk,
    check_not_recalled,
    locked_outgoing,
    mark_issued,
)
from plugins.registry.services.participants import add_participant, add_participants
from plugins.registry.services.registries import MAX_ID
from plugins.registry.services.timeline import STEP_ISSUED, record_step
from plugins.registry.units import UnitRef, find_unit, get_unit, position_units

MAX_TARGETS = 500


def _check_request(units: Sequence[int], users: Sequence[int]) -> None:
    errors: dict[str, str] = {}
    if not units and not users:
        errors["recipients"] = "name at least one unit or user"
    if len(units) + len(users) > MAX_TARGETS:
        errors["recipients"] = f"at most {MAX_TARGETS} at once"
    if len(set(units)) != len(units):
        errors["units"] = "a unit is named twice"
    if len(set(users)) != len(users):
        errors["users"] = "a user is named twice"
    if errors:
        raise InvalidInput("Invalid distribution.", errors)


def _check_distributable(found: Outgoing) -> None:
    document = found.document
    check_not_recalled(document)
    if document.direction != INTERNAL:
        raise Conflict(
            f"Document {document.id} is an outgoing document: issue it to recipients instead."
        )
    if document.registry_number_id is None:
        raise Conflict(f"Document {document.id} has no number yet; number it first.")
    if document.status not in (SIGNED, ISSUED):
        raise Conflict(f"Document {document.id} is {document.status}; it cannot be distributed.")


async def _unit_names(agency: UnitRef, units: Sequence[int], errors: dict[str, str]) -> list[str]:
    names: list[str] = []
    for index, unit_id in enumerate(units):
        unit = await find_unit(unit_id) if 1 <= unit_id <= MAX_ID else None
        if unit is None:
            raise NotFound(f"No unit with id {unit_id} in this tenant.")
        if not unit.is_active:
            errors[f"units.{index}"] = f"unit {unit.code} is deactivated"
        elif not agency.contains(unit):
            errors[f"units.{index}"] = f"unit {unit.code} is outside the agency {agency.code}"
        names.append(unit.name)
    return names


async def _user_names(agency: UnitRef, users: Sequence[int], errors: dict[str, str]) -> list[str]:
    names: list[str] = []
    for index, user_id in enumerate(users):
        row = await user_row(user_id)
        if row is None:
            raise NotFound(f"No user with id {user_id} in this tenant.")
        if not row["is_active"]:
            errors[f"users.{index}"] = f"user {row['username']} is deactivated"
        else:
            units = [await find_unit(u) for u in await position_units(user_id)]
            if not any(u is not None and agency.contains(u) for u in units):
                errors[f"users.{index}"] = (
                    f"user {row['username']} holds no position in the agency {agency.code}"
                )
        names.append(str(row["full_name"]))
    return names


async def distribute_internal(
    document_id: int,
    *,
    units: Sequence[int] = (),
    users: Sequence[int] = (),
    now: datetime | None = None,
) -> Document:
    """Distribute the numbered internal document to ``units`` and ``users`` of its agency."""
    moment = moment_of(now)
    _check_request(units, users)
    async with atomic():
        found = await locked_outgoing(document_id)
        document = found.document
        await check_clerk(document)
        _check_distributable(found)
        agency = await get_unit(document.registered_unit_id)
        errors: dict[str, str] = {}
        names = await _unit_names(agency, units, errors)
        names += await _user_names(agency, users, errors)
        if errors:
            raise InvalidInput("Nothing was distributed: " + "; ".join(errors.values()), errors)
        await add_participants(document.id, PART_RECIPIENT, user_ids=users, unit_ids=units)
        await mark_issued(found, moment)
        clerk = current_user_id()
        if clerk is not None:
            await add_participant(document.id, PART_CLERK, user_id=clerk)
        await record_step(
            document,
            STEP_ISSUED,
            summary=", ".join(names),
            detail={"unit_ids": list(units), "user_ids": list(users)},
            now=moment,
        )
        await publish(DocumentDistributed(document.id, tuple(units), tuple(users)))
    return document
