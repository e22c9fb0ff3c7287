"""What the outgoing register prints beyond the document's own fields: recipients, the unit
keeping the file copy, the number of copies and the date sent (ND30 Phụ lục IV)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from plugins.registry.models_outgoing import RECIPIENT_INTERNAL, OutgoingDetail, Recipient
from plugins.registry.notation import vietnam_date
from plugins.registry.services.registers_data import unit_names


@dataclass(frozen=True)
class OutgoingFacts:
    recipients: str
    keeping_unit: str
    copies: int | None
    sent_date: date | None


async def outgoing_facts(document_ids: list[int]) -> dict[int, OutgoingFacts]:
    """The facts of each outgoing/internal document in ``document_ids`` that has them.

    Recipients are the printed "Nơi nhận" when the drafter wrote it, else the names of the
    units and organisations it was issued to."""
    if not document_ids:
        return {}
    details = {d.document_id: d for d in await OutgoingDetail.filter(document_id__in=document_ids)}
    recipients = list(await Recipient.filter(document_id__in=document_ids).order_by("id"))
    unit_ids = {r.unit_id for r in recipients if r.unit_id is not None}
    unit_ids |= {d.keeping_unit_id for d in details.values() if d.keeping_unit_id is not None}
    names = await unit_names(unit_ids)
    issued_to: dict[int, list[str]] = defaultdict(list)
    for r in recipients:
        if r.kind == RECIPIENT_INTERNAL and r.unit_id is not None:
            issued_to[r.document_id].append(names.get(r.unit_id, ""))
        else:
            issued_to[r.document_id].append(r.organ_name)
    facts: dict[int, OutgoingFacts] = {}
    for document_id, d in details.items():
        listed = "; ".join(n for n in issued_to.get(document_id, []) if n)
        facts[document_id] = OutgoingFacts(
            recipients=d.recipients_text.strip() or listed,
            keeping_unit=names.get(d.keeping_unit_id, "") if d.keeping_unit_id else "",
            copies=d.copies,
            sent_date=vietnam_date(d.issued_at) if d.issued_at else None,
        )
    return facts
