"""Open and close the database, run migrations, and open transactions that carry the tenant."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from core.db.config import ModelApp, is_postgres_url, tortoise_config
from core.db.rls import LOCAL_SET_SQL, current_settings
from core.errors import ConfigurationError


async def init_db(
    url: str, apps: list[ModelApp], *, pool_size: int = 10, setting: str = "CONGVAN_DATABASE_URL"
) -> None:
    """Initialise tortoise for this process (global fallback: uvicorn and workers need it)."""
    config = tortoise_config(url, apps, pool_size=pool_size)
    try:
        await Tortoise.init(config=config, _enable_global_fallback=True)
        await connections.get("default").execute_query("SELECT 1")
    except ConfigurationError:
        raise
    except Exception as exc:
        await close_db()
        raise ConfigurationError(f"{setting}: cannot connect ({_reason(exc)})") from exc


async def close_db() -> None:
    # Closing a half-open pool must not mask the error that made us close it.
    with suppress(Exception):
        await Tortoise.close_connections()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


def db() -> BaseDBAsyncClient:
    client: BaseDBAsyncClient = connections.get("default")
    return client


def is_postgres() -> bool:
    return db().capabilities.dialect == "postgres"


async def check_rls_role(allow_bypass: bool) -> None:
    """Refuse a PostgreSQL role that would silently bypass row-level security."""
    if not is_postgres():
        return
    rows = await db().execute_query_dict(
        "SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles "
        "WHERE rolname = current_user"
    )
    role = rows[0]
    if (role["rolsuper"] or role["rolbypassrls"]) and not allow_bypass:
        raise ConfigurationError(
            f"CONGVAN_DATABASE_URL: role '{role['name']}' bypasses row-level security "
            "(superuser or BYPASSRLS); connect as the application role (docs/deploy.md) "
            "or set CONGVAN_ALLOW_RLS_BYPASS=true for development"
        )


CommitCallback = Callable[[], Awaitable[None]]
_on_commit: ContextVar[list[CommitCallback] | None] = ContextVar("congvan_on_commit", default=None)
# The RLS settings (tenant id, platform flag) the innermost atomic() block applied.
_rls_settings: ContextVar[tuple[str, str] | None] = ContextVar("congvan_rls", default=None)


@asynccontextmanager
async def atomic() -> AsyncIterator[BaseDBAsyncClient]:
    """A transaction whose connection carries the current tenant for RLS.

    The pool sets the tenant on acquire; setting it again with ``set_config(…, true)`` keeps a
    transaction right even when it was opened before the context switched tenant. Nested
    blocks are savepoints. Callbacks given to :func:`on_commit` run after the outermost block
    commits; those of a block that rolls back are dropped.
    """
    parent = _on_commit.get()
    callbacks: list[CommitCallback] = []
    token = _on_commit.set(callbacks)
    outer_settings = _rls_settings.get()
    mine = current_settings()
    settings_token = _rls_settings.set(mine)
    try:
        async with in_transaction("default") as connection:
            postgres = connection.capabilities.dialect == "postgres"
            if postgres:
                await connection.execute_query(LOCAL_SET_SQL, list(mine))
            yield connection
        # A released savepoint keeps its set_config(…, true). A nested platform block must not
        # leave row-level security bypassed for the rest of the transaction: hand the platform
        # flag back. (The tenant id stays as the inner block set it: the caller switched tenant
        # to work on it, and a wrong tenant there fails closed.)
        if postgres and outer_settings is not None and outer_settings[1] != mine[1]:
            await db().execute_query(LOCAL_SET_SQL, [mine[0], outer_settings[1]])
    finally:
        _rls_settings.reset(settings_token)
        _on_commit.reset(token)
    if parent is not None:
        parent.extend(callbacks)
        return
    for callback in callbacks:
        await callback()


def in_atomic() -> bool:
    """Whether the current task runs inside an ``atomic()`` block."""
    return _on_commit.get() is not None


async def on_commit(callback: CommitCallback) -> None:
    """Run ``callback`` once the surrounding ``atomic()`` commits (now, when there is none).

    Use it for what other processes must only see after commit: change notifications,
    messages to a broker, cache invalidation.
    """
    pending = _on_commit.get()
    if pending is None:
        await callback()
    else:
        pending.append(callback)


async def run_migrations(
    url: str, apps: list[ModelApp], *, app_role: str | None = None
) -> list[str]:
    """Apply every pending migration; returns the names applied. Grants the app role on PG."""
    from tortoise.migrations.api import migrate

    applied: list[str] = []

    def progress(event: str, app_label: str, name: str) -> None:
        if event == "apply_done":
            applied.append(f"{app_label}.{name}")

    config = tortoise_config(url, apps, rls=False)
    try:
        await migrate(config=config, progress=progress)
        if app_role and is_postgres_url(url):
            await grant_app_role(app_role)
    finally:
        await close_db()
    return applied


async def grant_app_role(role: str) -> None:
    quoted = '"' + role.replace('"', '""') + '"'
    client = db()
    exists = await client.execute_query_dict("SELECT 1 FROM pg_roles WHERE rolname = $1", [role])
    if not exists:
        raise ConfigurationError(f"CONGVAN_DATABASE_URL: role {role!r} does not exist")
    for sql in (
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
    ):
        await client.execute_script(sql)


async def fetch_tenant_rows(sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    """Raw SQL for tenant-scoped tables: ``{tenant}`` in the text becomes a tenant filter.

    ``SELECT * FROM core_unit WHERE code = $2 AND {tenant}`` → ``tenant_id = $1``: the tenant id
    is always parameter 1, ``params`` are ``$2``, ``$3``… wherever they stand in the text. Raw
    SQL that skips this helper still meets RLS on PostgreSQL (not on SQLite).
    """
    from core.context import current_tenant

    if "{tenant}" not in sql:
        raise ValueError("raw tenant SQL must contain the {tenant} filter placeholder")
    values = [current_tenant().id, *(params or [])]
    query = sql.replace("{tenant}", "tenant_id = $1")
    numbers = [int(n) for n in re.findall(r"\$(\d+)", query)]
    if any(n < 1 or n > len(values) for n in numbers):
        raise ValueError(f"raw tenant SQL refers to ${max(numbers)} but has {len(values)} values")
    if is_postgres():
        return list(await db().execute_query_dict(query, values))
    # SQLite binds "?" by position, not by number: reorder the values to match the text.
    ordered = [values[n - 1] for n in numbers]
    return list(await db().execute_query_dict(re.sub(r"\$\d+", "?", query), ordered))
