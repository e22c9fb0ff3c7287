"""Request and response models of ``/api/v1/registry/outgoing`` (part A: draft → sign).

One resource serves outgoing and internal documents; ``direction`` tells them apart. Request
models refuse unknown fields; response models refuse them too, so a test validating real
answers catches drift between the JSON and the documentation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from plugins.registry.schemas import Id, PageQuery, Strict
from plugins.registry.schemas_responses import Out

OutgoingDirection = Literal["outgoing", "internal"]
SigningForm = Literal["", "TM.", "KT.", "TL.", "TUQ.", "Q."]


class DraftFields(Strict):
    """The drafter's metadata (ND30 names). Required values are checked by the service (one
    422 naming every wrong field); here only the types."""

    document_type: str = Field("", max_length=50)
    subject: str = Field("", max_length=2000)
    priority: str = Field("", max_length=50)
    confidentiality: str = Field("", max_length=50)
    page_amount: int | None = Field(1, ge=-(2**31), le=2**31)
    signer_position: str = Field("", max_length=200)
    signer_full_name: str = Field("", max_length=200)
    due_date: dt.date | None = None
    recipients_text: str = Field("", max_length=5000)
    copies: int | None = Field(1, ge=-(2**31), le=2**31)
    reply_to_document_id: Id | None = None
    description: str = Field("", max_length=2000)


class DraftCreate(DraftFields):
    """The ``metadata`` part of ``POST /api/v1/registry/outgoing``."""

    direction: OutgoingDirection = "outgoing"
    registry_id: Id | None = Field(
        None, description="default: the first active registry of the agency taking the type"
    )
    unit_id: Id | None = Field(None, description="the drafting unit; default: your primary unit")


class DraftPatch(Strict):
    """Only the fields sent change (``null`` clears ``due_date`` and ``reply_to_document_id``)."""

    document_type: str | None = Field(None, max_length=50)
    subject: str | None = Field(None, max_length=2000)
    priority: str | None = Field(None, max_length=50)
    confidentiality: str | None = Field(None, max_length=50)
    page_amount: int | None = Field(None, ge=-(2**31), le=2**31)
    signer_position: str | None = Field(None, max_length=200)
    signer_full_name: str | None = Field(None, max_length=200)
    due_date: dt.date | None = None
    recipients_text: str | None = Field(None, max_length=5000)
    copies: int | None = Field(None, ge=-(2**31), le=2**31)
    reply_to_document_id: Id | None = None
    description: str | None = Field(None, max_length=2000)


class FilesChange(Strict):
    """The optional ``metadata`` part of ``POST …/outgoing/{id}/files``."""

    remove_file_ids: list[Id] = Field(default_factory=list, max_length=50)


class ReviewRequest(Strict):
    reviewer_user_ids: list[Id] = Field(max_length=50)
    mode: Literal["sequence", "parallel"] = "sequence"
    note: str = Field("", max_length=5000)


class ReviewDecision(Strict):
    decision: Literal["agree", "changes"]
    comment: str = Field("", max_length=5000, description="required to request changes")


class CommentCreate(Strict):
    text: str = Field(max_length=5000)


class Submission(Strict):
    signer_user_id: Id
    signing_form: SigningForm = ""


class ReturnBody(Strict):
    reason: str = Field(max_length=2000)


class OutgoingQuery(PageQuery):
    view: Literal["mine", "review", "sign", "unit"] = "unit"
    direction: OutgoingDirection | None = None
    status: str | None = Field(None, max_length=20)
    unit_id: Id | None = None


_FILES: dict[str, str | type[BaseModel]] = {
    "main": "the main file (PDF or DOCX)",
    "attachments": "attached files (any number)",
    "annexes": "annexes (phụ lục; any number)",
}
CREATE_PARTS: dict[str, str | type[BaseModel]] = {"metadata": DraftCreate, **_FILES}
FILES_PARTS: dict[str, str | type[BaseModel]] = {"metadata": FilesChange, **_FILES}
SIGNED_PARTS: dict[str, str | type[BaseModel]] = {"file": "the signed PDF"}


# ------------------------------------------------------------------------------ responses


class OutgoingFileOut(Out):
    id: int
    role: str = Field(description="main, attachment, annex, or draft (a superseded main file)")
    filename: str
    content_type: str
    size: int
    sha256: str
    pdf_state: str
    pages: int | None


class ReviewOut(Out):
    id: int
    round: int
    position: int
    reviewer_user_id: int
    reviewer_name: str
    status: str
    comment: str
    requested_at: str
    decided_at: str | None


class CommentOut(Out):
    id: int
    author_id: int | None
    author_name: str
    text: str
    created_at: str


class OutgoingOut(Out):
    id: int
    direction: str
    status: str
    registry_id: int
    registered_unit_id: int
    code_number: str
    code_notation: str
    issued_date: str
    organ_name: str
    document_type: str
    type_name: str
    subject: str
    priority: str
    priority_weight: int
    confidentiality: str
    confidential: bool
    page_amount: int
    signer_position: str
    signer_full_name: str
    due_date: str | None
    description: str
    received_at: str
    drafter_user_id: int | None
    drafter_unit_id: int | None
    recipients_text: str
    copies: int
    reply_to_document_id: int | None
    review_mode: str
    review_round: int
    signer_user_id: int | None
    signing_form: str
    submitted_at: str | None
    approved_at: str | None
    returned_reason: str
    signed_at: str | None
    signature_provider: str


class OutgoingPageOut(Out):
    items: list[OutgoingOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class OutgoingDetailOut(OutgoingOut):
    review_state: str = Field(description="none, open, agreed or changes_requested")
    files: list[OutgoingFileOut]
    reviews: list[ReviewOut]
    comments: list[CommentOut]


class SignOut(Out):
    document: OutgoingOut
    manual: bool = Field(description="no signing plugin answered: a clerk attaches the PDF")
    answers: list[Any]
