"""The first and second isolation locks, through every query path the code uses."""

import pytest
from tortoise import Tortoise
from tortoise.exceptions import DoesNotExist

from core.context import platform_scope, tenant_context
from core.db.base import TenantModel
from core.db.connection import atomic, db, fetch_tenant_rows, is_postgres
from core.errors import TenantRequired
from core.units.models import Unit
from plugins.example.models import Note


def tenant_models() -> list[type[TenantModel]]:
    return [m for app in Tortoise.apps.values() for m in app.values() if issubclass(m, TenantModel)]


async def test_every_tenant_model_refuses_to_work_without_a_tenant(db):
    models = tenant_models()
    assert {
        "Unit",
        "User",
        "Position",
        "ApiToken",
        "Role",
        "CasbinRule",
        "AuditEvent",
        "AuditHead",
        "Note",
    } <= {m.__name__ for m in models}
    for model in models:
        with pytest.raises(TenantRequired):
            model.all()
        with pytest.raises(TenantRequired):
            model.filter(id=1)
        with pytest.raises(TenantRequired):
            await model(id=1).save()
        with pytest.raises(TenantRequired, match="platform_scope"):
            model.unscoped()
        with platform_scope():
            await model.all().count()


async def seed(tenant, other_tenant):
    with tenant_context(tenant):
        root = await Unit.create(code="ROOT", name="UBND A")
        child = await Unit.create(code="CHILD", name="Sở A", parent=root)
        note = await Note.create(title="shared title")
    with tenant_context(other_tenant):
        other_root = await Unit.create(code="ROOT", name="UBND B")
        await Note.create(title="shared title")
    return root, child, note, other_root


async def test_query_paths_stay_inside_the_tenant(any_db, tenant, other_tenant):
    root, child, note, other_root = await seed(tenant, other_tenant)
    with tenant_context(tenant):
        assert [u.name for u in await Unit.all().order_by("id")] == ["UBND A", "Sở A"]
        assert await Unit.filter(code="ROOT").count() == 1
        assert await Unit.get(code="ROOT") == root
        with pytest.raises(DoesNotExist):
            await Unit.get(id=other_root.id)
        assert await Unit.get_or_none(id=other_root.id) is None
        assert not await Unit.filter(id=other_root.id).exists()
        assert await Unit.filter(id__in=[root.id, other_root.id]).values_list(
            "name", flat=True
        ) == ["UBND A"]
        assert [u.name for u in await root.children.all()] == ["Sở A"]
        assert (await child.parent).name == "UBND A"  # type: ignore[union-attr]
        assert await Unit.filter(id=other_root.id).update(name="hijacked") == 0
        assert await Unit.filter(id=other_root.id).delete() == 0
        assert [u.name for u in await Unit.select_for_update().filter(code="ROOT")] == ["UBND A"]
        await Unit.bulk_create([Unit(code=f"B{n}", name=f"bulk {n}") for n in range(3)])
        assert await Unit.filter(code__startswith="B").count() == 3
        rows = await fetch_tenant_rows(
            "SELECT name FROM core_unit WHERE {tenant} AND code = $2", ["ROOT"]
        )
        assert rows == [{"name": "UBND A"}]
        await root.refresh_from_db()
        assert (await Note.get(title="shared title")).id == note.id
        with pytest.raises(TenantRequired, match="belongs to tenant"):
            other_root.name = "moved"
            await other_root.save()
    with tenant_context(other_tenant):
        assert [u.name for u in await Unit.all()] == ["UBND B"]
        assert await Unit.filter(code__startswith="B").count() == 0
        assert (await Unit.get(id=other_root.id)).name == "UBND B"
        with pytest.raises(TenantRequired):
            await root.delete()
    with platform_scope():
        assert await Unit.unscoped().count() == 6


async def test_bulk_create_refuses_rows_of_another_tenant(tenant, other_tenant):
    with tenant_context(tenant), pytest.raises(TenantRequired):
        await Unit.bulk_create([Unit(code="X", name="x", tenant_id=other_tenant.id)])


async def test_raw_sql_helper_filters_wherever_the_placeholder_stands(any_db, tenant, other_tenant):
    await seed(tenant, other_tenant)
    with tenant_context(tenant):
        for sql, params in (
            ("SELECT name FROM core_unit WHERE {tenant} AND code = $2", ["ROOT"]),
            ("SELECT name FROM core_unit WHERE code = $2 AND {tenant}", ["ROOT"]),
            (
                "SELECT name FROM core_unit WHERE name <> $3 AND code = $2 AND {tenant}",
                ["ROOT", "nobody"],
            ),
        ):
            rows = await fetch_tenant_rows(sql, params)
            assert rows == [{"name": "UBND A"}], sql
        with pytest.raises(ValueError, match=r"refers to \$4"):
            await fetch_tenant_rows("SELECT * FROM core_unit WHERE {tenant} AND id = $4", [1])


async def test_raw_sql_helper_requires_its_tenant_filter(tenant_context):
    with pytest.raises(ValueError, match="placeholder"):
        await fetch_tenant_rows("SELECT * FROM core_unit")


async def test_row_level_security_on_postgres(pg_db, tenant, other_tenant):
    await seed(tenant, other_tenant)
    assert is_postgres()
    # No tenant in context: raw SQL that forgot the filter sees nothing.
    assert await db().execute_query_dict("SELECT * FROM core_unit") == []
    assert await db().execute_query_dict("SELECT * FROM example_note") == []
    with tenant_context(tenant):
        names = await db().execute_query_dict("SELECT name FROM core_unit ORDER BY id")
        assert [r["name"] for r in names] == ["UBND A", "Sở A"]
        # Raw statements against the other tenant's rows neither see nor touch them.
        _, rows = await db().execute_query(
            "UPDATE core_unit SET name = 'x' WHERE tenant_id = $1", [other_tenant.id]
        )
        assert rows == []
        from tortoise.exceptions import OperationalError

        with pytest.raises(OperationalError, match="row-level security"):
            await db().execute_query(
                "INSERT INTO core_unit (tenant_id, code, name, short_name, kind, path, level, "
                "is_active, sort_order, created_at, updated_at) "
                "VALUES ($1, 'EVIL', 'evil', '', 'agency', '/', 0, true, 0, now(), now())",
                [other_tenant.id],
            )
    with tenant_context(other_tenant):
        assert [u.name for u in await Unit.all()] == ["UBND B"]


async def test_the_application_role_does_not_own_the_tables(pg_db):
    owners = await db().execute_query_dict(
        "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
    )
    assert all(row["tableowner"] != "congvan_app" for row in owners)
    role = await db().execute_query_dict(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    assert role == [{"rolsuper": False, "rolbypassrls": False}]


async def test_a_nested_platform_block_does_not_leave_rls_bypassed(pg_db, tenant, other_tenant):
    await seed(tenant, other_tenant)
    with tenant_context(tenant):
        async with atomic():
            with platform_scope():
                async with atomic():
                    assert len(await db().execute_query_dict("SELECT id FROM core_unit")) == 3
            # Back in tenant A's part of the same transaction: RLS filters by A again.
            rows = await db().execute_query_dict("SELECT name FROM core_unit ORDER BY id")
            assert [r["name"] for r in rows] == ["UBND A", "Sở A"]
