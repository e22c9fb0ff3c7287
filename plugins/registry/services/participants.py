"""Who takes part in a document (``DocumentParticipant``): written by every flow, read by
visibility and by the per-user lists."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.expressions import Q

from plugins.registry.models_flow import PARTICIPANT_ROLES, DocumentParticipant


async def add_participants(
    document_id: int, role: str, *, user_ids: Iterable[int] = (), unit_ids: Iterable[int] = ()
) -> None:
    """Record that users and units take part in the document as ``role``, in one insert
    (idempotent: rows that exist already are left alone)."""
    if role not in PARTICIPANT_ROLES:
        raise ValueError(f"unknown participant role {role!r}")
    keys = {f"u:{u}": {"user_id": u} for u in user_ids} | {
        f"n:{n}": {"unit_id": n} for n in unit_ids
    }
    if keys:
        await DocumentParticipant.bulk_create(
            [
                DocumentParticipant(document_id=document_id, key=key, role=role, **who)
                for key, who in keys.items()
            ],
            ignore_conflicts=True,
        )


async def add_participant(
    document_id: int, role: str, *, user_id: int | None = None, unit_id: int | None = None
) -> None:
    """Record that a user or a unit (exactly one) takes part in the document as ``role``
    (idempotent: a second call with the same values adds nothing)."""
    if (user_id is None) == (unit_id is None):
        raise ValueError("a participant is a user or a unit, exactly one")
    await add_participants(
        document_id,
        role,
        user_ids=[user_id] if user_id is not None else [],
        unit_ids=[unit_id] if unit_id is not None else [],
    )


def participant_filter(user_id: int, units: list[int]) -> Q:
    """Participant rows of ``user_id`` or of one of their position ``units``."""
    mine = Q(user_id=user_id)
    if units:
        mine |= Q(unit_id__in=units)
    return mine


async def is_participant(user_id: int, units: list[int], document_id: int) -> bool:
    """Whether ``user_id`` takes part in the document, directly or through ``units``."""
    return await DocumentParticipant.filter(
        participant_filter(user_id, units), document_id=document_id
    ).exists()
