"""How a CLI command runs: runtime, tenant, actor, permission check — in this one place.

``--tenant SLUG`` (:func:`tenant_option`) is resolved here against the tenant registry and
entered with ``tenant_context``; the actor is the system operator, or the tenant user named by
the global ``--as`` option; the command's declared permission is checked; then the command's
coroutine runs and the runtime closes, whatever happened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import click

from core.cli.permissions import PLATFORM, READ_ONLY, Declaration
from core.context import SYSTEM, Actor, TenantInfo, acting_as, current_actor, tenant_context
from core.errors import BadRequest, NotFound, PermissionDenied, TenantSuspended

if TYPE_CHECKING:
    from core.runtime import Runtime

TENANT_PARAM = "tenant_slug"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class CliState:
    """The global options of ``congvan`` (set by the root group's callback)."""

    as_user: str | None = None
    debug: bool = False


STATE = CliState()


def tenant_option(*, required: bool = True) -> Callable[[F], F]:
    """The one ``--tenant SLUG`` option; the runner enters that tenant's context."""
    return click.option(
        "--tenant",
        TENANT_PARAM,
        metavar="SLUG",
        required=required,
        help="The tenant to act in (its slug).",
    )


cli_tenant_option = tenant_option  # the name plugins import from ``core``


def json_option(fn: F) -> F:
    """``--json``: print machine-readable output instead of a table."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(fn)


def run_command(
    fn: Callable[..., Coroutine[Any, Any, Any]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    declaration: Declaration,
) -> Any:
    _refuse_platform_as(declaration)
    return asyncio.run(_run(fn, args, kwargs, declaration))


def guard_sync(declaration: Declaration, kwargs: dict[str, Any]) -> None:
    """The check for a plain ``def`` command (it opens its own resources, if any)."""
    _refuse_platform_as(declaration)
    if STATE.as_user and declaration.action != READ_ONLY:

        async def check(*_: Any, **__: Any) -> None:
            return None

        asyncio.run(_run(check, (), {**kwargs}, declaration, keep_tenant_param=True))


def _refuse_platform_as(declaration: Declaration) -> None:
    if STATE.as_user and declaration.action == PLATFORM:
        raise PermissionDenied(
            PLATFORM,
            "This is a platform command: only the operator runs it, never --as a tenant user.",
        )


async def _run(
    fn: Callable[..., Coroutine[Any, Any, Any]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    declaration: Declaration,
    *,
    keep_tenant_param: bool = False,
) -> Any:
    from core.runtime import stop_runtime

    slug = kwargs.get(TENANT_PARAM) if keep_tenant_param else kwargs.pop(TENANT_PARAM, None)
    runtime = await open_runtime()
    try:
        with ExitStack() as stack:
            if slug:
                stack.enter_context(tenant_context(resolve_tenant(slug)))
            if STATE.as_user:
                if not slug:
                    raise BadRequest(
                        "--as USERNAME needs a command that runs in a tenant (--tenant)."
                    )
                tenant = resolve_tenant(slug)
                if not tenant.is_active:
                    # The operator may work on a suspended tenant; its users may not, as on the web.
                    raise TenantSuspended(f"Tenant {tenant.slug!r} is suspended.")
                stack.enter_context(acting_as(await load_actor(STATE.as_user)))
            else:
                stack.enter_context(acting_as(SYSTEM))
            await check_declared(declaration, kwargs)
            return await fn(*args, **kwargs)
    finally:
        await stop_runtime(runtime)


async def open_runtime() -> Runtime:
    """``start_runtime`` (which names an unmigrated database in one line)."""
    from core.runtime import start_runtime

    return await start_runtime(with_bus=True)


def resolve_tenant(slug: str) -> TenantInfo:
    from core.tenancy.registry import get_registry

    info = get_registry().by_slug(slug)
    if info is None:
        raise NotFound(f"No tenant {slug!r}.")
    return info


async def load_actor(username: str) -> Actor:
    """The tenant user ``--as`` names, as an actor (primary unit included)."""
    from core.users.models import Position
    from core.users.services import get_user_by_username

    user = await get_user_by_username(username)
    if user is None:
        raise NotFound(f"No user {username!r} in this tenant.")
    if not user.is_active:
        raise PermissionDenied("login", f"User {username!r} is deactivated.")
    position = await Position.filter(user_id=user.id, is_primary=True).first()
    return Actor(
        kind="user",
        id=user.id,
        name=user.username,
        unit_id=position.unit_id if position is not None else None,  # type: ignore[attr-defined]
    )


async def check_declared(declaration: Declaration, params: dict[str, Any]) -> None:
    """The operator may do anything; a user needs the declared action (in its unit)."""
    if current_actor().kind == "system" or declaration.action == READ_ONLY:
        return
    if declaration.action == PLATFORM:
        raise PermissionDenied(PLATFORM)
    from core.authz.api import check_permission

    unit_id = await declaration.unit(params) if declaration.unit is not None else None
    await check_permission(declaration.action, unit_id=unit_id)
