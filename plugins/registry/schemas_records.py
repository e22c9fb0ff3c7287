"""Request and response models of the records API (``/api/v1/registry/records``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from plugins.registry.schemas import Id, PageQuery, Strict

RecordStatus = Literal["open", "closed"]


class RecordCreate(Strict):
    """A new record: the agency unit keeping the records list, the handler unit inside it
    (default: the agency), a title, a retention period code (``vinh_vien``, ``20_nam`` …)."""

    unit_id: Id
    handler_unit_id: Id | None = None
    title: str = Field(min_length=1, max_length=500)
    retention: str = Field(min_length=1, max_length=50)
    description: str = Field("", max_length=500)


class RecordQuery(PageQuery):
    unit_id: Id | None = None
    year: int | None = Field(None, ge=2000, le=9999)
    status: RecordStatus | None = None
    retention: str | None = Field(None, max_length=50)
    handler_unit_id: Id | None = None
    q: str | None = Field(None, max_length=200)


class ItemCreate(Strict):
    document_id: Id


class ReopenBody(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class ExportQuery(Strict):
    format: Literal["zip", "pdf", "xml"] = "zip"


class CandidateQuery(Strict):
    q: str = Field(min_length=1, max_length=200)
    limit: int = Field(10, ge=1, le=20)


class RecordOut(BaseModel):
    id: int
    unit_id: int
    unit_name: str
    year: int
    number: int
    code: str
    title: str
    retention: str
    retention_name: str
    retention_years: int | None
    creator_id: int | None
    creator_name: str
    handler_unit_id: int
    handler_unit_name: str
    status: RecordStatus
    opened_at: str
    closed_at: str | None
    description: str
    item_count: int


class RecordPageOut(BaseModel):
    items: list[RecordOut]
    next_cursor: str | None


class ItemDocumentOut(BaseModel):
    id: int
    direction: str
    code: str
    type_name: str
    subject: str
    issued_date: str
    organ_name: str
    confidential: bool


class ItemOut(BaseModel):
    position: int
    added_by: int | None
    added_at: str
    document: ItemDocumentOut


class RecordDetailOut(RecordOut):
    """The record with the items the caller may see; ``hidden_items`` counts the others."""

    items: list[ItemOut]
    hidden_items: int
    can_manage: bool


class CandidatesOut(BaseModel):
    items: list[ItemDocumentOut]
