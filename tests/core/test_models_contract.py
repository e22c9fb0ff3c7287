"""Every model of every tortoise app keeps the isolation contract.

Each model is declared tenant-scoped (``TenantModel``) or platform-wide (``PlatformModel``);
tenant-scoped ones filter through a ``TenantManager``, include ``tenant_id`` in every unique
constraint (lock 1, and the Citus distribution column later) and, on PostgreSQL, have forced
row-level security with a policy (lock 2). Platform tables have no RLS.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
from tortoise import Tortoise, fields
from tortoise.migrations.constraints import UniqueConstraint
from tortoise.models import Model

from core.db.base import PlatformModel, TenantManager, TenantModel
from core.plugins.apps import model_apps
from core.plugins.manager import build_host
from core.testing import TestDatabases


def _collect_models() -> dict[str, type[Model]]:
    """``app.Model`` → class, for every concrete model in the modules of every app."""
    found: dict[str, type[Model]] = {}
    for app in model_apps(build_host(entry_points_too=False)):
        for dotted in app.modules:
            module = importlib.import_module(dotted)
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, Model)
                    and value.__module__ == module.__name__
                    and not value._meta.abstract
                ):
                    found[f"{app.label}.{name}"] = value
    return found


MODELS = _collect_models()
TENANT_MODELS = {k: m for k, m in MODELS.items() if issubclass(m, TenantModel)}
PLATFORM_MODELS = {k: m for k, m in MODELS.items() if issubclass(m, PlatformModel)}


def scope_problems(model: type[Model]) -> list[str]:
    bases = [b.__name__ for b in (TenantModel, PlatformModel) if issubclass(model, b)]
    if len(bases) != 1:
        return [
            f"{model.__name__} derives from {bases or 'neither'}; exactly one of "
            "TenantModel / PlatformModel is required"
        ]
    return []


def unique_problems(model: type[Model]) -> list[str]:
    """Unique constraints of a tenant-scoped model that do not include ``tenant_id``."""
    meta = model._meta
    problems = [
        f"{model.__name__}.{name} is unique=True; use unique_together=(('tenant_id', '{name}'),)"
        for name, field in meta.fields_map.items()
        if field.unique and not field.pk and name != "tenant_id"
    ]
    groups: list[tuple[str, ...]] = list(meta.unique_together)
    groups += [tuple(c.fields) for c in meta.constraints if isinstance(c, UniqueConstraint)]
    problems += [
        f"{model.__name__}: unique constraint {group} does not include tenant_id"
        for group in groups
        if "tenant_id" not in group
    ]
    return problems


def test_models_were_found() -> None:
    assert TENANT_MODELS, "no tenant-scoped model found"
    assert PLATFORM_MODELS, "no platform model found"
    assert "core.Tenant" in PLATFORM_MODELS
    assert "example.Note" in TENANT_MODELS


async def test_collected_models_are_exactly_tortoises_apps(db: str) -> None:
    registered = {f"{label}.{name}" for label, models in Tortoise.apps.items() for name in models}
    assert registered == set(MODELS)


@pytest.mark.parametrize("key", sorted(MODELS))
def test_model_is_declared_tenant_scoped_or_platform_wide(key: str) -> None:
    assert scope_problems(MODELS[key]) == []


@pytest.mark.parametrize("key", sorted(TENANT_MODELS))
def test_tenant_model_unique_constraints_include_tenant_id(key: str) -> None:
    assert unique_problems(TENANT_MODELS[key]) == []


@pytest.mark.parametrize("key", sorted(TENANT_MODELS))
def test_tenant_model_default_manager_filters_by_tenant(key: str) -> None:
    model = TENANT_MODELS[key]
    assert isinstance(model._meta.manager, TenantManager), (
        f"{key}: _meta.manager is {type(model._meta.manager).__name__}, not TenantManager"
    )
    assert "tenant_id" in model._meta.fields_map


@pytest.mark.parametrize("key", sorted(PLATFORM_MODELS))
def test_platform_model_is_not_tenant_filtered(key: str) -> None:
    assert not isinstance(PLATFORM_MODELS[key]._meta.manager, TenantManager)


def test_checkers_flag_a_model_that_breaks_the_contract() -> None:
    class Leaky(TenantModel):
        id = fields.IntField(primary_key=True)
        code = fields.CharField(max_length=10, unique=True)
        name = fields.CharField(max_length=10)

        class Meta:
            app = "contract_selftest"
            table = "contract_selftest_leaky"
            unique_together = (("name",), ("tenant_id", "code"))

    class Both(TenantModel, PlatformModel):
        id = fields.IntField(primary_key=True)

        class Meta:
            app = "contract_selftest"
            table = "contract_selftest_both"

    problems = unique_problems(Leaky)
    assert any("Leaky.code is unique=True" in p for p in problems)
    assert any("('name',) does not include tenant_id" in p for p in problems)
    assert len(problems) == 2
    assert scope_problems(Both)
    assert scope_problems(Leaky) == []


@pytest.fixture
async def pg_schema(test_databases: TestDatabases, pg_urls: tuple[str, str]) -> str:
    """The migrated PostgreSQL test database as the app role; read-only, so no truncation."""
    admin_url, app_url = pg_urls
    return await test_databases.use(app_url, admin_url=admin_url)


async def test_row_level_security_on_every_tenant_table_and_only_there(pg_schema: str) -> None:
    from core.db.connection import db

    rows = await db().execute_query_dict(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "(SELECT count(*) FROM pg_policies p WHERE p.schemaname = 'public' "
        " AND p.tablename = c.relname) AS policies "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r'"
    )
    by_table = {row["relname"]: row for row in rows}
    problems = []
    for key, model in sorted(TENANT_MODELS.items()):
        table = model._meta.db_table
        row = by_table.get(table)
        if row is None:
            problems.append(f"{key}: table {table} does not exist")
            continue
        if not (row["relrowsecurity"] and row["relforcerowsecurity"]):
            problems.append(f"{key}: {table} lacks ENABLE + FORCE ROW LEVEL SECURITY")
        if not row["policies"]:
            problems.append(f"{key}: {table} has no RLS policy")
    tenant_tables = {m._meta.db_table for m in TENANT_MODELS.values()}
    for table, row in sorted(by_table.items()):
        if table not in tenant_tables and (row["relrowsecurity"] or row["policies"]):
            problems.append(f"platform table {table} has row-level security")
    assert not problems, "\n".join(problems)
