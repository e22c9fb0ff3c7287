"""Tenants, their host names and their per-plugin configuration (platform tables)."""

from __future__ import annotations

from typing import Any

from tortoise import fields

from core.db.base import PlatformModel, TimestampMixin


class Tenant(PlatformModel, TimestampMixin):
    """One deployment of an organisation: a province, a ministry or a single agency."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=63, unique=True)
    name = fields.CharField(max_length=200)
    status = fields.CharField(max_length=16, default="active")
    theme = fields.CharField(max_length=63, default="default")
    # Bumped on every change so other processes know their snapshot is stale.
    version = fields.IntField(default=1)

    domains: fields.ReverseRelation[TenantDomain]
    plugins: fields.ReverseRelation[TenantPlugin]

    class Meta:
        table = "core_tenant"


class TenantDomain(PlatformModel):
    """A custom host name that resolves to the tenant (besides ``<slug>.<base domain>``)."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "core.Tenant", related_name="domains", on_delete=fields.CASCADE
    )
    domain = fields.CharField(max_length=253, unique=True)

    class Meta:
        table = "core_tenant_domain"


class TenantPlugin(PlatformModel, TimestampMixin):
    """Whether a plugin is enabled for a tenant, and its validated settings."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "core.Tenant", related_name="plugins", on_delete=fields.CASCADE
    )
    plugin = fields.CharField(max_length=63)
    enabled = fields.BooleanField(default=True)
    settings: fields.JSONField[dict[str, Any]] = fields.JSONField(default=dict)

    class Meta:
        table = "core_tenant_plugin"
        unique_together = (("tenant", "plugin"),)
