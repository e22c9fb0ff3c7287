"""Bodies and answers of the shared flow endpoints: presentation, timeline, unit lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PresentBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    leader_user_id: int = Field(ge=1, le=2_147_483_647)
    note: str = Field(default="", max_length=2000)


class PresentationOut(BaseModel):
    id: int
    document_id: int
    leader_user_id: int
    presented_by: int | None
    presented_at: datetime
    note: str
    status: str


class TimelineEntryOut(BaseModel):
    id: int
    step: str
    at: datetime
    actor_ref: str
    actor_name: str
    summary: str
    detail: dict[str, Any]


class TimelineOut(BaseModel):
    document_id: int
    items: list[TimelineEntryOut]


class PresentedDocumentOut(BaseModel):
    id: int
    arrival_number: int | None
    code_number: str
    code_notation: str
    subject: str
    organ_name: str
    priority_weight: int
    due_date: str | None
    status: str


class PresentedOut(BaseModel):
    items: list[PresentedDocumentOut]
