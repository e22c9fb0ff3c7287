"""Build the tortoise configuration from the settings and the installed plugins' apps."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tortoise.backends.base.config_generator import expand_db_url

CORE_MODEL_MODULES = (
    "core.tenancy.models",
    "core.platform.models",
    "core.units.models",
    "core.users.models",
    "core.authz.models",
    "core.audit.models",
    "core.jobs.models",
    "core.notify_models",
    "core.web.form_models",
)
CORE_MIGRATIONS = "migrations.core"


@dataclass(frozen=True)
class ModelApp:
    """A tortoise app: the core, or one plugin's models and migrations."""

    label: str
    modules: tuple[str, ...]
    migrations: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


CORE_APP = ModelApp("core", CORE_MODEL_MODULES, CORE_MIGRATIONS)


def normalise_url(url: str) -> str:
    """``postgresql://`` is what most tools print; tortoise wants ``postgres://``."""
    parts = urlsplit(url)
    if parts.scheme == "postgresql":
        return urlunsplit(("postgres", *parts[1:]))
    return url


def is_postgres_url(url: str) -> bool:
    return urlsplit(url).scheme in ("postgres", "postgresql", "asyncpg")


def connection_config(url: str, *, pool_size: int = 10, rls: bool = True) -> dict[str, Any]:
    """One tortoise connection; on PostgreSQL with the RLS setup run on every pool acquire."""
    config = expand_db_url(normalise_url(url))
    if is_postgres_url(url):
        credentials = config["credentials"]
        credentials["minsize"] = 1
        credentials["maxsize"] = pool_size
        if rls:
            from core.db.rls import apply_tenant_setting

            credentials["setup"] = apply_tenant_setting
    return config


def tortoise_config(
    url: str, apps: list[ModelApp], *, pool_size: int = 10, rls: bool = True
) -> dict[str, Any]:
    return {
        "connections": {"default": connection_config(url, pool_size=pool_size, rls=rls)},
        "apps": {
            app.label: {
                "models": list(app.modules),
                "default_connection": "default",
                **({"migrations": app.migrations} if app.migrations else {}),
                **app.extra,
            }
            for app in apps
        },
        "use_tz": True,
        "timezone": "UTC",
    }
