"""The outbox job that hands an issue's external recipients to the interconnect.

``registry.outgoing.dispatch`` runs after the issue commits, as the system, in the tenant. It
calls the hook ``registry_dispatch_document``; an interconnect plugin that implements it takes
the recipients over. While none is enabled the recipients stay ``to_be_sent`` (the clerk sends
the paper copies, or the interconnect picks them up when installed) and the document's
timeline records once per message that nothing is connected.
"""

from __future__ import annotations

import logging
from typing import Any

from core import JobHandler, call_hook
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import TimelineEntry
from plugins.registry.models_outgoing import RECIPIENT_EXTERNAL, TO_BE_SENT, Recipient
from plugins.registry.services.outgoing_issue import DISPATCH_JOB
from plugins.registry.services.timeline import record_step

log = logging.getLogger(__name__)

STEP_NOT_CONNECTED = "dispatch_waiting"  # no interconnect: external recipients wait


async def dispatch(payload: dict[str, Any], message_id: str) -> None:
    """Offer the external recipients to the interconnect; record when none is connected."""
    document_id = int(payload.get("document_id", 0))
    wanted = [int(i) for i in payload.get("recipient_ids", [])]
    document = await Document.get_or_none(id=document_id)
    if document is None:
        log.warning("dispatch: document %s is gone; nothing to send", document_id)
        return
    waiting = await Recipient.filter(
        document_id=document.id, id__in=wanted, kind=RECIPIENT_EXTERNAL, status=TO_BE_SENT
    ).order_by("id")
    ids = [r.id for r in waiting]
    if not ids:
        return
    taken = await call_hook(
        "registry_dispatch_document", document_id=document.id, recipient_ids=ids
    )
    if taken:
        log.info("dispatch: document %s handed to the interconnect: %s", document.id, taken)
        return
    done = await TimelineEntry.filter(document_id=document.id, step=STEP_NOT_CONNECTED)
    if any(entry.detail.get("message_id") == message_id for entry in done):
        return  # a redelivered message: already recorded
    log.info(
        "dispatch: no interconnect is enabled; recipients %s of document %s stay to_be_sent",
        ids,
        document.id,
    )
    await record_step(
        document,
        STEP_NOT_CONNECTED,
        summary=", ".join(r.organ_name for r in waiting),
        detail={"message_id": message_id, "recipient_ids": ids, "connected": False},
    )


HANDLERS = [JobHandler(DISPATCH_JOB, dispatch, max_attempts=8)]
