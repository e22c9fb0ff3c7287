"""Request models of the documents' JSON API. Unknown fields are refused; the fields the
system assigns (arrival number and date, status …) are refused with their own message."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from plugins.registry.schemas import Id, PageQuery, Strict

# Fields a client may not send: the system assigns them.
SYSTEM_FIELDS = (
    "arrival_number",
    "arrival_date",
    "status",
    "registered_by",
    "registered_unit_id",
    "received_at",
    "id",
)


class IncomingBody(Strict):
    """The metadata of a received document. Required fields are checked by the service (one
    422 naming every missing field); here only the types."""

    registry_id: Id
    source: Literal["upload", "scan"] = "upload"
    organ_name: str = Field("", max_length=1000)
    organ_id: str = Field("", max_length=100)
    code_number: str = Field("", max_length=100)
    code_notation: str = Field("", max_length=100)
    document_type: str = Field("", max_length=50)
    issued_date: dt.date | None = None
    subject: str = Field("", max_length=2000)
    signer_full_name: str = Field("", max_length=200)
    signer_position: str = Field("", max_length=200)
    priority: str = Field("", max_length=50)
    confidentiality: str = Field("", max_length=50)
    page_amount: int | None = Field(None, ge=-(2**31), le=2**31)
    due_date: dt.date | None = None
    document_identifier: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)


class IncomingCreate(IncomingBody):
    """The ``metadata`` part of ``POST /api/v1/registry/incoming``."""

    confirm_duplicate: bool = False


class IncomingRefuse(IncomingBody):
    """The ``metadata`` part of ``POST /api/v1/registry/incoming/refusals``."""

    reason: str = Field("", max_length=2000)


class IncomingQuery(PageQuery):
    registry_id: Id | None = None
    # received/cancelled: incoming copies of internal issues (outgoing part B).
    status: Literal["registered", "refused", "received", "cancelled"] | None = None


# The parts of the multipart bodies of receiving (for the OpenAPI document): a JSON part
# (documented with its model's schema) and the file parts.
_FILE_PARTS: dict[str, str | type[BaseModel]] = {
    "main": "the document's file (at least one)",
    "attachments": "attached files (any number)",
}
RECEIVE_PARTS: dict[str, str | type[BaseModel]] = {"metadata": IncomingCreate, **_FILE_PARTS}
REFUSE_PARTS: dict[str, str | type[BaseModel]] = {"metadata": IncomingRefuse, **_FILE_PARTS}
