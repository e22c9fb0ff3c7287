"""The transactional outbox (a platform table: the dispatcher serves every tenant)."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core.db.base import PlatformModel


class OutboxMessage(PlatformModel):
    """A message written in the same transaction as the state change that implies it.

    status: pending → dispatched → done, or back to pending with ``next_attempt_at`` after a
    failure, or failed once ``attempts`` reaches ``max_attempts``.
    """

    id = fields.CharField(max_length=36, primary_key=True)
    tenant_id = fields.IntField(null=True, db_index=True)
    handler = fields.CharField(max_length=200)
    payload: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    attempts = fields.IntField(default=0)
    max_attempts = fields.IntField(default=8)
    next_attempt_at = fields.DatetimeField(db_index=True)
    dispatched_at = fields.DatetimeField(null=True)
    done_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "core_outbox"
