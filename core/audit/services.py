"""Append events to the tenant's hash chain, list them, and verify the chain.

Each event stores the hash of the previous one; ``hash = sha256(prev_hash + canonical JSON)``.
Appending locks the tenant's :class:`AuditHead` row, so concurrent writers form one linear
chain; the head also pins the last link, so deleting events from the end is detected too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from core.audit.models import AuditEvent, AuditHead
from core.context import current_actor, current_tenant
from core.db.connection import atomic

GENESIS = "0" * 64
BATCH = 1000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    count: int
    broken_seq: int | None = None
    reason: str = ""


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a JSON column gives back, so that the stored value is the hashed value."""
    if value is None:
        return None
    result: dict[str, Any] = json.loads(json.dumps(value, default=str, ensure_ascii=False))
    return result


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "tenant_id": event.tenant_id,
        "seq": event.seq,
        "at": _timestamp(event.at),
        "actor": event.actor,
        "actor_name": event.actor_name,
        "unit_id": event.unit_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
    }


async def record_audit(
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    unit_id: int | None = None,
) -> AuditEvent:
    """Append one event for the current tenant, as the current actor.

    Call it inside the transaction of the change it records, so both commit or neither does.
    """
    tenant = current_tenant()
    actor = current_actor()
    async with atomic():
        await AuditHead.get_or_create(defaults={"seq": 0, "hash": GENESIS})
        head = await AuditHead.select_for_update().get()
        event = AuditEvent(
            tenant_id=tenant.id,
            seq=head.seq + 1,
            at=datetime.now(UTC),
            actor=actor.ref,
            actor_name=actor.name,
            unit_id=unit_id if unit_id is not None else actor.unit_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_plain(before),
            after=_plain(after),
            prev_hash=head.hash,
        )
        event.hash = event_hash(head.hash, _fields(event))
        await event.save()
        head.seq = event.seq
        head.hash = event.hash
        await head.save(update_fields=["seq", "hash"])
    return event


async def verify_chain() -> VerifyResult:
    """Recompute the current tenant's chain; report the first broken link."""
    prev_hash = GENESIS
    expected = 1
    last_seq = 0
    while True:
        batch = await AuditEvent.filter(seq__gte=expected).order_by("seq").limit(BATCH)
        if not batch:
            break
        for event in batch:
            if event.seq != expected:
                return VerifyResult(False, expected - 1, expected, f"event #{expected} is missing")
            if event.prev_hash != prev_hash:
                return VerifyResult(
                    False, expected - 1, event.seq, "its link to the previous event does not match"
                )
            if event_hash(prev_hash, _fields(event)) != event.hash:
                return VerifyResult(
                    False, expected - 1, event.seq, "its content does not match its hash"
                )
            prev_hash = event.hash
            last_seq = event.seq
            expected += 1
    head = await AuditHead.get_or_none()
    if head is not None and (head.seq != last_seq or head.hash != prev_hash):
        return VerifyResult(
            False,
            last_seq,
            last_seq + 1,
            f"the chain ends at #{last_seq} but its head says #{head.seq}",
        )
    return VerifyResult(True, last_seq)


async def list_events(
    *,
    cursor: int | None = None,
    limit: int = 50,
    action: str | None = None,
    actor: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> list[AuditEvent]:
    """Newest first; ``cursor`` is the ``seq`` below which to continue."""
    query = AuditEvent.all()
    if cursor is not None:
        query = query.filter(seq__lt=cursor)
    if action:
        query = query.filter(action__startswith=action)
    if actor:
        query = query.filter(actor=actor)
    if object_type:
        query = query.filter(object_type=object_type)
    if object_id:
        query = query.filter(object_id=object_id)
    return await query.order_by("-seq").limit(max(1, min(limit, 500)))
