"""The tortoise apps of a process: the core app plus one per plugin that has models."""

from __future__ import annotations

from core.db.config import CORE_APP, ModelApp
from core.plugins.manager import PluginHost


def model_apps(host: PluginHost) -> list[ModelApp]:
    models = host.call_each("register_models")
    migrations = host.call_each("register_migrations")
    apps = [CORE_APP]
    for name, modules in models.items():
        if not modules:
            continue
        migration_modules = migrations.get(name) or [None]
        apps.append(ModelApp(name, tuple(modules), migration_modules[0]))
    return apps
