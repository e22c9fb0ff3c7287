"""Permission checks for the current actor in the current tenant.

A request names an action and, when the action targets a unit, that unit; the unit's path is
the Casbin domain (``/3/7/``), and tenant-level actions use the domain ``/``, which only
tenant-wide grants (``*``) cover.

Who passes:

* ``user`` actors when one of their grants covers the domain with a role holding the action;
* ``system`` actors always: the CLI runs with shell access to the server, which is operator
  power already, and jobs act on behalf of a check made when they were enqueued;
* ``platform`` admins never: they run the instance, not the tenants' offices;
* ``anonymous`` never (:func:`check_permission` raises :class:`Unauthenticated`).
"""

from __future__ import annotations

from core.authz.enforcer import get_enforcer
from core.context import Actor, current_actor
from core.errors import NotFound, PermissionDenied, Unauthenticated

TENANT_DOMAIN = "/"
TENANT_WIDE = "*"


def user_subject(user_id: int) -> str:
    return f"user:{user_id}"


def role_subject(role_key: str) -> str:
    return f"role:{role_key}"


async def unit_path(unit_id: int) -> str:
    """The materialised path of a unit of the current tenant; NotFound when there is none."""
    from core.units.models import Unit

    paths = await Unit.filter(id=unit_id).values_list("path", flat=True)
    if not paths:
        raise NotFound(f"No unit with id {unit_id} in this tenant.")
    return str(paths[0])


async def has_permission(
    action: str, *, unit_id: int | None = None, actor: Actor | None = None
) -> bool:
    """Whether ``actor`` (default: the current one) may do ``action`` in ``unit_id``.

    ``unit_id=None`` asks about a tenant-level action. An unknown unit raises NotFound for
    every actor, so ids of other tenants never tell "exists" from "forbidden".
    """
    actor = actor or current_actor()
    domain = await unit_path(unit_id) if unit_id is not None else TENANT_DOMAIN
    if actor.kind == "system":
        return True
    if actor.kind != "user" or actor.id is None:
        return False
    enforcer = await get_enforcer()
    return bool(enforcer.enforce(user_subject(actor.id), domain, action))


async def check_permission(action: str, *, unit_id: int | None = None) -> None:
    """Raise unless the current actor may do ``action`` (in ``unit_id``).

    Anonymous actors get :class:`Unauthenticated`; everyone else who lacks the action gets
    :class:`PermissionDenied` naming it.
    """
    actor = current_actor()
    if actor.kind == "anonymous":
        raise Unauthenticated(f"Sign in first: this needs the permission {action}.")
    if not await has_permission(action, unit_id=unit_id, actor=actor):
        where = f" in unit {unit_id}" if unit_id is not None else ""
        raise PermissionDenied(action, f"Missing permission: {action}{where}")


async def user_permissions(user_id: int) -> dict[str, list[str]]:
    """Action → the domain patterns where ``user_id`` holds it (``*``, ``/3/``, ``/3/7/*``)."""
    enforcer = await get_enforcer()
    subject = user_subject(user_id)
    roles_by_domain: list[tuple[str, str]] = [
        (rule[1], rule[2]) for rule in enforcer.model.model["g"]["g"].policy if rule[0] == subject
    ]
    actions_of: dict[str, list[str]] = {}
    for role, action in enforcer.model.model["p"]["p"].policy:
        actions_of.setdefault(role, []).append(action)
    result: dict[str, set[str]] = {}
    for role, domain in roles_by_domain:
        for action in actions_of.get(role, ()):
            result.setdefault(action, set()).add(domain)
    return {action: sorted(domains) for action, domains in sorted(result.items())}
