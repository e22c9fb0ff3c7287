"""Two tenants, one database: no path of the unit service shows one tenant's units to the other."""

from __future__ import annotations

import pytest

from core.context import TenantInfo, tenant_context
from core.db.connection import db, fetch_tenant_rows, is_postgres
from core.errors import Conflict, NotFound
from core.testing import make_tenant
from core.units.models import Unit
from core.units.services import (
    create_unit,
    deactivate_unit,
    delete_unit,
    get_unit,
    get_unit_by_code,
    list_units,
    move_unit,
    subtree_ids,
    unit_path,
    update_unit,
)


async def seed(tenant: TenantInfo) -> tuple[Unit, Unit]:
    with tenant_context(tenant):
        root = await create_unit("UBND", f"UBND {tenant.slug}", short_name="UBND")
        child = await create_unit("VP", f"VP {tenant.slug}", parent_id=root.id)
        return root, child


async def test_every_service_path_hides_the_other_tenant(tenant, other_tenant):
    a_root, a_child = await seed(tenant)
    b_root, b_child = await seed(other_tenant)  # same codes: unique per tenant only

    with tenant_context(other_tenant):
        for call in (
            lambda: get_unit(a_root.id),
            lambda: unit_path(a_root.id),
            lambda: subtree_ids(a_root.id),
            lambda: update_unit(a_root.id, name="Stolen"),
            lambda: move_unit(a_child.id, None),
            lambda: move_unit(b_child.id, a_root.id),
            lambda: deactivate_unit(a_root.id),
            lambda: delete_unit(a_child.id),
            lambda: create_unit("NEW", "New", parent_id=a_root.id),
        ):
            with pytest.raises(NotFound, match="No unit with id"):
                await call()
        assert {u.id for u in await list_units()} == {b_root.id, b_child.id}
        unit = await get_unit_by_code("UBND")
        assert unit is not None
        assert unit.id == b_root.id
        with pytest.raises(Conflict):
            await create_unit("UBND", "Duplicate in B")

    with tenant_context(tenant):
        stored = await get_unit(a_root.id)
        assert stored.name == "UBND alpha"
        assert stored.is_active
        assert {u.id for u in await list_units()} == {a_root.id, a_child.id}


async def test_orm_paths_are_filtered_by_the_current_tenant(tenant, other_tenant):
    a_root, _ = await seed(tenant)
    b_root, b_child = await seed(other_tenant)

    with tenant_context(other_tenant):
        assert await Unit.filter(id=a_root.id).count() == 0
        assert await Unit.get_or_none(id=a_root.id) is None
        assert {u.id for u in await Unit.filter(code="UBND")} == {b_root.id}
        # Reverse relations of an object loaded in another context still follow the
        # current tenant.
        assert await a_root.children.all() == []
        assert [u.id for u in await b_root.children.all()] == [b_child.id]
        rows = await fetch_tenant_rows("SELECT id FROM core_unit WHERE {tenant}")
        assert {r["id"] for r in rows} == {b_root.id, b_child.id}
        await Unit.bulk_create([Unit(code="BULK", name="Bulk", path="/")])
    with tenant_context(tenant):
        assert await Unit.filter(code="BULK").count() == 0
        assert [u.id for u in await a_root.children.all()] != []
    with tenant_context(other_tenant):
        bulk = await Unit.get(code="BULK")
        assert bulk.tenant_id == other_tenant.id


async def test_isolation_holds_on_every_database_and_rls_guards_raw_sql(any_db):
    alpha = await make_tenant("alpha", "Tỉnh Alpha")
    beta = await make_tenant("beta", "Bộ Beta")
    a_root, _ = await seed(alpha)
    b_root, b_child = await seed(beta)

    with tenant_context(beta):
        with pytest.raises(NotFound):
            await get_unit(a_root.id)
        assert {u.id for u in await list_units()} == {b_root.id, b_child.id}
        assert await a_root.children.all() == []

    if not is_postgres():
        return
    # Lock 2: row-level security, below the ORM.
    assert await db().execute_query_dict("SELECT * FROM core_unit") == []
    with tenant_context(beta):
        rows = await db().execute_query_dict("SELECT id FROM core_unit")
        assert {r["id"] for r in rows} == {b_root.id, b_child.id}
        with pytest.raises(Exception, match="row-level security"):
            await db().execute_query(
                "INSERT INTO core_unit (tenant_id, code, name, short_name, kind, path, level, "
                "is_active, sort_order, created_at, updated_at) VALUES "
                "($1, 'X', 'X', '', 'agency', '/', 0, true, 0, now(), now())",
                [alpha.id],
            )
    with tenant_context(alpha):
        assert await Unit.filter(code="X").count() == 0
