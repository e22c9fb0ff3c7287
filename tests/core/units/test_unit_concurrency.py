"""Tree changes racing each other on PostgreSQL (separate connections, real locks)."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import Conflict, InvalidInput
from core.units.models import Unit
from core.units.services import create_unit, get_unit, list_units, move_unit

pytestmark = pytest.mark.usefixtures("pg_db", "tenant_context")


async def test_two_crossing_moves_never_build_a_cycle():
    for _ in range(5):
        a = await create_unit(f"A{_}", "A")
        b = await create_unit(f"B{_}", "B")
        results = await asyncio.gather(
            move_unit(a.id, b.id), move_unit(b.id, a.id), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert len(failures) == 1, results
        assert isinstance(failures[0], InvalidInput)
        assert "its own descendant" in str(failures[0])
        a_now, b_now = await get_unit(a.id), await get_unit(b.id)
        assert (a_now.parent_id is None) != (b_now.parent_id is None)


async def test_children_created_during_a_move_get_the_new_path():
    root = await create_unit("ROOT", "Root")
    other = await create_unit("OTHER", "Other")
    middle = await create_unit("MID", "Middle", parent_id=root.id)
    await asyncio.gather(
        move_unit(middle.id, other.id),
        *(create_unit(f"C{i}", f"Child {i}", parent_id=middle.id) for i in range(5)),
    )
    middle_now = await get_unit(middle.id)
    for child in await Unit.filter(parent_id=middle.id):
        assert child.path == f"{middle_now.path}{child.id}/"
        assert child.level == middle_now.level + 1


async def test_concurrent_duplicate_codes_give_one_unit_and_conflicts():
    results = await asyncio.gather(
        *(create_unit("STP", f"Sở Tư pháp {i}") for i in range(4)), return_exceptions=True
    )
    assert sum(isinstance(r, Unit) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Unit))
    assert [u.code for u in await list_units()] == ["STP"]
