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
from plugins.registry.services.outgoing_common import current_user_id, moment_of
from plugins.registry.services.outgoing_issue_common import (
    check_clerk_or_signer,
    check_reason,
    code_of,
    locked_outgoing,
)
from plugins.registry.services.timeline import STEP_CANCELLED, STEP_RECALLED, record_step


async def _cancel_copy(recipient: Recipient, document: Document, reason: str, at: datetime) -> bool:
    """Cancel the incoming copy of ``recipient``; ``False`` when there was nothing to cancel
    (no copy, or one the recipient refused)."""
    if recipient.copy_document_id is None:
        return False
    copy = await Document.select_for_update().get_or_none(id=recipient.copy_document_id)
    if copy is None or copy.status in (REFUSED, CANCELLED):
        return False
    await Document.filter(id=copy.id).update(
        status=CANCELLED, refusal_reason=reason, dedupe_key=None, identifier_key=None
    )
    await Recipient.filter(id=recipient.id).update(status=CANCELLED, status_at=at)
    copy.status = CANCELLED
    await record_step(
        copy,
        STEP_CANCELLED,
        summary=reason,
        detail={
            "recalled_document_id": document.id,
            "code": code_of(document),
            "reason": reason,
            "status_before": recipient.status,
        },
        now=at,
    )
    return True


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
        cancelled: list[int] = []
        for recipient in recipients:
            if await _cancel_copy(recipient, document, text, moment):
                assert recipient.copy_document_id is not None
                cancelled.append(recipient.copy_document_id)
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
