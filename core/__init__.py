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
hookspec = pluggy.HookspecMarker("congvan")  # for hook specifications a plugin publishes

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
    "call_hook": "core.plugins.api",
    # jobs
    "enqueue": "core.jobs.outbox",
    # storage
    "blob_store": "core.storage.api",
    # audit
    "record_audit": "core.audit.services",
    # authorization
    "check_permission": "core.authz.api",
    "has_permission": "core.authz.api",
    "user_permissions": "core.authz.api",
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
    "parse_id": "core.web.forms",
    "read_json": "core.web.api.operations",
    "api_doc": "core.web.api.plugin_docs",
    # language
    "gettext": "core.i18n",
    "N_": "core.i18n",
    "ngettext": "core.i18n",
    "format_date": "core.i18n",
    "format_datetime": "core.i18n",
    "format_number": "core.i18n",
    "cli_permission": "core.cli.permissions",
    "cli_read_only": "core.cli.permissions",
    "cli_tenant_option": "core.cli.runner",
}

__all__ = ["hookimpl", "hookspec", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'core' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # the names for type checkers (explicit re-exports)
    from core.audit.services import (
        record_audit as record_audit,
    )
    from core.authz.api import (
        check_permission as check_permission,
    )
    from core.authz.api import (
        has_permission as has_permission,
    )
    from core.authz.api import (
        user_permissions as user_permissions,
    )
    from core.cli.permissions import (
        cli_permission as cli_permission,
    )
    from core.cli.permissions import (
        cli_read_only as cli_read_only,
    )
    from core.cli.runner import (
        cli_tenant_option as cli_tenant_option,
    )
    from core.context import (
        Actor as Actor,
    )
    from core.context import (
        TenantInfo as TenantInfo,
    )
    from core.context import (
        current_actor as current_actor,
    )
    from core.context import (
        current_tenant as current_tenant,
    )
    from core.context import (
        tenant_context as tenant_context,
    )
    from core.db.base import (
        PlatformModel as PlatformModel,
    )
    from core.db.base import (
        TenantModel as TenantModel,
    )
    from core.db.base import (
        TimestampMixin as TimestampMixin,
    )
    from core.db.connection import (
        atomic as atomic,
    )
    from core.db.connection import (
        fetch_tenant_rows as fetch_tenant_rows,
    )
    from core.db.connection import (
        on_commit as on_commit,
    )
    from core.db.operations import (
        EnableRLS as EnableRLS,
    )
    from core.db.operations import (
        RunPostgresSQL as RunPostgresSQL,
    )
    from core.errors import (
        BadRequest as BadRequest,
    )
    from core.errors import (
        BlobIntegrityError as BlobIntegrityError,
    )
    from core.errors import (
        Conflict as Conflict,
    )
    from core.errors import (
        CongvanError as CongvanError,
    )
    from core.errors import (
        InvalidInput as InvalidInput,
    )
    from core.errors import (
        NotFound as NotFound,
    )
    from core.errors import (
        PayloadTooLarge as PayloadTooLarge,
    )
    from core.errors import (
        PermissionDenied as PermissionDenied,
    )
    from core.errors import (
        TenantRequired as TenantRequired,
    )
    from core.i18n import (
        N_ as N_,
    )
    from core.i18n import (
        format_date as format_date,
    )
    from core.i18n import (
        format_datetime as format_datetime,
    )
    from core.i18n import (
        format_number as format_number,
    )
    from core.i18n import (
        gettext as gettext,
    )
    from core.i18n import (
        ngettext as ngettext,
    )
    from core.jobs.outbox import (
        enqueue as enqueue,
    )
    from core.plugins.api import (
        call_hook as call_hook,
    )
    from core.plugins.api import (
        plugin_settings as plugin_settings,
    )
    from core.plugins.api import (
        publish as publish,
    )
    from core.plugins.types import (
        Action as Action,
    )
    from core.plugins.types import (
        Event as Event,
    )
    from core.plugins.types import (
        JobHandler as JobHandler,
    )
    from core.plugins.types import (
        MenuItem as MenuItem,
    )
    from core.plugins.types import (
        PluginInfo as PluginInfo,
    )
    from core.storage.api import (
        blob_store as blob_store,
    )
    from core.web.api.operations import (
        read_json as read_json,
    )
    from core.web.api.plugin_docs import (
        api_doc as api_doc,
    )
    from core.web.flash import (
        flash as flash,
    )
    from core.web.flash import (
        redirect as redirect,
    )
    from core.web.forms import (
        AlreadySubmitted as AlreadySubmitted,
    )
    from core.web.forms import (
        parse_id as parse_id,
    )
    from core.web.forms import (
        read_form as read_form,
    )
    from core.web.forms import (
        submit_once as submit_once,
    )
    from core.web.permissions import (
        authenticated as authenticated,
    )
    from core.web.permissions import (
        public as public,
    )
    from core.web.permissions import (
        requires as requires,
    )
    from core.web.shell import (
        current_unit_id as current_unit_id,
    )
    from core.web.shell import (
        render as render,
    )
