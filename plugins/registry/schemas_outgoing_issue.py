"""Request and response models of numbering, issue, distribution, recall and received copies.
Requests refuse unknown fields; there is deliberately no field for a number."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from plugins.registry.schemas import Id, Strict
from plugins.registry.schemas_responses import Out


class NumberBody(Strict):
    """Number a signed document: the next number, or ``reservation_id`` (a number reserved for
    it); ``drafting_unit_id`` names the unit of a ``{unit}`` notation (Công văn)."""

    reservation_id: Id | None = None
    drafting_unit_id: Id | None = None


class OrganisationIn(Strict):
    organ_id: str = Field(max_length=100, description="edXML OrganId, e.g. 000.00.00.G10")
    organ_name: str = Field(max_length=1000)


class IssueBody(Strict):
    units: list[Id] = Field(default_factory=list, max_length=500)
    organisations: list[OrganisationIn] = Field(default_factory=list, max_length=500)


class DistributeBody(Strict):
    units: list[Id] = Field(default_factory=list, max_length=500)
    users: list[Id] = Field(default_factory=list, max_length=500)


class ReasonBody(Strict):
    reason: str = Field("", max_length=2000)


class RegisterReceivedBody(Strict):
    confirm_duplicate: bool = False


class ReceivedQuery(Strict):
    status: Literal["received", "registered", "refused", "cancelled"] | None = "received"
    limit: int = Field(200, ge=1, le=500)


class NumberedOut(Out):
    id: int
    direction: str
    status: str
    code_number: str
    code_notation: str
    code: str
    issued_date: dt.date
    registry_number_id: int | None


class RecipientOut(Out):
    id: int
    kind: str = Field(description="internal (a unit, with an incoming copy) or external")
    unit_id: int | None
    organ_id: str
    organ_name: str
    status: str = Field(description="internal: the copy's status; external: to_be_sent …")
    copy_document_id: int | None
    sent_at: dt.datetime | None
    status_at: dt.datetime | None


class RecipientsOut(Out):
    document_id: int
    direction: str
    status: str
    code: str
    recipients: list[RecipientOut]
    distributed_units: list[int] = Field(description="internal documents: units")
    distributed_users: list[int] = Field(description="internal documents: users")
    recall_reason: str
