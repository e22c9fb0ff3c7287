"""Fixtures of the authorization suite: a fresh enforcer cache and bus per test, a unit tree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from authz_support import Tree, make_tree

from core.authz import enforcer
from core.notify import InProcessChangeBus, get_change_bus, set_change_bus


@pytest.fixture(autouse=True)
def fresh_authz() -> Iterator[InProcessChangeBus]:
    """Every test starts with an empty enforcer cache and its own in-process bus."""
    previous = get_change_bus()
    bus = InProcessChangeBus()
    set_change_bus(bus)
    enforcer.configure()
    yield bus
    enforcer.configure()
    set_change_bus(previous)


@pytest.fixture
async def tree(tenant_context: object) -> Tree:
    return await make_tree()
