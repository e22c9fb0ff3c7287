"""The metadata a drafter gives an outgoing or internal document, and its validation.

:class:`DraftMetadata` holds the ND30 fields (Phụ lục VI) the drafter knows while drafting; the
number, notation and date are assigned later (part B). :func:`check_draft` checks every field
at once and raises one :class:`core.InvalidInput` whose ``errors`` name each wrong field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core import InvalidInput
from plugins.registry.models import ConfidentialityLevel, DocumentType, Registry, UrgencyLevel
from plugins.registry.models_documents import Document
from plugins.registry.notation import vietnam_date
from plugins.registry.searchtext import fold_fields
from plugins.registry.services.documents import check_visible
from plugins.registry.services.incoming_input import (
    MAX_PAGES,
    check_count,
    check_references,
    check_texts,
)
from plugins.registry.services.registries import MAX_ID

MAX_RECIPIENTS_TEXT = 2000
MAX_COPIES = 10_000

# name → (max length, required); ND30 Phụ lục VI lengths.
TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "subject": (500, True),
    "signer_position": (100, False),
    "signer_full_name": (50, False),
    "description": (500, False),
}


@dataclass(frozen=True)
class DraftMetadata:
    """What the drafter gives. Codes name the tenant's reference data (``document_type=
    "cong_van"``, ``priority="thuong"``, ``confidentiality="thuong"``)."""

    document_type: str = ""
    subject: str = ""
    priority: str = ""
    confidentiality: str = ""
    page_amount: int | None = 1
    signer_position: str = ""
    signer_full_name: str = ""
    due_date: date | None = None
    recipients_text: str = ""
    copies: int | None = 1
    reply_to_document_id: int | None = None
    description: str = ""


@dataclass(frozen=True)
class CheckedDraft:
    """Metadata that passed :func:`check_draft`: the ``Document`` values, the outgoing
    part's values and the reference rows."""

    values: dict[str, Any]
    outgoing: dict[str, Any]
    document_type: DocumentType
    priority: UrgencyLevel
    confidentiality: ConfidentialityLevel

    def search_text(self, organ_name: str) -> str:
        v = self.values
        return fold_fields(
            v["type_name"],
            v["subject"],
            organ_name,
            v["signer_position"],
            v["signer_full_name"],
            v["description"],
            self.outgoing["recipients_text"],
        )


async def _reply_to(document_id: int | None, errors: dict[str, str]) -> int | None:
    """The answered document must exist in this tenant and be visible to the drafter (its
    403 propagates: the drafter is told which permission is missing)."""
    if document_id is None:
        return None
    found = None
    if isinstance(document_id, int) and 1 <= document_id <= MAX_ID:
        found = await Document.get_or_none(id=document_id)
    if found is None:
        errors["reply_to_document_id"] = "no such document"
        return None
    await check_visible(found)
    return found.id


async def check_draft(
    registry: Registry, metadata: DraftMetadata, moment: datetime
) -> CheckedDraft:
    """Every field of ``metadata`` checked at once (``moment``: now)."""
    errors: dict[str, str] = {}
    texts = check_texts(metadata, TEXT_FIELDS, errors)
    recipients = (metadata.recipients_text or "").strip()
    if len(recipients) > MAX_RECIPIENTS_TEXT:
        errors["recipients_text"] = f"at most {MAX_RECIPIENTS_TEXT} characters"
    pages = check_count(metadata.page_amount, "page_amount", MAX_PAGES, errors)
    copies = check_count(metadata.copies, "copies", MAX_COPIES, errors)
    due = metadata.due_date
    if due is not None and (not isinstance(due, date) or isinstance(due, datetime)):
        errors["due_date"] = "a date"
    elif due is not None and due < vietnam_date(moment):
        errors["due_date"] = "in the past"
    refs = await check_references(
        registry, metadata.document_type, metadata.priority, metadata.confidentiality, errors
    )
    reply_to = await _reply_to(metadata.reply_to_document_id, errors)
    if errors:
        summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise InvalidInput(f"Invalid draft: {summary}", errors)
    assert refs is not None
    values: dict[str, Any] = {
        **texts,
        "type_name": refs.document_type.name,
        "due_date": due,
        "page_amount": pages,
        "priority_weight": refs.priority.weight,
        "confidentiality_level": refs.confidentiality.level,
    }
    outgoing = {"recipients_text": recipients, "copies": copies, "reply_to_document_id": reply_to}
    return CheckedDraft(values, outgoing, refs.document_type, refs.priority, refs.confidentiality)
