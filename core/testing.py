"""pytest plugin with the shared fixtures of Congvan's tests (loaded through ``pytest11``).

Databases: one SQLite file per xdist worker (``db``), and one PostgreSQL database per worker
(``pg_db``) reached as a non-owner application role so that row-level security applies. Both are
migrated once per session; rows are deleted after each test. Tortoise holds one configuration at
a time, so a test asking for the other kind re-initialises it (cheap).

Tenants: ``tenant`` and ``other_tenant`` (with the example plugin enabled), ``tenant_context``
(runs the test as ``tenant``), ``register_plugin`` (adds a plugin object for one test).
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from core.context import TenantInfo, platform_scope
from core.context import tenant_context as _tenant_context
from core.db.config import ModelApp
from core.plugins.apps import model_apps
from core.plugins.manager import PluginHost, build_host, set_host

# The HTTP fixtures (app, api, other_api, anon, account, client, …) for plugin and core tests.
pytest_plugins = ["core.testing_web"]

PG_ADMIN_URL = os.environ.get(
    "CONGVAN_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("CONGVAN_TEST_REDIS_URL", "redis://127.0.0.1:6379")
APP_ROLE = "congvan_app"


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw0")


def port_open(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require_service(url: str, port: int, what: str) -> None:
    """Skip when a service is absent — except in CI, where a missing service is a failure."""
    if port_open(url, port):
        return
    message = f"{what} is not reachable at {url} (start it, or set the CONGVAN_TEST_* URL)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TestDatabases:
    """Keeps tortoise initialised on whichever test database the current test asks for."""

    __test__ = False

    def __init__(self, host: PluginHost, tmp: Path) -> None:
        self.host = host
        self.apps: list[ModelApp] = model_apps(host)
        self.tmp = tmp
        self.current: str | None = None
        self.migrated: set[str] = set()
        self.sqlite_url = f"sqlite://{tmp / f'test_{worker_id()}.sqlite3'}"

    async def use(self, url: str, *, admin_url: str | None = None) -> str:
        from core.db.connection import close_db, init_db, run_migrations

        if url not in self.migrated:
            if self.current is not None:
                await close_db()
                self.current = None
            await run_migrations(
                admin_url or url, self.apps, app_role=APP_ROLE if admin_url else None
            )
            if admin_url:
                # Tests empty tables between cases; production never grants TRUNCATE.
                psql(admin_url, f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
            self.migrated.add(url)
        if self.current != url:
            if self.current is not None:
                await close_db()
            # tortoise caches compiled SQL per connection name; both databases are "default".
            from tortoise.backends.base.executor import EXECUTOR_CACHE

            EXECUTOR_CACHE.clear()
            await init_db(url, self.apps, pool_size=5)
            self.current = url
        return url

    async def truncate(self) -> None:
        from tortoise import Tortoise

        from core.db.connection import db, is_postgres

        tables = [m._meta.db_table for app in Tortoise.apps.values() for m in app.values()]
        with platform_scope():
            if is_postgres():
                await db().execute_script(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"
                )
            else:
                await db().execute_script(
                    "PRAGMA foreign_keys = OFF;"
                    + "".join(f'DELETE FROM "{table}";' for table in tables)
                    + "PRAGMA foreign_keys = ON;"
                )


def create_pg_database(name: str) -> tuple[str, str]:
    """Drop and create ``name`` with psql; returns (owner URL, application-role URL)."""
    parts = urlsplit(PG_ADMIN_URL)
    base = f"{parts.scheme}://{parts.netloc}"
    env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}

    def psql(sql: str) -> None:
        subprocess.run(
            [
                "psql",
                PG_ADMIN_URL.replace("postgres://", "postgresql://", 1),
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            check=True,
            env=env,
            capture_output=True,
        )

    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    psql(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "') "
        f"THEN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; END IF; END $$"
    )
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 5432
    return f"{base}/{name}", f"postgres://{APP_ROLE}@{host}:{port}/{name}"


def psql(url: str, sql: str) -> None:
    subprocess.run(
        [
            "psql",
            url.replace("postgres://", "postgresql://", 1),
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
        check=True,
        capture_output=True,
    )


def drop_pg_database(name: str) -> None:
    subprocess.run(
        [
            "psql",
            PG_ADMIN_URL.replace("postgres://", "postgresql://", 1),
            "-q",
            "-c",
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        ],
        check=False,
        capture_output=True,
    )


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def congvan_host() -> PluginHost:
    """The plugin host of the test session (built-in plugins, no third-party entry points)."""
    return set_host(build_host(entry_points_too=False))


@pytest.fixture(scope="session")
async def test_databases(
    congvan_host: PluginHost, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[TestDatabases]:
    yield TestDatabases(congvan_host, tmp_path_factory.mktemp("db"))
    from core.db.connection import close_db

    # An open aiosqlite connection keeps a thread alive and the interpreter from exiting.
    await close_db()


@pytest.fixture(scope="session")
def pg_urls(test_databases: TestDatabases) -> Iterator[tuple[str, str]]:
    """(owner URL, app-role URL) of this worker's PostgreSQL test database.

    The name carries the process id, so concurrent test sessions on one machine never share
    (or drop) each other's database.
    """
    require_service(PG_ADMIN_URL, 5432, "PostgreSQL")
    name = f"congvan_test_{worker_id()}_{os.getpid()}"
    urls = create_pg_database(name)
    yield urls
    drop_pg_database(name)


@pytest.fixture
async def db(test_databases: TestDatabases) -> AsyncIterator[str]:
    """An empty, migrated SQLite database for this test."""
    url = await test_databases.use(test_databases.sqlite_url)
    yield url
    await test_databases.truncate()


@pytest.fixture
async def pg_db(test_databases: TestDatabases, pg_urls: tuple[str, str]) -> AsyncIterator[str]:
    """An empty, migrated PostgreSQL database, connected as the non-owner app role."""
    admin_url, app_url = pg_urls
    url = await test_databases.use(app_url, admin_url=admin_url)
    yield url
    await test_databases.truncate()


@pytest.fixture(params=["sqlite", "postgres"])
async def any_db(
    request: pytest.FixtureRequest, test_databases: TestDatabases
) -> AsyncIterator[str]:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = await test_databases.use(test_databases.sqlite_url)
    else:
        admin_url, app_url = request.getfixturevalue("pg_urls")
        url = await test_databases.use(app_url, admin_url=admin_url)
    yield url
    await test_databases.truncate()


async def make_tenant(slug: str, name: str, plugins: tuple[str, ...] = ("example",)) -> TenantInfo:
    """Create a tenant row with ``plugins`` enabled and return its snapshot."""
    from core.tenancy.models import Tenant, TenantPlugin
    from core.tenancy.registry import load_tenant_info

    with platform_scope():
        tenant = await Tenant.create(slug=slug, name=name)
        for plugin in plugins:
            await TenantPlugin.create(tenant=tenant, plugin=plugin, enabled=True, settings={})
        return await load_tenant_info(tenant)


@pytest.fixture
def current_db(request: pytest.FixtureRequest) -> str:
    """The database the test asked for (``pg_db`` or ``any_db``), SQLite otherwise."""
    for name in ("any_db", "pg_db"):
        if name in request.fixturenames:
            return str(request.getfixturevalue(name))
    return str(request.getfixturevalue("db"))


@pytest.fixture
async def tenant(current_db: str) -> TenantInfo:
    return await make_tenant("alpha", "Tỉnh Alpha")


@pytest.fixture
async def other_tenant(current_db: str) -> TenantInfo:
    return await make_tenant("beta", "Bộ Beta")


@pytest.fixture
def tenant_context(tenant: TenantInfo) -> Iterator[TenantInfo]:
    """Run the test as ``tenant``."""
    with _tenant_context(tenant):
        yield tenant


@pytest.fixture
def register_plugin(congvan_host: PluginHost) -> Iterator[Callable[[object], str]]:
    """Register a plugin object for one test; it is unregistered afterwards."""
    names: list[str] = []

    def register(plugin: object) -> str:
        name = congvan_host.register(plugin)
        names.append(name)
        return name

    yield register
    for name in names:
        congvan_host.pm.unregister(name=name)
        congvan_host._info.pop(name, None)
        congvan_host._relays.clear()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database of its own for this worker (flushed at start)."""
    require_service(REDIS_URL, 6379, "Redis")
    import redis

    # A database index per process: concurrent sessions rarely collide, and nothing is
    # flushed that another session may be using; tests namespace their keys as well.
    index = (os.getpid() % 15) + 1
    url = f"{REDIS_URL.rstrip('/')}/{index}"
    redis.Redis.from_url(url).ping()
    return url


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "postgres: needs PostgreSQL")
