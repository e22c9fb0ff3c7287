from __future__ import annotations

from tortoise import fields

from core import TenantModel


class Note(TenantModel):
    """A short note, the one tenant-scoped table of the example plugin."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=200)
    body = fields.TextField(default="")
    created_by = fields.CharField(max_length=100, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "example_note"
        unique_together = (("tenant_id", "title"),)


class NoteStat(TenantModel):
    """Counts processed jobs; proves jobs run once per message in the context of the tenant."""

    id = fields.IntField(primary_key=True)
    message_id = fields.CharField(max_length=36)
    note_id = fields.IntField()

    class Meta:
        table = "example_note_stat"
        unique_together = (("tenant_id", "message_id"),)
