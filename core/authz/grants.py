"""Grants: which user holds which role where.

A grant is one Casbin row ``g, user:<id>, role:<key>, <domain>`` where the domain is the unit's
path (``/3/7/``: that unit only), the path with ``*`` (``/3/7/*``: the unit and its
descendants) or ``*`` (the whole tenant).

Who may change grants: the ``system`` actor (CLI, jobs), or a user holding
``core.grants.manage`` over the whole scope of the grant — a grant on ``/3/7/*`` needs the
manager's own grant to cover ``/3/7/`` and everything below it, which a route's check of one
unit cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.exceptions import IntegrityError

from core.authz.adapter import TenantAdapter
from core.authz.api import TENANT_WIDE, role_subject, unit_path, user_permissions, user_subject
from core.authz.enforcer import policy_changed
from core.authz.models import CasbinRule, Role
from core.context import current_actor
from core.db.connection import atomic
from core.errors import NotFound, PermissionDenied, Unauthenticated
from core.notify import in_open_transaction

MANAGE_GRANTS = "core.grants.manage"


@dataclass(frozen=True)
class GrantView:
    """One grant; ``unit_id=None`` means tenant-wide (``descendants`` is then False)."""

    user_id: int
    role_key: str
    unit_id: int | None
    descendants: bool
    domain: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "role": self.role_key,
            "unit_id": self.unit_id,
            "descendants": self.descendants,
            "domain": self.domain,
        }


def domain_for(path: str | None, descendants: bool) -> str:
    """The domain pattern of a grant on the unit at ``path`` (``None``: tenant-wide)."""
    if path is None:
        return TENANT_WIDE
    return path + "*" if descendants else path


def parse_domain(domain: str) -> tuple[int | None, bool]:
    """``"/3/7/*"`` → ``(7, True)``; ``"/3/7/"`` → ``(7, False)``; ``"*"`` → ``(None, False)``."""
    if domain == TENANT_WIDE:
        return None, False
    descendants = domain.endswith("*")
    ids = [part for part in domain.rstrip("*").split("/") if part]
    if not ids:
        raise ValueError(f"grant domain {domain!r} names no unit")
    return int(ids[-1]), descendants


def covers(held: str, target: str) -> bool:
    """Whether a grant on domain pattern ``held`` reaches everything ``target`` reaches."""
    if held == TENANT_WIDE:
        return True
    if target == TENANT_WIDE:
        return False
    if held.endswith("*"):
        return target.startswith(held[:-1])
    return held == target


def _view(rule: tuple[str, str, str]) -> GrantView:
    subject, role, domain = rule
    unit_id, descendants = parse_domain(domain)
    return GrantView(
        int(subject.removeprefix("user:")), role.removeprefix("role:"), unit_id, descendants, domain
    )


async def _audit(action: str, **kwargs: Any) -> None:
    from core.audit.services import record_audit

    await record_audit(action, **kwargs)


async def _check_may_manage(domain: str) -> None:
    actor = current_actor()
    if actor.kind == "system":
        return
    if actor.kind == "anonymous":
        raise Unauthenticated(f"Sign in first: this needs the permission {MANAGE_GRANTS}.")
    held: list[str] = []
    if actor.kind == "user" and actor.id is not None:
        held = (await user_permissions(actor.id)).get(MANAGE_GRANTS, [])
    if not any(covers(h, domain) for h in held):
        scope = "the whole tenant" if domain == TENANT_WIDE else f"scope {domain}"
        raise PermissionDenied(MANAGE_GRANTS, f"Missing permission: {MANAGE_GRANTS} for {scope}")


async def _resolve(role_key: str, user_id: int, unit_id: int | None, descendants: bool) -> str:
    from core.users.models import User

    domain = domain_for(await unit_path(unit_id) if unit_id is not None else None, descendants)
    if not await Role.filter(key=role_key).exists():
        raise NotFound(f"No role with key {role_key!r} in this tenant.")
    if not await User.filter(id=user_id).exists():
        raise NotFound(f"No user with id {user_id} in this tenant.")
    return domain


async def grant_role(
    user_id: int, role_key: str, *, unit_id: int | None, descendants: bool = False
) -> GrantView:
    """Grant ``role_key`` to a user on a unit (with its descendants) or tenant-wide.

    Unknown role, user or unit → NotFound. Granting an existing grant changes nothing.
    """
    domain = await _resolve(role_key, user_id, unit_id, descendants)
    await _check_may_manage(domain)
    rule = [user_subject(user_id), role_subject(role_key), domain]
    view = _view((rule[0], rule[1], rule[2]))
    try:
        async with atomic():
            # Locks the role row: a concurrent delete_role sees this grant or fails first.
            if await Role.filter(key=role_key).select_for_update().first() is None:
                raise NotFound(f"No role with key {role_key!r} in this tenant.")
            added = await TenantAdapter().add_policy("g", "g", rule)
            if added:
                await _audit(
                    "grant.add",
                    object_type="user",
                    object_id=user_id,
                    after=view.as_dict(),
                    unit_id=unit_id,
                )
    except IntegrityError:
        added = False  # a concurrent call made the same grant: the outcome is the same
    if added:
        await policy_changed()
    return view


async def revoke_role(
    user_id: int, role_key: str, *, unit_id: int | None, descendants: bool = False
) -> None:
    """Remove one grant; NotFound when the user holds no such grant."""
    domain = domain_for(await unit_path(unit_id) if unit_id is not None else None, descendants)
    await _check_may_manage(domain)
    rule = [user_subject(user_id), role_subject(role_key), domain]
    async with atomic():
        if not await TenantAdapter().remove_policy("g", "g", rule):
            where = "tenant-wide" if unit_id is None else f"on {domain}"
            raise NotFound(f"User {user_id} holds no grant of role {role_key!r} {where}.")
        await _audit(
            "grant.revoke",
            object_type="user",
            object_id=user_id,
            before=_view((rule[0], rule[1], rule[2])).as_dict(),
            unit_id=unit_id,
        )
    await policy_changed()


async def list_grants(*, user_id: int | None = None) -> list[GrantView]:
    """The current tenant's grants (of one user when ``user_id`` is given)."""
    query = CasbinRule.filter(ptype="g")
    if user_id is not None:
        query = query.filter(v0=user_subject(user_id))
    rows = await query.order_by("id").values_list("v0", "v1", "v2")
    return [_view((str(a), str(b), str(c))) for a, b, c in rows]


