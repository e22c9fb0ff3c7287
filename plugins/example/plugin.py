"""Hook implementations of the example plugin; each delegates to a module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core import Action, Actor, JobHandler, MenuItem, PluginInfo, enqueue, hookimpl
from plugins.example import actions, jobs, routes
from plugins.example.events import NoteCreated
from plugins.example.settings import ExampleSettings

HERE = Path(__file__).parent
lifecycle: list[str] = []


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        name="example",
        version="0.1.0",
        title="Ghi chú mẫu / Example notes",
        description="A tiny plugin that exercises every hook family.",
        settings_model=ExampleSettings,
    )


@hookimpl
def register_hookspecs() -> list[type]:
    from plugins.example.hookspecs import ExampleHookSpecs

    return [ExampleHookSpecs]


@hookimpl
def example_note_badge(title: str) -> str | None:
    """The example answers its own published hook: notes titled in capitals are "!"."""
    return "!" if title.isupper() else None


@hookimpl
def register_models() -> list[str]:
    return ["plugins.example.models"]


@hookimpl
def register_migrations() -> list[str]:
    return ["plugins.example.migrations"]


@hookimpl
def register_actions() -> list[Action]:
    return actions.ACTIONS


@hookimpl
def register_routes() -> list[Any]:
    return routes.routes


@hookimpl
def register_menu_items(actor: Actor) -> list[MenuItem]:
    return [MenuItem("example.notes", "Ghi chú", "/example/", permission=actions.VIEW, order=90)]


@hookimpl
def register_template_dirs() -> list[Path]:
    return [HERE / "templates"]


@hookimpl
def register_static_dirs() -> list[Path]:
    return [HERE / "static"]


@hookimpl
def register_job_handlers() -> list[JobHandler]:
    return jobs.HANDLERS


@hookimpl
def register_commands(cli: Any) -> None:
    from plugins.example.cli import add_commands

    add_commands(cli)


@hookimpl
async def on_event(event: object) -> None:
    if isinstance(event, NoteCreated):
        await enqueue("example.count_note", {"note_id": event.note_id})


@hookimpl
def startup(app: Any) -> None:
    lifecycle.append("startup")


@hookimpl
def shutdown(app: Any) -> None:
    lifecycle.append("shutdown")


@hookimpl
async def on_plugin_enabled(plugin: str) -> None:
    if plugin == "example":
        from plugins.example.models import Note

        await Note.get_or_create(title="Chào mừng", defaults={"body": "Phân hệ mẫu đã bật."})
