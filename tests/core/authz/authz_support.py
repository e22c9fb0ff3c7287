"""Helpers of the authorization suite (imported by its conftest and test modules)."""

from __future__ import annotations

from dataclasses import dataclass

from core.context import Actor
from core.units.models import Unit
from core.users.models import User


@dataclass
class Tree:
    """``root`` → ``dept`` → ``team``; ``other`` is a second child of ``root``."""

    root: Unit
    dept: Unit
    team: Unit
    other: Unit


async def make_unit(code: str, parent: Unit | None = None) -> Unit:
    unit = await Unit.create(code=code, name=f"Unit {code}", parent=parent)
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    unit.level = parent.level + 1 if parent else 0
    await unit.save(update_fields=["path", "level"])
    return unit


async def make_tree() -> Tree:
    root = await make_unit("ROOT")
    dept = await make_unit("DEPT", root)
    team = await make_unit("TEAM", dept)
    other = await make_unit("OTHER", root)
    return Tree(root, dept, team, other)


async def make_user(username: str) -> User:
    return await User.create(username=username, full_name=username.title())


def user_actor(user: User) -> Actor:
    return Actor(kind="user", id=user.id, name=user.username)
