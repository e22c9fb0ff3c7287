"""The tenant's audit trail: newest events first, and the proof of its hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request

from core.audit import services
from core.web.api.ids import Id
from core.web.api.operations import ApiRouter
from core.web.api.pagination import Page, PageQuery, bad_cursor, decode_cursor, encode_cursor
from core.web.permissions import requires

api = ApiRouter("audit")
VIEW = "core.audit.view"


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    actor_name: str
    unit_id: Id | None
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str


class AuditQuery(PageQuery):
    action: str | None = Field(None, max_length=100, description="Action, or its prefix.")
    actor: str | None = Field(None, max_length=100, description="Actor reference, e.g. user:7.")


class VerifyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ok: bool
    count: int
    broken_seq: int | None
    reason: str


@api.get(
    "/audit",
    summary="Audit events, newest first",
    permission=requires(VIEW),
    query=AuditQuery,
    response=Page[AuditEventOut],
)
async def list_events(request: Request, query: AuditQuery) -> Page[AuditEventOut]:
    before: int | None = None
    if query.cursor is not None:
        key = decode_cursor(query.cursor)
        if len(key) != 1 or not isinstance(key[0], int) or isinstance(key[0], bool):
            raise bad_cursor(query.cursor)
        before = key[0]
    events = await services.list_events(
        cursor=before, limit=query.limit + 1, action=query.action, actor=query.actor
    )
    page = events[: query.limit]
    cursor = encode_cursor([page[-1].seq]) if len(events) > query.limit else None
    return Page[AuditEventOut](
        items=[AuditEventOut.model_validate(e) for e in page], next_cursor=cursor
    )


@api.get(
    "/audit/verify",
    summary="Verify the hash chain of the audit trail",
    permission=requires(VIEW),
    response=VerifyOut,
)
async def verify(request: Request) -> VerifyOut:
    return VerifyOut.model_validate(await services.verify_chain())
