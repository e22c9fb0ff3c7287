# mypy: disable-error-code="empty-body"
"""Every hook of the Congvan kernel, grouped by family.

Each docstring says when the hook runs, whether it is tenant-scoped (called only for plugins
enabled for the current tenant, through the per-tenant relay) or platform-wide (called for
every installed plugin), and what it returns. ``register_*`` hooks return lists. Implementations
may be ``async def`` unless the spec says otherwise; the caller awaits them.
``docs/hooks.md`` documents every hook here (a test enforces it).
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from core.context import Actor
    from core.plugins.types import Action, Event, JobHandler, MenuItem, PluginInfo

hookspec = pluggy.HookspecMarker("congvan")


class CoreHookSpecs:
    """The kernel's hook specifications (pluggy requires methods with ``self``)."""

    # ---------------------------------------------------------------- identity

    @hookspec
    def plugin_info(self) -> PluginInfo:
        """Describe the plugin: name, version, title, description and typed settings model.

        Platform-wide, read once when the plugin is loaded. Synchronous. Required of every
        plugin; the name must equal the name the plugin is registered under.
        """

    # ---------------------------------------------------------------- data

    @hookspec
    def register_models(self) -> list[str]:
        """Return the dotted module paths holding the plugin's tortoise models.

        Platform-wide, at start-up. The modules form one tortoise app labelled with the
        plugin's name. Tenant-scoped models derive from ``core.TenantModel``. Synchronous.
        """

    @hookspec
    def register_migrations(self) -> list[str]:
        """Return the dotted path of the package holding the plugin's migrations (one item).

        Platform-wide, used by ``congvan migrate``. Tenant-scoped tables must add the
        ``core.EnableRLS`` operation. Synchronous.
        """

    # ---------------------------------------------------------------- authorization

    @hookspec
    def register_actions(self) -> list[Action]:
        """Return the actions (permissions) the plugin checks, with their default roles.

        Platform-wide. Tenant admins compose roles from the actions of enabled plugins; seeded
        roles receive the actions whose ``default_roles`` name them. Synchronous.
        """

    # ---------------------------------------------------------------- web

    @hookspec
    def register_routes(self) -> list[BaseRoute]:
        """Return Starlette routes (pages under ``/<plugin>/``, API under ``/api/v1/<plugin>/``).

        Platform-wide, mounted once at start-up; for a tenant that has not enabled the plugin the
        routes answer 404. Each endpoint must declare a permission (``core.requires``) or be
        marked ``core.public``. Synchronous.
        """

    @hookspec
    def register_menu_items(self, actor: Actor) -> list[MenuItem]:
        """Return the menu entries the plugin adds to the shell for ``actor``.

        Tenant-scoped, on every page render. Entries whose permission the actor lacks are
        hidden by the core.
        """

    @hookspec
    def register_template_dirs(self) -> list[Path]:
        """Return folders of Jinja2 templates (``templates/<plugin>/…`` inside them).

        Platform-wide, at start-up. Lookup order: tenant theme → plugins → core. Synchronous.
        """

    @hookspec
    def register_static_dirs(self) -> list[Path]:
        """Return folders served under ``/static/<plugin>/``.

        Platform-wide, at start-up. Synchronous.
        """

    # ---------------------------------------------------------------- jobs

    @hookspec
    def register_job_handlers(self) -> list[JobHandler]:
        """Return the outbox handlers the plugin provides (names prefixed ``<plugin>.``).

        Platform-wide, at start-up of web and worker processes. Handlers run later in the
        tenant context of the message that names them. Synchronous.
        """

    # ---------------------------------------------------------------- cli

    @hookspec
    def register_commands(self, cli: click.Group) -> None:
        """Add click commands to the ``congvan`` command group.

        Platform-wide, when the CLI starts. Commands that change data must declare a
        permission with ``core.cli_permission``. Synchronous.
        """

    # ---------------------------------------------------------------- events

    @hookspec
    def on_event(self, event: Event) -> Awaitable[None] | None:
        """React to an event published with ``core.publish``.

        Tenant-scoped: runs for the plugins enabled for the event's tenant, inside the
        publisher's transaction, so writing an outbox message here commits with the change.
        Listeners pick the event types they handle with ``isinstance``; return nothing.
        """

    # ---------------------------------------------------------------- lifecycle

    @hookspec
    def startup(self, app: Starlette) -> Awaitable[None] | None:
        """Run once when a web process starts, after the database is open. Platform-wide."""

    @hookspec
    def shutdown(self, app: Starlette) -> Awaitable[None] | None:
        """Run once when a web process stops, before the database closes. Platform-wide."""

    @hookspec
    def register_hookspecs(self) -> list[type]:
        """Publish hook specifications for other plugins to implement. Platform-wide.

        Return classes whose methods are marked with ``core.hookspec`` (pluggy style, with
        ``self``). The host adds them once, after every plugin is registered, and then checks
        every implementation against them. Call a published hook with ``core.call_hook(name,
        **kwargs)``, which is tenant-scoped. Synchronous. Returns a list of classes.
        """

    @hookspec
    def on_plugin_enabled(self, plugin: str) -> Awaitable[None] | None:
        """Run when ``plugin`` is enabled for the current tenant (seed the tenant's data).

        Tenant-scoped (the plugin being enabled is already in the tenant's set). Return nothing.
        """


HOOK_NAMES: tuple[str, ...] = tuple(
    name for name in vars(CoreHookSpecs) if not name.startswith("_")
)


def hook_signature(name: str) -> Any:
    return getattr(CoreHookSpecs, name)
