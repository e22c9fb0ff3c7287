"""Response models of the JSON API, for the OpenAPI document (``@api_doc(response=…)``).

The endpoints build their JSON from plain dicts; these models describe those shapes so clients
get schemas. They refuse unknown fields, so a test that validates real answers against them
fails when an endpoint's JSON and its documentation drift apart. Dates and moments are ISO
8601 strings in the JSON.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReferenceItemOut(Out):
    """A reference item; the fields beyond the shared four depend on the kind."""

    code: str
    name: str
    sort_order: int
    is_active: bool
    abbreviation: str | None = Field(None, description="document-types and copy-forms")
    notation_pattern: str | None = Field(None, description="document-types")
    weight: int | None = Field(None, description="urgency-levels: higher is more urgent")
    level: int | None = Field(None, description="confidentiality-levels: above 0 is secret")
    years: int | None = Field(None, description="retention-periods: null is permanent")


class ReferenceListOut(Out):
    kind: str
    items: list[ReferenceItemOut]


class RegistryOut(Out):
    id: int
    unit_id: int
    direction: str
    name: str
    description: str
    document_types: list[str]
    numbering_scope: str
    agency_abbreviation: str
    notation_pattern: str
    is_active: bool


class RegistryPageOut(Out):
    items: list[RegistryOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class NumberOut(Out):
    """One line of a registry's register of numbers."""

    id: int
    registry_id: int
    year: int
    number: int
    code_number: str
    code_notation: str
    code: str
    confidential: bool
    state: str = Field(description="reserved, issued or released")
    document_type: str | None
    type_name: str
    confidentiality: str | None
    drafting_unit_id: int | None
    issued_date: dt.date | None
    note: str
    reserved_at: dt.datetime | None
    reserved_by: str
    used_at: dt.datetime | None
    used_by: str
    released_at: dt.datetime | None
    released_by: str
    release_reason: str
    document_model: str | None
    document_id: int | None
    created_at: dt.datetime | None


class NumberPageOut(Out):
    items: list[NumberOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class DocumentFileOut(Out):
    id: int
    role: str = Field(description="main or attachment")
    filename: str
    content_type: str
    size: int
    sha256: str
    pdf_state: str
    pages: int | None
    text_status: str


class DocumentOut(Out):
    """A document as lists show it."""

    id: int
    registry_id: int
    direction: str
    status: str
    source: str
    code_number: str
    code_notation: str
    code: str
    document_type: str
    type_name: str
    subject: str
    issued_date: dt.date | None
    organ_name: str
    organ_id: str
    signer_position: str
    signer_full_name: str
    priority: str
    priority_weight: int
    confidentiality: str
    confidential: bool
    page_amount: int
    description: str
    due_date: dt.date | None
    document_identifier: str | None
    arrival_number: int | None
    arrival_code: str | None
    arrival_year: int | None
    arrival_date: dt.datetime | None
    received_at: dt.datetime | None
    refusal_reason: str
    duplicate_confirmed: bool
    duplicate_of: int | None
    registered_by: int | None
    registered_unit_id: int
    created_at: dt.datetime | None


class DocumentDetailOut(DocumentOut):
    """A document with its files."""

    files: list[DocumentFileOut]


class FileWarningOut(Out):
    filename: str
    code: str = Field(description="pdf_encrypted or pdf_corrupt")
    message: str


class IncomingResultOut(DocumentDetailOut):
    """The registered (or refused) document, with warnings about files kept as they are."""

    warnings: list[FileWarningOut]


class DocumentPageOut(Out):
    items: list[DocumentOut]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page")


class AssignmentOut(Out):
    id: int
    document_id: int
    parent_assignment_id: int | None
    role: str = Field(description="lead, cohandler or informed")
    status: str
    user_id: int | None
    unit_id: int | None
    scope_unit_id: int
    deadline: dt.date | None
    direction: str
    assigned_by: int | None
    assigned_at: dt.datetime | None
    done_at: dt.datetime | None
    reply_document_id: int | None


class AssignResultOut(Out):
    status: str = Field(description="the document's status after the assignment")
    assignments: list[AssignmentOut]


class OpinionOut(Out):
    id: int
    assignment_id: int
    author_id: int | None
    text: str
    filename: str | None
    content_type: str | None
    size: int | None
    sha256: str | None
    created_at: dt.datetime | None


class CompleteOut(Out):
    id: int
    status: str


class DocumentBriefOut(Out):
    id: int
    status: str
    code: str
    subject: str
    organ_name: str
    arrival_number: int | None
    priority_weight: int
    confidential: bool
    due_date: dt.date | None


class InboxItemOut(AssignmentOut):
    overdue: bool
    document: DocumentBriefOut


class InboxOut(Out):
    items: list[InboxItemOut]


class FollowingItemOut(DocumentBriefOut):
    assignments: list[AssignmentOut]


class FollowingOut(Out):
    items: list[FollowingItemOut]
