"""Users of a tenant, their positions in units and their personal API tokens."""

from __future__ import annotations

from tortoise import fields

from core.db.base import TenantModel, TimestampMixin
from core.units.models import Unit


class User(TenantModel, TimestampMixin):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=150)
    full_name = fields.CharField(max_length=200)
    email = fields.CharField(max_length=254, default="")
    phone = fields.CharField(max_length=30, default="")
    password_hash = fields.CharField(max_length=255, default="")
    is_active = fields.BooleanField(default=True)
    last_login_at = fields.DatetimeField(null=True)

    positions: fields.ReverseRelation[Position]
    tokens: fields.ReverseRelation[ApiToken]

    class Meta:
        table = "core_user"
        unique_together = (("tenant_id", "username"),)


class Position(TenantModel):
    """A position (chức vụ) a user holds in a unit, e.g. Phó Giám đốc of Sở Tư pháp."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="positions", on_delete=fields.CASCADE
    )
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "core.Unit", related_name="positions", on_delete=fields.RESTRICT
    )
    title = fields.CharField(max_length=200, default="")
    is_primary = fields.BooleanField(default=False)

    class Meta:
        table = "core_position"
        unique_together = (("tenant_id", "user", "unit"),)


class ApiToken(TenantModel):
    """A personal API token: shown once, stored as its SHA-256, revocable."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "core.User", related_name="tokens", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=100)
    token_hash = fields.CharField(max_length=64)
    prefix = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "core_api_token"
        unique_together = (("tenant_id", "token_hash"),)
