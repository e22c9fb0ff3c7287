"""Congvan's kernel — the public API plugins may import.

Plugins import only names re-exported here (``from core import TenantModel, hookimpl``); the
modules behind them are private and may move. Names load lazily so that importing ``core``
stays cheap and free of import cycles.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import pluggy

hookimpl = pluggy.HookimplMarker("congvan")

_EXPORTS: dict[str, str] = {
    # context
    "Actor": "core.context",
    "TenantInfo": "core.context",
    "current_actor": "core.context",
    "current_tenant": "core.context",
    "tenant_context": "core.context",
    # errors
    "BadRequest": "core.errors",
    "BlobIntegrityError": "core.errors",
    "Conflict": "core.errors",
    "CongvanError": "core.errors",
    "InvalidInput": "core.errors",
    "NotFound": "core.errors",
    "PayloadTooLarge": "core.errors",
    "PermissionDenied": "core.errors",
    "TenantRequired": "core.errors",
    # data
    "TenantModel": "core.db.base",
    "PlatformModel": "core.db.base",
    "TimestampMixin": "core.db.base",
    "atomic": "core.db.connection",
    "fetch_tenant_rows": "core.db.connection",
    "on_commit": "core.db.connection",
    "EnableRLS": "core.db.operations",
    "RunPostgresSQL": "core.db.operations",
    # plugins
    "Action": "core.plugins.types",
    "Event": "core.plugins.types",
    "JobHandler": "core.plugins.types",
    "MenuItem": "core.plugins.types",
    "PluginInfo": "core.plugins.types",
    "plugin_settings": "core.plugins.api",
    "publish": "core.plugins.api",
    # jobs
    "enqueue": "core.jobs.outbox",
    # storage
    "blob_store": "core.storage.api",
    # audit
    "record_audit": "core.audit.services",
    # authorization
    "check_permission": "core.authz.api",
    "has_permission": "core.authz.api",
    # web
    "requires": "core.web.permissions",
    "public": "core.web.permissions",
    "authenticated": "core.web.permissions",
    "render": "core.web.shell",
    "current_unit_id": "core.web.shell",
    "read_form": "core.web.forms",
    "redirect": "core.web.flash",
    "flash": "core.web.flash",
    "AlreadySubmitted": "core.web.forms",
    "submit_once": "core.web.forms",
    # language
    "gettext": "core.i18n",
    "ngettext": "core.i18n",
    "format_date": "core.i18n",
    "format_datetime": "core.i18n",
    "format_number": "core.i18n",
    "cli_permission": "core.cli.permissions",
    "cli_read_only": "core.cli.permissions",
}

__all__ = ["hookimpl", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from core.context import Actor, TenantInfo, current_actor, current_tenant, tenant_context
    from core.db.base import PlatformModel, TenantModel, TimestampMixin
    from core.db.connection import atomic, fetch_tenant_rows, on_commit
    from core.db.operations import EnableRLS, RunPostgresSQL
    from core.errors import (
        BadRequest,
        BlobIntegrityError,
        Conflict,
        CongvanError,
        InvalidInput,
        NotFound,
        PayloadTooLarge,
        PermissionDenied,
        TenantRequired,
    )
    from core.plugins.types import Action, Event, JobHandler, MenuItem, PluginInfo
