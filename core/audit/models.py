"""The append-only, hash-chained audit trail of each tenant."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core.db.base import TenantModel


class AuditEvent(TenantModel):
    """One event. ``hash`` = SHA-256 over ``prev_hash`` and the canonical JSON of the event."""

    id = fields.BigIntField(primary_key=True)
    seq = fields.BigIntField()
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=100)
    actor_name = fields.CharField(max_length=200, default="")
    unit_id = fields.IntField(null=True)
    action = fields.CharField(max_length=100)
    object_type = fields.CharField(max_length=63, default="")
    object_id = fields.CharField(max_length=100, default="")
    before: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    after: fields.JSONField[dict[str, Any] | None] = fields.JSONField(null=True)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "core_audit_event"
        unique_together = (("tenant_id", "seq"),)
        ordering = ("seq",)


class AuditHead(TenantModel):
    """The last link of the chain of a tenant, locked while appending so the chain stays linear."""

    id = fields.IntField(primary_key=True)
    seq = fields.BigIntField(default=0)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "core_audit_head"
        unique_together = (("tenant_id",),)
