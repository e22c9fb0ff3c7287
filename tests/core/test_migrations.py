"""One set of migrations builds the models' schema from zero on SQLite and on PostgreSQL.

Each test migrates an empty database, compares every table's columns with the model's database
fields, checks that a second run applies nothing, and the autodetector finds no model change
without a migration (``congvan makemigrations`` would write nothing).
"""

from __future__ import annotations

import importlib
import re
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from core.db.config import ModelApp, tortoise_config
from core.db.connection import close_db, run_migrations
from core.plugins.apps import model_apps
from core.plugins.manager import PluginHost
from core.testing import (
    APP_ROLE,
    PG_ADMIN_URL,
    TestDatabases,
    create_pg_database,
    require_service,
    worker_id,
)

MIGRATION_TABLE = "tortoise_migrations"
MIGRATION_FILE = re.compile(r"^(\d{4}_\w+)\.py$")


@pytest.fixture
def apps(congvan_host: PluginHost) -> list[ModelApp]:
    return model_apps(congvan_host)


@pytest.fixture
async def own_tortoise(test_databases: TestDatabases) -> AsyncIterator[None]:
    """These tests re-initialise tortoise; hand the shared test database back afterwards."""
    await close_db()
    test_databases.current = None
    yield
    await close_db()
    test_databases.current = None


def _migration_names(apps: list[ModelApp]) -> set[str]:
    names = set()
    for app in apps:
        if app.migrations is None:
            continue
        package = importlib.import_module(app.migrations)
        for folder in package.__path__:
            for path in Path(folder).iterdir():
                match = MIGRATION_FILE.match(path.name)
                if match:
                    names.add(f"{app.label}.{match.group(1)}")
    return names


async def _model_schema(apps: list[ModelApp]) -> dict[str, set[str] | None]:
    """Table → its columns per the models (``None`` for many-to-many tables: existence only)."""
    config = tortoise_config("sqlite://:memory:", apps, rls=False)
    await Tortoise.init(config=config)
    try:
        schema: dict[str, set[str] | None] = {}
        for models in Tortoise.apps.values():
            for model in models.values():
                meta = model._meta
                schema[meta.db_table] = set(meta.fields_db_projection.values())
                for name in meta.m2m_fields:
                    schema[meta.fields_map[name].through] = None
        return schema
    finally:
        await Tortoise.close_connections()


def _compare(expected: dict[str, set[str] | None], actual: dict[str, set[str]]) -> list[str]:
    problems = []
    for table in sorted(set(expected) - set(actual)):
        problems.append(f"table {table} is missing")
    for table in sorted(set(actual) - set(expected) - {MIGRATION_TABLE}):
        problems.append(f"table {table} exists but no model declares it")
    for table, columns in sorted(expected.items()):
        if columns is None or table not in actual:
            continue
        if missing := sorted(columns - actual[table]):
            problems.append(f"{table}: columns missing from the database: {', '.join(missing)}")
        if extra := sorted(actual[table] - columns):
            problems.append(f"{table}: columns not in the model: {', '.join(extra)}")
    return problems


async def test_models_have_no_pending_migrations(apps: list[ModelApp], own_tortoise: None) -> None:
    config = tortoise_config("sqlite://:memory:", apps, rls=False)
    await Tortoise.init(config=config)
    try:
        writers = await MigrationAutodetector(Tortoise.apps, config["apps"]).changes()
        pending = {w.app_label: [op.describe() for op in w.operations] for w in writers}
    finally:
        await Tortoise.close_connections()
    assert not pending, f"models changed without a migration (run makemigrations): {pending}"


def _sqlite_columns(path: Path) -> dict[str, set[str]]:
    with sqlite3.connect(path) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            table: {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}
            for table in tables
        }


async def test_sqlite_migrates_from_zero_to_the_models(
    apps: list[ModelApp], own_tortoise: None, tmp_path: Path
) -> None:
    path = tmp_path / "fresh.sqlite3"
    url = f"sqlite://{path}"

    applied = await run_migrations(url, apps)
    assert set(applied) == _migration_names(apps)
    assert await run_migrations(url, apps) == [], "a second migrate must apply nothing"

    expected = await _model_schema(apps)
    assert _compare(expected, _sqlite_columns(path)) == []


async def _postgres_columns(url: str) -> dict[str, set[str]]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
    finally:
        await connection.close()
    columns: dict[str, set[str]] = {}
    for row in rows:
        columns.setdefault(row["table_name"], set()).add(row["column_name"])
    return columns


async def _app_role_privileges(url: str, tables: list[str]) -> dict[str, bool]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        return {
            table: await connection.fetchval(
                "SELECT has_table_privilege($1, $2, 'SELECT,INSERT,UPDATE,DELETE')",
                APP_ROLE,
                f'public."{table}"',
            )
            for table in tables
        }
    finally:
        await connection.close()


def _drop_pg_database(name: str) -> None:
    admin = PG_ADMIN_URL.replace("postgres://", "postgresql://", 1)
    subprocess.run(
        ["psql", admin, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
        check=False,
        capture_output=True,
    )


async def test_postgres_migrates_from_zero_to_the_models(
    apps: list[ModelApp], own_tortoise: None
) -> None:
    require_service(PG_ADMIN_URL, 5432, "PostgreSQL")
    name = f"congvan_migrations_{worker_id()}"
    owner_url, app_url = create_pg_database(name)
    try:
        applied = await run_migrations(owner_url, apps, app_role=APP_ROLE)
        assert set(applied) == _migration_names(apps)
        assert await run_migrations(owner_url, apps, app_role=APP_ROLE) == []

        expected = await _model_schema(apps)
        actual = await _postgres_columns(owner_url)
        assert _compare(expected, actual) == []

        privileges = await _app_role_privileges(owner_url, sorted(expected))
        denied = [table for table, granted in privileges.items() if not granted]
        assert not denied, f"{APP_ROLE} lacks SELECT/INSERT/UPDATE/DELETE on: {denied}"
        assert urlsplit(app_url).username == APP_ROLE
    finally:
        _drop_pg_database(name)


def test_compare_reports_each_kind_of_drift() -> None:
    expected: dict[str, set[str] | None] = {"a": {"id", "x"}, "b": {"id"}, "m2m": None}
    actual = {"a": {"id", "y"}, "c": {"id"}, "m2m": {"a_id"}, MIGRATION_TABLE: {"id"}}
    assert _compare(expected, actual) == [
        "table b is missing",
        "table c exists but no model declares it",
        "a: columns missing from the database: x",
        "a: columns not in the model: y",
    ]
