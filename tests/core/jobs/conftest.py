"""Fixtures of the job tests: the probe plugin, child processes, polling."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import jobs_probe
import pytest
from jobs_support import Child, Spawn, WaitUntil
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from core.testing import TestDatabases

HERE = Path(__file__).parent
ROOT = HERE.parents[2]


@pytest.fixture
def probe(register_plugin: Callable[[object], str]) -> ModuleType:
    """The probe plugin's handlers (``probe.*``), registered for this test."""
    register_plugin(jobs_probe)
    jobs_probe.STATE["healthy"] = True
    jobs_probe.CALLS.clear()
    return jobs_probe


@pytest.fixture
async def pg(test_databases: TestDatabases, pg_urls: tuple[str, str]) -> AsyncIterator[str]:
    """An empty PostgreSQL database as the non-owner app role (RLS applies); yields its URL.

    Like ``pg_db``, plus two things it lacks today: tortoise's executor cache keeps SQL per
    connection name, not per dialect, so it is cleared when the database kind changes; and
    the app role may not TRUNCATE, so the owner does.
    """
    admin_url, app_url = pg_urls
    EXECUTOR_CACHE.clear()
    url = await test_databases.use(app_url, admin_url=admin_url)
    yield url
    tables = [m._meta.db_table for app in Tortoise.apps.values() for m in app.values()]
    owner = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
    try:
        await owner.execute(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
    finally:
        await owner.close()
    EXECUTOR_CACHE.clear()


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> str:
    """The test runs on SQLite (``db``) and on PostgreSQL (``pg``); yields the URL a child
    process connects with."""
    url: str = request.getfixturevalue("db" if request.param == "sqlite" else "pg")
    return url


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    """Start ``jobs_probe.py ARGS`` with CONGVAN_* settings for ``database_url``/``broker_url``."""
    children: list[Child] = []

    def start(*args: str, database_url: str, broker_url: str = "inprocess://") -> Child:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")}
        env.update(
            PYTHONPATH=str(ROOT),
            CONGVAN_DATABASE_URL=database_url,
            CONGVAN_BROKER_URL=broker_url,
            CONGVAN_VAR_DIR=str(tmp_path / "var"),
            CONGVAN_DISPATCH_INTERVAL="0.1",
            CONGVAN_JOB_WORKERS="2",
        )
        log = tmp_path / f"child-{len(children)}.log"
        stderr = log.open("w")
        process = subprocess.Popen(
            [sys.executable, str(HERE / "jobs_probe.py"), *args],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        child = Child(process, log, stderr)
        children.append(child)
        return child

    yield start
    for child in children:
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait(10)
        child._stderr.close()
        if child.process.stdout is not None:
            child.process.stdout.close()


async def _wait_until(
    check: Callable[[], Awaitable[Any]],
    *,
    within: float = 30.0,
    what: str | Callable[[], str] = "condition",
) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"timed out after {within}s waiting for {described}")
        await asyncio.sleep(0.05)


@pytest.fixture
def wait_until() -> WaitUntil:
    """``await wait_until(check, within=…, what=…)``: poll an async check until it is truthy."""
    return _wait_until


# Jobs run only for plugins the tenant has enabled: these tenants enable the test plugin
# ``probe`` (registered by the ``probe`` fixture and in the worker subprocesses) too.
@pytest.fixture
async def tenant(current_db: str) -> Any:
    from core.testing import make_tenant

    return await make_tenant("alpha", "Tỉnh Alpha", plugins=("example", "probe"))


@pytest.fixture
async def other_tenant(current_db: str) -> Any:
    from core.testing import make_tenant

    return await make_tenant("beta", "Bộ Beta", plugins=("example", "probe"))