async def revoke_all_for_user(user_id: int) -> int:
    """Remove every grant of a user (deactivation, deletion); returns how many.

    Inside the caller's transaction the caller announces the change after committing
    (``await core.authz.enforcer.policy_changed()``); otherwise this function does.
    """
    own_transaction = not in_open_transaction()
    if own_transaction:
        async with atomic():
            removed = await _revoke_all(user_id)
        if removed:
            await policy_changed()
        return removed
    return await _revoke_all(user_id)


async def _revoke_all(user_id: int) -> int:
    grants = await list_grants(user_id=user_id)
    for grant in grants:
        rule = [user_subject(user_id), role_subject(grant.role_key), grant.domain]
        await TenantAdapter().remove_policy("g", "g", rule)
        await _audit(
            "grant.revoke",
            object_type="user",
            object_id=user_id,
            before=grant.as_dict(),
            unit_id=grant.unit_id,
        )
    return len(grants)


async def on_unit_moved(old_path: str, new_path: str) -> int:
    """Rewrite grant domains under ``old_path`` to ``new_path`` (a unit moved in the tree).

    The unit service calls it inside the transaction that moves the unit, and announces the
    change after committing (``await core.authz.enforcer.policy_changed()``). Called outside
    a transaction, it opens one and announces the change itself. Returns the rows rewritten.
    """
    for path in (old_path, new_path):
        if not (path.startswith("/") and path.endswith("/")) or path == "/":
            raise ValueError(f"unit path {path!r} must look like /3/7/")
    if not in_open_transaction():
        async with atomic():
            moved = await _rewrite(old_path, new_path)
        if moved:
            await policy_changed()
        return moved
    return await _rewrite(old_path, new_path)


async def _rewrite(old_path: str, new_path: str) -> int:
    rows = await CasbinRule.filter(ptype="g", v2__startswith=old_path)
    for row in rows:
        row.v2 = new_path + row.v2[len(old_path) :]
        await row.save(update_fields=["v2"])
    return len(rows)
