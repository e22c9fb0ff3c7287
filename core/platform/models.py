"""Vendor operators: separate from every tenant's users."""

from __future__ import annotations

from tortoise import fields

from core.db.base import PlatformModel, TimestampMixin


class PlatformAdmin(PlatformModel, TimestampMixin):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=150, unique=True)
    full_name = fields.CharField(max_length=200, default="")
    password_hash = fields.CharField(max_length=255)
    is_active = fields.BooleanField(default=True)

    class Meta:
        table = "core_platform_admin"


class PlatformToken(PlatformModel):
    """A bearer token of a platform admin for the platform API (stored hashed)."""

    id = fields.IntField(primary_key=True)
    admin: fields.ForeignKeyRelation[PlatformAdmin] = fields.ForeignKeyField(
        "core.PlatformAdmin", related_name="tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64, unique=True)
    prefix = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "core_platform_token"
