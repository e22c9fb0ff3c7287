"""Outgoing documents as JSON-ready dicts (the API answers them; the pages render them)."""

from __future__ import annotations

from typing import Any

from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.models_outgoing import DraftComment, OutgoingDetail, Review
from plugins.registry.services import outgoing_review
from plugins.registry.services.documents import document_files
from plugins.registry.services.outgoing_common import user_names


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def outgoing_dicts(items: list[Document]) -> list[dict[str, Any]]:
    if not items:
        return []
    await Document.fetch_for_list(items, "document_type", "priority", "confidentiality")
    details = {
        d.document_id: d for d in await OutgoingDetail.filter(document_id__in=[i.id for i in items])
    }
    out = []
    for d in items:
        o = details.get(d.id) or OutgoingDetail(document_id=d.id)
        out.append(
            {
                "id": d.id,
                "direction": d.direction,
                "status": d.status,
                "registry_id": d.registry_id,
                "registered_unit_id": d.registered_unit_id,
                "code_number": d.code_number,
                "code_notation": d.code_notation,
                "issued_date": d.issued_date.isoformat(),
                "organ_name": d.organ_name,
                "document_type": d.document_type.code,
                "type_name": d.type_name,
                "subject": d.subject,
                "priority": d.priority.code,
                "priority_weight": d.priority_weight,
                "confidentiality": d.confidentiality.code,
                "confidential": d.confidentiality_level > 0,
                "page_amount": d.page_amount,
                "signer_position": d.signer_position,
                "signer_full_name": d.signer_full_name,
                "due_date": _iso(d.due_date),
                "description": d.description,
                "received_at": d.received_at.isoformat(),
                "drafter_user_id": o.drafter_user_id,
                "drafter_unit_id": o.drafter_unit_id,
                "recipients_text": o.recipients_text or "",
                "copies": o.copies if o.copies is not None else 1,
                "reply_to_document_id": o.reply_to_document_id,
                "review_mode": o.review_mode or "sequence",
                "review_round": o.review_round or 0,
                "signer_user_id": o.signer_user_id,
                "signing_form": o.signing_form or "",
                "submitted_at": _iso(o.submitted_at),
                "approved_at": _iso(o.approved_at),
                "returned_reason": o.returned_reason or "",
                "signed_at": _iso(o.signed_at),
                "signature_provider": o.signature_provider or "",
            }
        )
    return out


def file_dict(f: DocumentFile) -> dict[str, Any]:
    return {
        "id": f.id,
        "role": f.role,
        "filename": f.filename,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "pdf_state": f.pdf_state,
        "pages": f.pages,
    }


def _review(r: Review, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": r.id,
        "round": r.round,
        "position": r.position,
        "reviewer_user_id": r.reviewer_user_id,
        "reviewer_name": names.get(r.reviewer_user_id, ""),
        "status": r.status,
        "comment": r.comment,
        "requested_at": r.requested_at.isoformat(),
        "decided_at": _iso(r.decided_at),
    }


def _comment(c: DraftComment, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": c.id,
        "author_id": c.author_id,
        "author_name": names.get(c.author_id or 0, ""),
        "text": c.text,
        "created_at": c.created_at.isoformat(),
    }


async def comment_dicts(document_id: int) -> list[dict[str, Any]]:
    """The comments of a visible document, oldest first."""
    notes = await outgoing_review.comments(document_id)
    names = await user_names([c.author_id for c in notes if c.author_id])
    return [_comment(c, names) for c in notes]


async def comment_dict(comment: DraftComment) -> dict[str, Any]:
    names = await user_names([comment.author_id] if comment.author_id else [])
    return _comment(comment, names)


async def outgoing_detail(document: Document) -> dict[str, Any]:
    """A visible document with its files, every review round and the comments."""
    data = (await outgoing_dicts([document]))[0]
    reviews = list(await Review.filter(document_id=document.id).order_by("round", "position"))
    notes = await outgoing_review.comments(document.id)
    ids = [r.reviewer_user_id for r in reviews] + [c.author_id for c in notes if c.author_id]
    names = await user_names(ids)
    data["review_state"] = outgoing_review.state_of_round(data["review_round"], reviews).state
    data["files"] = [file_dict(f) for f in await document_files(document)]
    data["reviews"] = [_review(r, names) for r in reviews]
    data["comments"] = [_comment(c, names) for c in notes]
    return data
