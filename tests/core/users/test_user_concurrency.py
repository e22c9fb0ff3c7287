"""User changes racing each other on PostgreSQL (separate connections, real locks)."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import Conflict
from core.units.services import create_unit
from core.users.models import Position, User
from core.users.services import add_position, create_user

pytestmark = pytest.mark.usefixtures("pg_db", "tenant_context")


async def test_concurrent_duplicate_usernames_give_one_user_and_conflicts():
    results = await asyncio.gather(
        *(create_user("an.nv", f"An {i}") for i in range(4)), return_exceptions=True
    )
    assert sum(isinstance(r, User) for r in results) == 1
    failures = [r for r in results if not isinstance(r, User)]
    assert all(isinstance(r, Conflict) for r in failures), failures
    assert all("username 'an.nv' is already taken" in str(r) for r in failures)
    assert await User.all().count() == 1


async def test_concurrent_primary_positions_leave_exactly_one_primary():
    units = [await create_unit(f"U{i}", f"Unit {i}") for i in range(4)]
    user = await create_user("an.nv", "An")
    await asyncio.gather(*(add_position(user.id, u.id, is_primary=True) for u in units))
    assert await Position.filter(user_id=user.id).count() == 4
    assert await Position.filter(user_id=user.id, is_primary=True).count() == 1
