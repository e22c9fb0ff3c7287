"""Request models of the assignment JSON API (unknown fields refused)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from plugins.registry.schemas import Id, Strict


class AssigneeBody(Strict):
    """A user or a unit (exactly one; the service checks it) with an optional deadline."""

    user_id: Id | None = None
    unit_id: Id | None = None
    deadline: dt.date | None = None


class AssignBody(Strict):
    lead: AssigneeBody | None = None
    cohandlers: list[AssigneeBody] = Field(default_factory=list, max_length=100)
    informed: list[AssigneeBody] = Field(default_factory=list, max_length=100)
    direction: str = Field("", max_length=4000)
    replace_lead: bool = False
    parent_assignment_id: Id | None = None


class OpinionBody(Strict):
    text: str = Field("", max_length=8000)


class CompleteBody(Strict):
    reply_document_id: Id | None = None
