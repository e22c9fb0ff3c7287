"""Who takes part in a document (``DocumentParticipant``): written by every flow, read by
visibility and by the per-user lists."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from plugins.registry.models_flow import PARTICIPANT_ROLES, DocumentParticipant


async def add_participant(
    document_id: int, role: str, *, user_id: int | None = None, unit_id: int | None = None
) -> None:
    """Record that a user or a unit (exactly one) takes part in the document as ``role``
    (idempotent: a second call with the same values adds nothing)."""
    if (user_id is None) == (unit_id is None):
        raise ValueError("a participant is a user or a unit, exactly one")
    if role not in PARTICIPANT_ROLES:
        raise ValueError(f"unknown participant role {role!r}")
    key = f"u:{user_id}" if user_id is not None else f"n:{unit_id}"
    await DocumentParticipant.get_or_create(
        document_id=document_id,
        key=key,
        role=role,
        defaults={"user_id": user_id, "unit_id": unit_id},
    )


def participant_filter(user_id: int, units: list[int]) -> Q:
    """Participant rows of ``user_id`` or of one of their position ``units``."""
    mine = Q(user_id=user_id)
    if units:
        mine |= Q(unit_id__in=units)
    return mine


async def participant_documents(
    user_id: int, units: list[int], document_id: int | None = None
) -> list[int]:
    """Ids of the documents ``user_id`` takes part in, directly or through ``units``."""
    query = DocumentParticipant.filter(participant_filter(user_id, units))
    if document_id is not None:
        query = query.filter(document_id=document_id)
    rows: list[Any] = list(await query.distinct().values_list("document_id", flat=True))
    return [int(r) for r in rows]
