"""The unit tree of a tenant: agencies, their departments and so on."""

from __future__ import annotations

from tortoise import fields

from core.db.base import TenantModel, TimestampMixin

UNIT_KINDS = ("agency", "department", "division", "office", "other")


class Unit(TenantModel, TimestampMixin):
    """A node of the org tree.

    ``path`` is the materialised path of ids (``/3/7/``) that authorization scopes use;
    ``level`` is the depth (0 for a root). Both are derived and kept by the unit service.
    """

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=50)
    name = fields.CharField(max_length=300)
    short_name = fields.CharField(max_length=30, default="")
    kind = fields.CharField(max_length=20, default="agency")
    parent: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "core.Unit", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    path = fields.CharField(max_length=1000, default="/")
    level = fields.IntField(default=0)
    organ_id = fields.CharField(max_length=13, null=True)
    organ_id_v2 = fields.CharField(max_length=35, null=True)
    is_active = fields.BooleanField(default=True)
    sort_order = fields.IntField(default=0)

    children: fields.ReverseRelation[Unit]

    class Meta:
        table = "core_unit"
        unique_together = (("tenant_id", "code"),)
        ordering = ("path",)
