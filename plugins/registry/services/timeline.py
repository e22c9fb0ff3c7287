"""The timeline of a document: every step, in order, also in the audit trail.

Call :func:`record_step` inside the transaction of the change it records (so both commit or
neither does). Steps that change the document (``audit=True``, the default) are appended to
the hash-chained audit trail as ``registry.document.<step>``; services that already write
their own audit event pass ``audit=False``. Reading steps (view, download, print, export)
are recorded too: ND30 asks for a trail of every access.

Step names are the ``STEP_*`` constants; other plugins may add their own (a string of at most
32 characters, lower case with dots or underscores).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core import atomic, current_actor, record_audit
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import TimelineEntry

STEP_REGISTERED = "registered"
STEP_REFUSED = "refused"
STEP_PRESENTED = "presented"
STEP_ASSIGNED = "assigned"
STEP_OPINION = "opinion"
STEP_DONE = "done"
STEP_COMPLETED = "completed"
STEP_VIEWED = "viewed"
STEP_DOWNLOADED = "downloaded"
STEP_PRINTED = "printed"
STEP_EXPORTED = "exported"
STEP_DRAFTED = "drafted"
STEP_REVIEW_REQUESTED = "review_requested"
STEP_REVIEWED = "reviewed"
STEP_SUBMITTED = "submitted"
STEP_APPROVED = "approved"
STEP_RETURNED = "returned"
STEP_SIGNED = "signed"
STEP_NUMBERED = "numbered"
STEP_ISSUED = "issued"
STEP_RECEIVED = "received"  # an internal recipient's incoming copy was created
STEP_RECALLED = "recalled"
STEP_CANCELLED = "cancelled"  # an incoming copy cancelled by the issuer's recall
STEP_FILED = "filed"  # added to a record (hồ sơ)


async def record_step(
    document: Document,
    step: str,
    *,
    summary: str = "",
    detail: dict[str, Any] | None = None,
    audit: bool = True,
    now: datetime | None = None,
) -> TimelineEntry:
    """Append ``step`` to the timeline of ``document`` as the current actor."""
    actor = current_actor()
    moment = now or datetime.now(UTC)
    async with atomic():
        entry = await TimelineEntry.create(
            document_id=document.id,
            step=step,
            at=moment,
            actor_ref=actor.ref,
            actor_name=actor.name or "",
            actor_user_id=actor.id if actor.kind == "user" else None,
            summary=summary,
            detail=detail or {},
        )
        if audit:
            await record_audit(
                f"registry.document.{step}",
                object_type="registry.document",
                object_id=document.id,
                after={"summary": summary, **(detail or {})},
                unit_id=document.registered_unit_id,
            )
    return entry


async def timeline(document_id: int) -> list[TimelineEntry]:
    """The steps of ``document_id`` in order (the caller checked the document is visible)."""
    return list(await TimelineEntry.filter(document_id=document_id).order_by("at", "id"))
