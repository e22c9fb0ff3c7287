"""The table behind the database change bus (a platform table)."""

from __future__ import annotations

from tortoise import fields

from core.db.base import PlatformModel


class ChangeNotice(PlatformModel):
    """A change notification, kept briefly so other processes polling the database see it."""

    id = fields.BigIntField(primary_key=True)
    channel = fields.CharField(max_length=41)
    payload = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "core_change_notice"
