"""Hook implementations of the registry plugin; each delegates to a module."""

from __future__ import annotations

from typing import Any

from core import Action, PluginInfo, hookimpl
from plugins.registry import actions, routes


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
async def on_plugin_enabled(plugin: str) -> None:
    if plugin == "registry":
        from plugins.registry.services.reference import seed_reference_data

        await seed_reference_data()
