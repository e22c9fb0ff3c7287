"""Settling reservations (giữ số): a reserved number is used by a document or released.

Released numbers stay in the register with their reason and are never given again; the
sequence has moved past them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core import Conflict, InvalidInput, NotFound, atomic, current_actor, publish
from plugins.registry.events import NumberIssued, NumberReleased
from plugins.registry.models import ISSUED, RELEASED, RESERVED, RegistryNumber
from plugins.registry.notation import vietnam_date
from plugins.registry.services.numbering import MAX_NOTE, document_ref, record_change
from plugins.registry.services.registries import MAX_ID


async def _locked_reservation(number_id: int) -> RegistryNumber:
    entry = None
    if 1 <= number_id <= MAX_ID:
        entry = await RegistryNumber.select_for_update().get_or_none(id=number_id)
    if entry is None:
        raise NotFound(f"No registry number with id {number_id} in this tenant.")
    if entry.state != RESERVED:
        raise Conflict(f"Number {entry.code} of {entry.year} is {entry.state}, not reserved.")
    return entry


async def use_reservation(
    number_id: int, document: tuple[str, int], *, now: datetime | None = None
) -> RegistryNumber:
    """Give a reserved number to ``document``; the number becomes ``issued``."""
    moment = now or datetime.now(UTC)
    model, document_id = document_ref(document)
    async with atomic():
        entry = await _locked_reservation(number_id)
        entry.state = ISSUED
        entry.document_model, entry.document_id = model, document_id
        entry.used_at, entry.used_by = moment, current_actor().ref
        entry.issued_date = vietnam_date(moment)
        await entry.save(
            update_fields=[
                "state",
                "document_model",
                "document_id",
                "used_at",
                "used_by",
                "issued_date",
            ]
        )
        await record_change("registry.number.use", entry)
        await publish(NumberIssued(entry.id, entry.registry_id, entry.code, entry.year))
    return entry


async def release_reservation(
    number_id: int, reason: str, *, now: datetime | None = None
) -> RegistryNumber:
    """Give up a reservation with a reason; the number stays in the register, released."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the reservation is released.", {"reason": "required"})
    if len(reason) > MAX_NOTE:
        raise InvalidInput("The reason is too long.", {"reason": f"at most {MAX_NOTE} characters"})
    moment = now or datetime.now(UTC)
    async with atomic():
        entry = await _locked_reservation(number_id)
        entry.state = RELEASED
        entry.released_at, entry.released_by = moment, current_actor().ref
        entry.release_reason = reason
        await entry.save(update_fields=["state", "released_at", "released_by", "release_reason"])
        await record_change("registry.number.release", entry)
        await publish(NumberReleased(entry.id, entry.registry_id, entry.code, entry.year))
    return entry
