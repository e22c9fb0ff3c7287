"""Which plugins the current tenant has enabled, and their settings.

Enabling, disabling and configuring write the tenant's :class:`TenantPlugin` row and bump the
tenant's version in one transaction with the audit event; after the commit the registry is
reloaded and other processes are told, so the per-tenant hook relay (keyed on the enabled set)
and the route gates pick the change up without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.audit.services import record_audit
from core.context import TenantInfo, current_tenant, tenant_context
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput
from core.plugins.manager import get_host
from core.tenancy.models import Tenant, TenantPlugin
from core.tenancy.services import fresh_info, in_tenant, run_enabled_hook, tenant_changed


@dataclass(frozen=True)
class TenantPluginView:
    """An installed plugin as one tenant sees it."""

    name: str
    title: str
    version: str
    description: str
    enabled: bool
    essential: bool
    settings: dict[str, Any]
    settings_schema: dict[str, Any] | None


def plugin_view(name: str, row: TenantPlugin | None) -> TenantPluginView:
    host = get_host()
    info = host.info(name)
    essential = name in host.essential
    stored = dict(row.settings or {}) if row is not None else {}
    return TenantPluginView(
        name=name,
        title=info.title,
        version=info.version,
        description=info.description,
        enabled=essential or bool(row is not None and row.enabled),
        essential=essential,
        settings=effective_settings(name, stored),
        settings_schema=info.settings_model.model_json_schema() if info.settings_model else None,
    )


def effective_settings(name: str, stored: dict[str, Any]) -> dict[str, Any]:
    """Stored values over the model's defaults; the raw values if they no longer validate."""
    try:
        return get_host().validate_settings(name, stored)
    except InvalidInput:
        return stored


async def _rows() -> dict[str, TenantPlugin]:
    rows = await TenantPlugin.filter(tenant_id=current_tenant().id)
    return {row.plugin: row for row in rows}


async def list_tenant_plugins() -> list[TenantPluginView]:
    """Every installed plugin with its state and settings for the current tenant."""
    rows = await _rows()
    return [plugin_view(info.name, rows.get(info.name)) for info in get_host().all_info()]


async def get_tenant_plugin(name: str) -> TenantPluginView:
    get_host().info(name)  # NotFound for a plugin that is not installed
    return plugin_view(name, (await _rows()).get(name))


async def _locked_row(name: str) -> tuple[Tenant, TenantPlugin]:
    tenant = await Tenant.select_for_update().get(id=current_tenant().id)
    row, _ = await TenantPlugin.get_or_create(
        tenant_id=tenant.id, plugin=name, defaults={"enabled": False, "settings": {}}
    )
    return tenant, row


async def _bump(tenant: Tenant) -> TenantInfo:
    tenant.version += 1
    await tenant.save(update_fields=["version", "updated_at"])
    return await fresh_info(tenant)


async def enable_plugin(name: str) -> TenantPluginView:
    """Enable ``name`` for the current tenant and run its ``on_plugin_enabled`` hook."""
    async with atomic():
        info = await apply_enable(name)
    await sync_actions(info)
    return await _after_commit(info, name)


async def sync_actions(info: TenantInfo) -> None:
    """After the commit (it announces a policy change): give system roles new defaults."""
    from core.authz.roles import sync_default_actions

    with tenant_context(info):
        await sync_default_actions()


async def disable_plugin(name: str) -> TenantPluginView:
    """Disable ``name`` for the current tenant: its hooks stop, its routes answer 404.

    The plugin's data and settings stay, so enabling it again restores them.
    """
    async with atomic():
        info = await apply_disable(name)
    return await _after_commit(info, name)


async def configure_plugin(name: str, values: dict[str, Any]) -> TenantPluginView:
    """Merge ``values`` over the tenant's settings of ``name``, validate, save. All or nothing."""
    async with atomic():
        info = await apply_configure(name, values)
    return await _after_commit(info, name)


async def _after_commit(info: TenantInfo, name: str) -> TenantPluginView:
    await tenant_changed(info.id)
    with tenant_context(info):
        return await get_tenant_plugin(name)


# The apply_* steps run inside the caller's transaction and return the tenant's new snapshot;
# after the commit the caller calls sync_actions() (after enabling) and tenant_changed().


async def apply_enable(name: str) -> TenantInfo:
    host = get_host()
    host.info(name)
    tenant_slug = current_tenant().slug
    if name in host.essential:
        raise Conflict(f"Plugin {name!r} is essential and always enabled.")
    tenant, row = await _locked_row(name)
    if row.enabled:
        raise Conflict(f"Plugin {name!r} is already enabled for tenant {tenant_slug!r}.")
    row.enabled = True
    await row.save(update_fields=["enabled", "updated_at"])
    info = await _bump(tenant)
    # The hooks must see the new set of enabled plugins, not the caller's old snapshot.
    async with in_tenant(info):
        await run_enabled_hook(info, name)
        await record_audit("plugin.enable", object_type="plugin", object_id=name)
    return info


async def apply_disable(name: str) -> TenantInfo:
    host = get_host()
    host.info(name)
    tenant_slug = current_tenant().slug
    if name in host.essential:
        raise Conflict(f"Plugin {name!r} is essential and cannot be disabled.")
    tenant, row = await _locked_row(name)
    if not row.enabled:
        raise Conflict(f"Plugin {name!r} is not enabled for tenant {tenant_slug!r}.")
    row.enabled = False
    await row.save(update_fields=["enabled", "updated_at"])
    info = await _bump(tenant)
    async with in_tenant(info):
        await record_audit("plugin.disable", object_type="plugin", object_id=name)
    return info


async def apply_configure(name: str, values: dict[str, Any]) -> TenantInfo:
    get_host().info(name)
    tenant, row = await _locked_row(name)
    before = dict(row.settings or {})
    after = merge_settings(name, before, values)
    row.settings = after
    await row.save(update_fields=["settings", "updated_at"])
    info = await _bump(tenant)
    async with in_tenant(info):
        await record_audit(
            "plugin.configure", object_type="plugin", object_id=name, before=before, after=after
        )
    return info


def check_setting_names(name: str, values: dict[str, Any]) -> None:
    """Refuse keys the plugin's settings model does not have (a typo would be lost silently)."""
    model = get_host().info(name).settings_model
    if model is None:
        if values:
            raise InvalidInput(f"Plugin {name!r} has no settings.")
        return
    known = model.model_fields
    for key in values:
        if key not in known:
            raise InvalidInput(
                f"Plugin {name!r} has no setting {key!r} (its settings: {', '.join(known)}).",
                {key: "unknown setting"},
            )


def merge_settings(name: str, stored: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` over ``stored``, validated; keeps only keys that were set (not the defaults).

    Raises InvalidInput with one error per field (``max_notes: Input should be …``).
    """
    check_setting_names(name, values)
    merged = {**stored, **values}
    clean = get_host().validate_settings(name, merged)
    return {key: clean[key] for key in merged if key in clean}
