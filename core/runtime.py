"""Start and stop what every entry point needs: settings, plugins, database, tenant registry.

The web app's lifespan, the CLI and the worker all call :func:`start_runtime` and
:func:`stop_runtime`, so a wrong or unreachable setting fails the same way everywhere: a
:class:`~core.errors.ConfigurationError` whose one line names the setting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from core.db.config import ModelApp, is_postgres_url
from core.db.connection import check_rls_role, close_db, init_db, run_migrations
from core.plugins.apps import model_apps
from core.plugins.manager import PluginHost, build_host, set_host
from core.settings import Settings, get_settings
from core.tenancy.registry import TenantRegistry, set_registry

log = logging.getLogger("congvan")


@dataclass
class Runtime:
    settings: Settings
    host: PluginHost
    apps: list[ModelApp]
    registry: TenantRegistry
    bus: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


def prepare_host(host: PluginHost | None = None) -> PluginHost:
    return set_host(host or build_host())


def _ensure_var_dir(settings: Settings) -> None:
    if not is_postgres_url(settings.resolved_database_url) or not settings.storage_url:
        settings.var_dir.mkdir(parents=True, exist_ok=True)


async def migrate(settings: Settings | None = None, host: PluginHost | None = None) -> list[str]:
    """Apply pending migrations with the owner connection; grant the app role on PostgreSQL."""
    settings = settings or get_settings()
    host = prepare_host(host)
    _ensure_var_dir(settings)
    app_role = None
    if settings.database_admin_url and is_postgres_url(settings.resolved_database_url):
        app_role = urlsplit(settings.resolved_database_url).username
    setting = (
        "CONGVAN_DATABASE_ADMIN_URL" if settings.database_admin_url else "CONGVAN_DATABASE_URL"
    )
    from core.errors import ConfigurationError

    try:
        return await run_migrations(
            settings.resolved_admin_database_url, model_apps(host), app_role=app_role
        )
    except ConfigurationError:
        raise
    except OSError as exc:
        raise ConfigurationError(f"{setting}: cannot connect ({exc})") from exc


async def start_runtime(
    settings: Settings | None = None,
    *,
    host: PluginHost | None = None,
    with_bus: bool = True,
) -> Runtime:
    """Open the database, load tenants and start listening for changes from other processes."""
    settings = settings or get_settings()
    host = prepare_host(host)
    apps = model_apps(host)
    _ensure_var_dir(settings)
    await init_db(settings.resolved_database_url, apps, pool_size=settings.database_pool_size)
    try:
        await check_rls_role(settings.allow_rls_bypass)
        registry = set_registry(TenantRegistry(settings.base_domain))
        runtime = Runtime(settings, host, apps, registry)
        if with_bus:
            # Listen first, then load: a change committed in between is either in the load or
            # in a message, never lost.
            runtime.bus = await _start_bus(settings, registry)
        await registry.reload()
    except BaseException as exc:
        await close_db()
        if _missing_table(exc):
            from core.errors import ConfigurationError

            raise ConfigurationError(
                "CONGVAN_DATABASE_URL: the database is not migrated (a Congvan table is missing); "
                "run 'congvan migrate' first"
            ) from exc
        raise
    return runtime


def _missing_table(exc: BaseException) -> bool:
    text = str(exc)
    return "no such table" in text or ("relation" in text and "does not exist" in text)


async def _start_bus(settings: Settings, registry: TenantRegistry) -> Any:
    from core.authz.enforcer import enforcer_cache
    from core.notify import ChangeBus, change_bus_from_settings, set_change_bus

    bus: ChangeBus = change_bus_from_settings(settings)
    set_change_bus(bus)
    enforcer_cache().attach(bus)  # subscribe before start(): nothing to resync later

    async def tenant_changed(payload: str) -> None:
        await registry.reload_tenant(int(payload))

    bus.subscribe("tenant", tenant_changed)
    # A notification lost while the bus reconnects must not leave a stale snapshot behind.
    bus.on_resync(registry.reload)
    await bus.start()
    return bus


async def stop_runtime(runtime: Runtime) -> None:
    if runtime.bus is not None:
        await runtime.bus.close()
    await close_db()


async def preflight(settings: Settings | None = None, host: PluginHost | None = None) -> None:
    """Check every configured service before a server or worker starts.

    Raises :class:`~core.errors.ConfigurationError` naming the first setting that is wrong or
    whose service cannot be reached: database (and its role), change bus, storage, broker.
    """
    from core.errors import ConfigurationError, CongvanError
    from core.storage.factory import store_from_settings

    settings = settings or get_settings()
    runtime = await start_runtime(settings, host=host)
    try:
        store = store_from_settings(settings)
        try:
            await store.check()
        except ConfigurationError:
            raise
        except CongvanError as exc:
            raise ConfigurationError(f"CONGVAN_STORAGE_URL: {exc.detail}") from exc
        finally:
            await store.close()
        if not settings.embedded_jobs:
            await _ping_broker(settings.broker_url)
    finally:
        await stop_runtime(runtime)


async def _ping_broker(url: str) -> None:
    import redis.asyncio as redis

    from core.errors import ConfigurationError

    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    try:
        await client.ping()
    except Exception as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigurationError(f"CONGVAN_BROKER_URL: cannot connect ({reason})") from exc
    finally:
        await client.aclose()
