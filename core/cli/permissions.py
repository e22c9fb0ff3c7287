"""What a CLI command needs: ``@cli_permission(action)``, ``@read_only`` or ``platform``.

The declaration does two things. It is recorded on the command, so a test walks the click tree
and fails on a command that declares nothing. And it is checked when the command runs: by
default the CLI acts as the system operator (shell access to the server is operator access),
which may do anything; with ``congvan --as USERNAME …`` the command runs as that tenant user and
the action is checked with Casbin like any web request. Platform commands (``PLATFORM``) belong
to the operator alone and refuse ``--as``.

``cli_permission`` also runs the command: an ``async def`` callback gets the runtime (database,
plugins, tenant registry), the ``--tenant`` context and the actor from :mod:`core.cli.runner`.
A plain ``def`` callback is called as is, after the check.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from core.errors import NotFound

PERMISSION_ATTR = "__congvan_cli_permission__"
PLATFORM = "platform"
READ_ONLY = "read-only"

UnitResolver = Callable[[dict[str, Any]], Awaitable[int | None]]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Declaration:
    """An action key, :data:`PLATFORM` or :data:`READ_ONLY`; ``unit`` scopes the check."""

    action: str
    unit: UnitResolver | None = None


def declaration_of(command: click.Command) -> Declaration | None:
    """The permission a command declared, or ``None`` (groups declare nothing)."""
    found = getattr(command, PERMISSION_ATTR, None) or getattr(
        command.callback, PERMISSION_ATTR, None
    )
    return found if isinstance(found, Declaration) else None


def cli_permission(action: str, *, unit: UnitResolver | None = None) -> Callable[[F], F]:
    """Declare and enforce the action a command needs (``core.units.manage``, ``platform``).

    ``unit`` returns the unit the action is checked in, from the command's parameters
    (``unit_param("parent")``); without it the action must be held tenant-wide. Works on the
    callback (below ``@group.command``) or on the command object (above it).
    """
    declaration = Declaration(action, unit)

    def decorate(target: F) -> F:
        if isinstance(target, click.Command):
            if target.callback is not None:
                target.callback = _wrap(target.callback, declaration)
            setattr(target, PERMISSION_ATTR, declaration)
            return target
        return _wrap(target, declaration)  # type: ignore[return-value]

    return decorate


def read_only(target: F) -> F:
    """Mark a command that changes nothing (lists, shows); it needs no permission."""
    return cli_permission(READ_ONLY)(target)


# The name plugins would import from ``core`` (as they import ``cli_permission``).
cli_read_only = read_only


def unit_param(name: str) -> UnitResolver:
    """Check in the unit whose code parameter ``name`` holds (tenant-wide when empty)."""

    async def resolve(params: dict[str, Any]) -> int | None:
        code = params.get(name)
        if not code:
            return None
        from core.units.services import get_unit_by_code

        unit = await get_unit_by_code(str(code))
        if unit is None:
            raise NotFound(f"No unit with code {code!r}.")
        return int(unit.id)

    return resolve


def _wrap(fn: Callable[..., Any], declaration: Declaration) -> Callable[..., Any]:
    from core.cli import runner

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        def run_async(*args: Any, **kwargs: Any) -> Any:
            return runner.run_command(fn, args, kwargs, declaration)

        wrapper = run_async
    else:

        @functools.wraps(fn)
        def run_sync(*args: Any, **kwargs: Any) -> Any:
            runner.guard_sync(declaration, kwargs)
            return fn(*args, **kwargs)

        wrapper = run_sync
    setattr(wrapper, PERMISSION_ATTR, declaration)
    return wrapper
