"""Authorization storage: role metadata and the Casbin policy rows of each tenant."""

from __future__ import annotations

from tortoise import fields

from core.db.base import TenantModel, TimestampMixin


class Role(TenantModel, TimestampMixin):
    """A named set of actions; the actions themselves are ``p`` rows in :class:`CasbinRule`."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=63)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    is_system = fields.BooleanField(default=False)

    class Meta:
        table = "core_role"
        unique_together = (("tenant_id", "key"),)


class CasbinRule(TenantModel):
    """One Casbin policy line (``p, role:clerk, action`` or ``g, user:7, role:clerk, /3/7/*``)."""

    id = fields.IntField(primary_key=True)
    ptype = fields.CharField(max_length=8)
    v0 = fields.CharField(max_length=255, default="")
    v1 = fields.CharField(max_length=255, default="")
    v2 = fields.CharField(max_length=255, default="")
    v3 = fields.CharField(max_length=255, default="")
    v4 = fields.CharField(max_length=255, default="")
    v5 = fields.CharField(max_length=255, default="")

    class Meta:
        table = "core_casbin_rule"
        unique_together = (("tenant_id", "ptype", "v0", "v1", "v2", "v3", "v4", "v5"),)
