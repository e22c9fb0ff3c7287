"""Two tenants, one database: users, positions and tokens of one are invisible to the other."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.context import TenantInfo, tenant_context
from core.db.connection import db, fetch_tenant_rows, is_postgres
from core.errors import NotFound, Unauthenticated
from core.testing import make_tenant
from core.units.models import Unit
from core.units.services import create_unit
from core.users.models import ApiToken, Position, User
from core.users.services import (
    add_position,
    create_user,
    deactivate_user,
    get_user,
    get_user_by_username,
    list_users,
    remove_position,
    set_password,
    update_user,
    user_positions,
    user_units,
)
from core.users.tokens import create_token, list_tokens, resolve_token, revoke_token


@dataclass
class Seeded:
    unit: Unit
    user: User
    position: Position
    token: ApiToken
    plaintext: str


async def seed(tenant: TenantInfo) -> Seeded:
    with tenant_context(tenant):
        unit = await create_unit("STP", f"Sở Tư pháp {tenant.slug}")
        user = await create_user("an.nv", f"An {tenant.slug}", unit_id=unit.id)
        [position] = await Position.filter(user_id=user.id)
        token, plaintext = await create_token(user.id, "phone")
        return Seeded(unit, user, position, token, plaintext)


async def test_every_service_path_hides_the_other_tenant(tenant, other_tenant):
    a = await seed(tenant)
    b = await seed(other_tenant)  # same user name and unit code: unique per tenant only

    with tenant_context(other_tenant):
        for call in (
            lambda: get_user(a.user.id),
            lambda: update_user(a.user.id, full_name="Stolen"),
            lambda: set_password(a.user.id, "a-new-password"),
            lambda: deactivate_user(a.user.id),
            lambda: add_position(a.user.id, b.unit.id),
            lambda: add_position(b.user.id, a.unit.id),
            lambda: remove_position(a.user.id, a.unit.id),
            lambda: user_positions(a.user.id),
            lambda: user_units(a.user.id),
            lambda: list_users(unit_id=a.unit.id),
            lambda: create_token(a.user.id, "stolen"),
            lambda: list_tokens(a.user.id),
            lambda: revoke_token(a.token.id),
        ):
            with pytest.raises(NotFound):
                await call()
        with pytest.raises(Unauthenticated, match="Unknown token"):
            await resolve_token(a.plaintext)
        assert [u.id for u in await list_users()] == [b.user.id]
        assert [u.id for u in await list_users(q="an")] == [b.user.id]
        found = await get_user_by_username("an.nv")
        assert found is not None
        assert found.id == b.user.id
        assert [u.id for u in await user_units(b.user.id)] == [b.unit.id]

    with tenant_context(tenant):
        user = await get_user(a.user.id)
        assert user.full_name == "An alpha"
        assert user.is_active
        assert (await ApiToken.get(id=a.token.id)).revoked_at is None
        assert [p.id for p in await user_positions(a.user.id)] == [a.position.id]


async def test_orm_paths_are_filtered_by_the_current_tenant(tenant, other_tenant):
    a = await seed(tenant)
    b = await seed(other_tenant)

    with tenant_context(other_tenant):
        for model, own in ((User, b.user.id), (Position, b.position.id), (ApiToken, b.token.id)):
            assert [row.id for row in await model.all()] == [own]
        assert await User.filter(username="an.nv").count() == 1
        assert await Position.get_or_none(id=a.position.id) is None
        assert await ApiToken.get_or_none(token_hash=a.token.token_hash) is None
        # Related objects loaded under tenant A, read under tenant B: nothing of A's.
        assert await a.user.positions.all() == []
        assert await a.user.tokens.all() == []
        assert [p.id for p in await b.user.positions.all()] == [b.position.id]
        for table, own in (("core_user", b.user.id), ("core_position", b.position.id)):
            rows = await fetch_tenant_rows(f"SELECT id FROM {table} WHERE {{tenant}}")
            assert [r["id"] for r in rows] == [own]
        await User.bulk_create([User(username="bulk", full_name="Bulk")])
        assert (await User.get(username="bulk")).tenant_id == other_tenant.id
    with tenant_context(tenant):
        assert await User.filter(username="bulk").count() == 0
        assert [p.id for p in await a.user.positions.all()] == [a.position.id]


async def test_isolation_holds_on_every_database_and_rls_guards_raw_sql(any_db):
    alpha = await make_tenant("alpha", "Tỉnh Alpha")
    beta = await make_tenant("beta", "Bộ Beta")
    a = await seed(alpha)
    b = await seed(beta)

    with tenant_context(beta):
        with pytest.raises(NotFound):
            await get_user(a.user.id)
        with pytest.raises(Unauthenticated, match="Unknown token"):
            await resolve_token(a.plaintext)
        assert [u.id for u in await list_users()] == [b.user.id]
        assert await a.user.positions.all() == []
        assert (await resolve_token(b.plaintext)).id == b.user.id

    if not is_postgres():
        return
    # Lock 2: row-level security, below the ORM.
    for table in ("core_user", "core_position", "core_api_token", "core_unit"):
        assert await db().execute_query_dict(f"SELECT * FROM {table}") == [], table
    with tenant_context(beta):
        rows = await db().execute_query_dict("SELECT id FROM core_user")
        assert [r["id"] for r in rows] == [b.user.id]
        with pytest.raises(Exception, match="row-level security"):
            await db().execute_query(
                "INSERT INTO core_user (tenant_id, username, full_name, email, phone, "
                "password_hash, is_active, created_at, updated_at) "
                "VALUES ($1, 'intruder', 'X', '', '', '', true, now(), now())",
                [alpha.id],
            )
        with pytest.raises(Exception, match="row-level security"):
            await db().execute_query(
                "INSERT INTO core_position (tenant_id, user_id, unit_id, title, is_primary) "
                "VALUES ($1, $2, $3, '', false)",
                [alpha.id, a.user.id, a.unit.id],
            )
    with tenant_context(alpha):
        assert await User.filter(username="intruder").count() == 0
        assert [p.id for p in await Position.all()] == [a.position.id]
