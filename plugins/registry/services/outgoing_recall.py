"""Recalling an issued document (thu hồi; ND30 Phụ lục VI: freeze the outgoing document,
destroy the incoming copy, keep the recall trail).

The clerk of the registry's unit (``registry.numbers.allocate``) or the signer recalls an
``issued`` outgoing or internal document with a reason, in one transaction:

* the document becomes ``recalled`` — frozen: numbering, issue, distribution and recall
  answer 409 from then on; ``OutgoingDetail`` keeps who, when and why;
* every incoming copy not refused becomes ``cancelled``: its metadata stays, the reason goes
  to its ``refusal_reason`` and its timeline (``cancelled``), and it stops counting as a
  duplicate; the recipient's row follows;
* ``DocumentRecalled`` names the cancelled copies and the external recipients, for the
  interconnect plugin's revoke package.
"""

from __future__ import annotations

from datetime import datetime

from core import Conflict, atomic, publish
from plugins.registry.events import DocumentRecalled
from plugins.registry.models_documents import REFUSED, Document
from plugins.registry.models_outgoing import (
    CANCELLED,
    ISSUED,
    RECALLED,
    RECIPIENT_EXTERNAL,
    OutgoingDetail,
    Recipient,
)
from plugins.registry.notation import moment_of
from plugins.registry.services.incoming_input import check_reason
from plugins.registry.services.outgoing_common import current_user_id
from plugins.registry.services.outgoing_issue_common import (
    check_clerk_or_signer,
    code_of,
    locked_outgoing,
)
from plugins.registry.services.timeline import STEP_CANCELLED, STEP_RECALLED, record_step


async def _cancel_copies(
    recipients: list[Recipient], document: Document, reason: str, at: datetime
) -> list[int]:
    """Cancel the incoming copies of ``recipients`` (locked, one query) but those already
    refused or cancelled; returns the ids of the copies cancelled."""
    by_copy = {r.copy_document_id: r for r in recipients if r.copy_document_id is not None}
    if not by_copy:
        return []
    copies = list(
        await Document.select_for_update()
        .filter(id__in=list(by_copy))
        .exclude(status__in=(REFUSED, CANCELLED))
        .order_by("id")
    )
    ids = [c.id for c in copies]
    if not ids:
        return []
    await Document.filter(id__in=ids).update(
        status=CANCELLED, refusal_reason=reason, dedupe_key=None, identifier_key=None
    )
    await Recipient.filter(copy_document_id__in=ids).update(status=CANCELLED, status_at=at)
    for copy in copies:
        status_before = copy.status  # the copy's own, live (the recipient row may lag)
        copy.status = CANCELLED
        await record_step(
            copy,
            STEP_CANCELLED,
            summary=reason,
            detail={
                "recalled_document_id": document.id,
                "code": code_of(document),
                "reason": reason,
                "status_before": status_before,
            },
            now=at,
        )
    return ids


async def recall_document(
    document_id: int, reason: str, *, now: datetime | None = None
) -> Document:
    """Recall the issued document ``document_id`` with ``reason`` (see the module docstring)."""
    moment = moment_of(now)
    async with atomic():
        found = await locked_outgoing(document_id)
        document = found.document
        await check_clerk_or_signer(found)
        text = check_reason(reason)
        if document.status == RECALLED:
            detail = found.detail
            when = detail.recalled_at.date().isoformat() if detail.recalled_at else "earlier"
            raise Conflict(
                f"Document {document.id} was already recalled ({when}: {detail.recall_reason}); "
                "a recalled document is frozen."
            )
        if document.status != ISSUED:
            raise Conflict(
                f"Document {document.id} is {document.status}; only an issued document is recalled."
            )
        await Document.filter(id=document.id).update(status=RECALLED)
        await OutgoingDetail.filter(id=found.detail.id).update(
            recalled_at=moment, recalled_by=current_user_id(), recall_reason=text
        )
        document.status = RECALLED
        recipients = list(await Recipient.filter(document_id=document.id).order_by("id"))
        cancelled = await _cancel_copies(recipients, document, text, moment)
        external = tuple(r.id for r in recipients if r.kind == RECIPIENT_EXTERNAL)
        await record_step(
            document,
            STEP_RECALLED,
            summary=text,
            detail={"cancelled_copy_ids": cancelled, "external_recipient_ids": list(external)},
            now=moment,
        )
        await publish(DocumentRecalled(document.id, text, tuple(cancelled), external))
    return document
