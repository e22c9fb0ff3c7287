"""Where the signed-in actor holds an action: to offer only what a form may use and to show
or hide buttons. The endpoints check again; these only shape the pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.authz.api import TENANT_DOMAIN, has_permission, user_permissions, user_subject
from core.authz.enforcer import get_enforcer
from core.context import current_actor


async def holds(action: str) -> bool:
    """Whether the current actor holds ``action`` for the whole tenant (root units, no unit)."""
    return await has_permission(action)


async def holds_anywhere(action: str) -> bool:
    """Whether the current actor holds ``action`` in at least one unit (or tenant-wide)."""
    actor = current_actor()
    if actor.kind == "system":
        return True
    if actor.kind != "user" or actor.id is None:
        return False
    return action in await user_permissions(actor.id)


async def may_in(action: str, path: str | None) -> bool:
    """Whether the current actor holds ``action`` in the unit at ``path`` (``None``: tenant)."""
    actor = current_actor()
    if actor.kind == "system":
        return True
    if actor.kind != "user" or actor.id is None:
        return False
    enforcer = await get_enforcer()
    return bool(enforcer.enforce(user_subject(actor.id), path or TENANT_DOMAIN, action))


async def units_where(action: str, rows: Iterable[dict[str, Any]]) -> set[int]:
    """The ids of the units among ``rows`` (with ``id`` and ``path``) where the current actor
    holds ``action``; one enforcer, no query per unit."""
    actor = current_actor()
    rows = list(rows)
    if actor.kind == "system":
        return {int(row["id"]) for row in rows}
    if actor.kind != "user" or actor.id is None:
        return set()
    enforcer = await get_enforcer()
    subject = user_subject(actor.id)
    return {int(row["id"]) for row in rows if enforcer.enforce(subject, str(row["path"]), action)}
