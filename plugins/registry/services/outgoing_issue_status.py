"""What the issuer sees of an issued document: each recipient and where it stands (ND30 Phụ
lục VI: show the receivers' processing status to the sender).

An internal recipient's status is its incoming copy's, read live (received, registered,
refused, assigned, processing, completed, cancelled): the recipient agency's flow changes the
copy, never the issuer's rows. An external one has its own (``to_be_sent``, then what the
interconnect plugin reports). Internal documents list the units and users they were
distributed to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from plugins.registry.models_documents import Document
from plugins.registry.models_flow import PART_RECIPIENT, DocumentParticipant
from plugins.registry.models_outgoing import RECIPIENT_INTERNAL, Recipient


@dataclass(frozen=True)
class RecipientStatus:
    id: int
    kind: str
    unit_id: int | None
    organ_id: str
    organ_name: str
    status: str
    copy_document_id: int | None
    sent_at: datetime | None
    status_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "unit_id": self.unit_id,
            "organ_id": self.organ_id,
            "organ_name": self.organ_name,
            "status": self.status,
            "copy_document_id": self.copy_document_id,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "status_at": self.status_at.isoformat() if self.status_at else None,
        }


@dataclass(frozen=True)
class Distribution:
    """Who an internal document was distributed to."""

    unit_ids: list[int]
    user_ids: list[int]


async def statuses_of(document: Document) -> list[RecipientStatus]:
    """The recipients of ``document`` in the order issued (the caller checked it is visible):
    two queries, whatever the number of recipients."""
    rows = list(await Recipient.filter(document_id=document.id).order_by("id"))
    copy_ids = [r.copy_document_id for r in rows if r.copy_document_id is not None]
    copies: dict[int, str] = {}
    if copy_ids:
        for copy_id, status in await Document.filter(id__in=copy_ids).values_list("id", "status"):
            copies[int(copy_id)] = str(status)
    result: list[RecipientStatus] = []
    for r in rows:
        status = r.status
        if r.kind == RECIPIENT_INTERNAL and r.copy_document_id in copies:
            status = copies[r.copy_document_id]
        result.append(
            RecipientStatus(
                id=r.id,
                kind=r.kind,
                unit_id=r.unit_id,
                organ_id=r.organ_id,
                organ_name=r.organ_name,
                status=status,
                copy_document_id=r.copy_document_id,
                sent_at=r.sent_at,
                status_at=r.status_at,
            )
        )
    return result


async def distribution_of(document: Document) -> Distribution:
    """The units and users an internal document was distributed to."""
    rows = await DocumentParticipant.filter(document_id=document.id, role=PART_RECIPIENT)
    units = sorted(r.unit_id for r in rows if r.unit_id is not None)
    users = sorted(r.user_id for r in rows if r.user_id is not None)
    return Distribution(units, users)
