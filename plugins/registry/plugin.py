"""Hook implementations of the registry plugin; each delegates to a module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core import Action, Actor, Event, JobHandler, MenuItem, PluginInfo, hookimpl
from plugins.registry import actions, menu, routes


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        name="registry",
        version="0.1.0",
        title="Sổ văn bản / Document registry",
        description="Document types and other reference data, registries and their numbering.",
    )


@hookimpl
def register_models() -> list[str]:
    return [
        "plugins.registry.models",
        "plugins.registry.models_documents",
        "plugins.registry.models_assignments",
        "plugins.registry.models_flow",
        "plugins.registry.models_outgoing",
        "plugins.registry.models_records",
        "plugins.registry.models_search",
    ]


@hookimpl
def register_migrations() -> list[str]:
    return ["plugins.registry.migrations"]


@hookimpl
def register_actions() -> list[Action]:
    return actions.ACTIONS


@hookimpl
def register_routes() -> list[Any]:
    return routes.routes


@hookimpl
def register_menu_items(actor: Actor) -> list[MenuItem]:
    return list(menu.ITEMS)


@hookimpl
def register_template_dirs() -> list[Path]:
    return [menu.TEMPLATES]


@hookimpl
def register_hookspecs() -> list[type]:
    from plugins.registry.hookspecs import RegistryHookSpecs

    return [RegistryHookSpecs]


@hookimpl
async def on_plugin_enabled(plugin: str) -> None:
    if plugin == "registry":
        from plugins.registry.services.reference import seed_reference_data

        await seed_reference_data()


@hookimpl
def register_commands(cli: Any) -> None:
    from plugins.registry.cli import add_commands

    add_commands(cli)


@hookimpl
def register_job_handlers() -> list[JobHandler]:
    from plugins.registry.services.extraction import JOB_HANDLERS
    from plugins.registry.services.outgoing_issue_dispatch import HANDLERS as DISPATCH

    return [*JOB_HANDLERS, *DISPATCH]


@hookimpl
async def on_event(event: Event) -> None:
    # The events that store a document's files (extraction.FILE_EVENTS) queue the extraction
    # of their text; every other event returns at once, without a query.
    from plugins.registry.services.extraction import on_registry_event

    await on_registry_event(event)
