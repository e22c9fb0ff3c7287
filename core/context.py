"""Who and for which tenant the current code runs.

The tenant lives in a context variable set in exactly one place per entry point: the HTTP
middleware (``core.tenancy.middleware``), the job middleware (``core.jobs``), the CLI's
``--tenant`` option and the test fixtures. Services read it with :func:`current_tenant`; they
never take a ``tenant_id`` argument.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal

from core.errors import TenantRequired

TenantStatus = Literal["active", "suspended"]


@dataclass(frozen=True)
class TenantInfo:
    """An immutable snapshot of one tenant, as the in-memory registry holds it."""

    id: int
    slug: str
    name: str
    status: TenantStatus = "active"
    theme: str = "default"
    domains: tuple[str, ...] = ()
    enabled_plugins: frozenset[str] = frozenset()
    plugin_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def is_active(self) -> bool:
        return self.status == "active"


ActorKind = Literal["user", "platform", "system", "anonymous"]


@dataclass(frozen=True)
class Actor:
    """Who acts: a tenant user, a platform admin, or the system (CLI operator, jobs)."""

    kind: ActorKind
    id: int | None = None
    name: str = ""
    unit_id: int | None = None

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind


SYSTEM = Actor(kind="system", name="system")
ANONYMOUS = Actor(kind="anonymous", name="anonymous")

_tenant: ContextVar[TenantInfo | None] = ContextVar("congvan_tenant", default=None)
_platform: ContextVar[bool] = ContextVar("congvan_platform_scope", default=False)
_actor: ContextVar[Actor] = ContextVar("congvan_actor", default=SYSTEM)


def current_tenant() -> TenantInfo:
    """The tenant of the current request, job or command; raises when there is none."""
    tenant = _tenant.get()
    if tenant is None:
        raise TenantRequired("This operation needs a tenant, and none is set in this context.")
    return tenant


def current_tenant_or_none() -> TenantInfo | None:
    return _tenant.get()


def current_tenant_id() -> int:
    return current_tenant().id


@contextmanager
def tenant_context(tenant: TenantInfo) -> Iterator[TenantInfo]:
    """Run the block as ``tenant``: tenant-scoped queries, RLS settings, hooks and jobs follow."""
    token = _tenant.set(tenant)
    try:
        yield tenant
    finally:
        _tenant.reset(token)


@contextmanager
def no_tenant() -> Iterator[None]:
    """Run the block with no tenant (platform pages, the dispatcher)."""
    token = _tenant.set(None)
    try:
        yield
    finally:
        _tenant.reset(token)


@contextmanager
def platform_scope() -> Iterator[None]:
    """The named escape hatch: platform code reads every tenant's rows.

    Inside this block tenant-scoped managers stop filtering and, on PostgreSQL, the connection
    carries ``app.platform = on`` so row-level security lets the rows through. Use it only in
    platform code (tenant registry, dispatcher, vendor console), never in a plugin.
    """
    token = _platform.set(True)
    try:
        yield
    finally:
        _platform.reset(token)


def in_platform_scope() -> bool:
    return _platform.get()


def current_actor() -> Actor:
    return _actor.get()


@contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)
