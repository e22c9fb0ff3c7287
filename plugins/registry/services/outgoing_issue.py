"""Issuing a numbered outgoing document (phát hành, ND30 Điều 18) to its recipients.

The clerk (``registry.numbers.allocate`` in the registry's unit) issues a signed, numbered
document to units of the same tenant and to external organisations; each becomes a
``Recipient``:

* a unit receives an incoming copy (``services.outgoing_issue_copies``) in its agency's
  incoming registry; when one unit cannot receive, nothing is issued (422 naming it);
* an external organisation starts ``to_be_sent``: the ``DocumentIssued`` event (published in
  the transaction) is for the interconnect plugin, and the outbox job
  ``registry.outgoing.dispatch`` records, while no interconnect is installed, that nothing
  was sent (``services.outgoing_issue_dispatch``).

The first issue turns the document ``issued``; recipients may be added later (each unit or
organisation once). Confidential documents are never sent to external organisations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core import Conflict, InvalidInput, atomic, enqueue, publish
from plugins.registry.events import CopyReceived, DocumentIssued
from plugins.registry.models import OUTGOING
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import PART_CLERK
from plugins.registry.models_outgoing import (
    ISSUED,
    RECEIVED,
    RECIPIENT_EXTERNAL,
    RECIPIENT_INTERNAL,
    SIGNED,
    TO_BE_SENT,
    Recipient,
)
from plugins.registry.notation import moment_of
from plugins.registry.services.outgoing_common import Outgoing, current_user_id
from plugins.registry.services.outgoing_issue_common import (
    check_clerk,
    check_not_recalled,
    code_of,
    locked_outgoing,
    mark_issued,
)
from plugins.registry.services.outgoing_issue_copies import issued_files, make_copy, plan_copies
from plugins.registry.services.participants import add_participant
from plugins.registry.services.timeline import STEP_ISSUED, STEP_RECEIVED, record_step

DISPATCH_JOB = "registry.outgoing.dispatch"
MAX_RECIPIENTS = 500
# ND30 OrganId: the QCVN 102 form (000.00.00.H41) or the QĐ 20/2020 form (H37.02.02).
_ORGAN_ID = re.compile(r"[0-9A-Z]+(\.[0-9A-Z]+)*")


@dataclass(frozen=True)
class ExternalRecipient:
    """An organisation reached over the exchange axis (edXML ``To``: OrganId, OrganName)."""

    organ_id: str
    organ_name: str


def _check_request(units: Sequence[int], organisations: Sequence[ExternalRecipient]) -> None:
    errors: dict[str, str] = {}
    if not units and not organisations:
        errors["recipients"] = "name at least one unit or organisation"
    if len(units) + len(organisations) > MAX_RECIPIENTS:
        errors["recipients"] = f"at most {MAX_RECIPIENTS} recipients at once"
    if len(set(units)) != len(units):
        errors["units"] = "a unit is named twice"
    seen: set[str] = set()
    for index, org in enumerate(organisations):
        organ_id = org.organ_id.strip()
        if not _ORGAN_ID.fullmatch(organ_id) or len(organ_id) > 35:
            errors[f"organisations.{index}.organ_id"] = "an OrganId such as 000.00.00.H41"
        if not org.organ_name.strip() or len(org.organ_name.strip()) > 200:
            errors[f"organisations.{index}.organ_name"] = "required, at most 200 characters"
        if organ_id in seen:
            errors[f"organisations.{index}.organ_id"] = "named twice"
        seen.add(organ_id)
    if errors:
        raise InvalidInput("Invalid recipients.", errors)


def _check_issuable(found: Outgoing, organisations: Sequence[ExternalRecipient]) -> None:
    document = found.document
    check_not_recalled(document)
    if document.direction != OUTGOING:
        raise Conflict(
            f"Document {document.id} is an internal document: distribute it to units and users "
            "of the agency instead."
        )
    if document.registry_number_id is None:
        raise Conflict(f"Document {document.id} has no number yet; number it before issuing.")
    if document.status not in (SIGNED, ISSUED):
        raise Conflict(f"Document {document.id} is {document.status}; it cannot be issued.")
    if organisations and document.confidentiality_level > 0:
        raise InvalidInput(
            "A confidential document is never sent over the exchange axis.",
            {"organisations": "not allowed for a confidential document"},
        )


async def _check_new(
    document: Document, units: Sequence[int], organisations: Sequence[ExternalRecipient]
) -> None:
    """Each unit and organisation receives the document once (409 naming the repeats)."""
    existing = await Recipient.filter(document_id=document.id)
    had_units = {r.unit_id for r in existing if r.kind == RECIPIENT_INTERNAL}
    had_organs = {r.organ_id for r in existing if r.kind == RECIPIENT_EXTERNAL}
    errors: dict[str, str] = {}
    for index, unit_id in enumerate(units):
        if unit_id in had_units:
            errors[f"units.{index}"] = f"unit {unit_id} already received this document"
    for index, org in enumerate(organisations):
        if org.organ_id.strip() in had_organs:
            errors[f"organisations.{index}.organ_id"] = f"{org.organ_id} already received it"
    if errors:
        names = "; ".join(errors.values())
        raise Conflict(f"Nothing was issued: {names}.", errors=errors)


async def issue_document(
    document_id: int,
    *,
    units: Sequence[int] = (),
    organisations: Sequence[ExternalRecipient] = (),
    now: datetime | None = None,
) -> list[Recipient]:
    """Issue the numbered document ``document_id`` to ``units`` (incoming copies) and
    ``organisations`` (to be sent); returns the new recipients, units first."""
    moment = moment_of(now)
    _check_request(units, organisations)
    async with atomic():
        found = await locked_outgoing(document_id)
        document = found.document
        await check_clerk(document)
        _check_issuable(found, organisations)
        await _check_new(document, units, organisations)
        plans = await plan_copies(document, list(units))
        files = await issued_files(document)
        made: list[Recipient] = []
        for plan in plans:
            copy = await make_copy(document, plan, files, moment)
            recipient = await Recipient.create(
                document=document,
                kind=RECIPIENT_INTERNAL,
                unit_id=plan.unit.id,
                organ_name=plan.unit.name[:200],
                status=RECEIVED,
                copy_document=copy,
                sent_at=moment,
                status_at=moment,
            )
            made.append(recipient)
            await record_step(
                copy,
                STEP_RECEIVED,
                summary=f"{code_of(document)} — {document.organ_name}",
                detail={"issued_document_id": document.id, "recipient_id": recipient.id},
                now=moment,
            )
            await publish(CopyReceived(copy.id, document.id, recipient.id, plan.registry.id))
        external: list[Recipient] = []
        for org in organisations:
            external.append(
                await Recipient.create(
                    document=document,
                    kind=RECIPIENT_EXTERNAL,
                    organ_id=org.organ_id.strip(),
                    organ_name=org.organ_name.strip(),
                    status=TO_BE_SENT,
                    status_at=moment,
                )
            )
        made += external
        await mark_issued(found, moment)
        user_id = current_user_id()
        if user_id is not None:
            await add_participant(document.id, PART_CLERK, user_id=user_id)
        await record_step(
            document,
            STEP_ISSUED,
            summary=", ".join(r.organ_name for r in made),
            detail={
                "recipients": [
                    {"id": r.id, "kind": r.kind, "unit_id": r.unit_id, "organ_id": r.organ_id}
                    for r in made
                ]
            },
            now=moment,
        )
        external_ids = tuple(r.id for r in external)
        await publish(DocumentIssued(document.id, tuple(r.id for r in made), external_ids))
        if external_ids:
            await enqueue(
                DISPATCH_JOB, {"document_id": document.id, "recipient_ids": list(external_ids)}
            )
    return made
