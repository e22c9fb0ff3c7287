"""One filtered Casbin enforcer per tenant, kept in a process-wide LRU.

A single enforcer holding every tenant's rules slows down linearly with the number of tenants
(docs/authorization.md has the numbers); a tenant's own enforcer holds a few dozen rows and
answers in a fraction of a millisecond. Enforcers load lazily on the first check of a tenant,
are evicted least-recently-used, expire after ``max_age`` seconds as a safety net, and are
dropped when the change bus says the tenant's policy changed (in this or another process).

Services that change rules call :func:`policy_changed` after their transaction commits.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import casbin
from casbin.util.builtin_operators import key_match

from core.authz.adapter import PolicyFilter, TenantAdapter
from core.context import current_tenant
from core.db.connection import on_commit
from core.notify import (
    POLICY_CHANNEL,
    ChangeBus,
    get_change_bus,
    in_open_transaction,
    publish_after_commit,
)

MODEL_PATH = Path(__file__).with_name("model.conf")
DEFAULT_SIZE = 1024
DEFAULT_MAX_AGE = 300.0


def new_enforcer(adapter: TenantAdapter | None = None) -> Any:
    """An empty enforcer of our model, with ``key_match`` as the domain matcher of ``g``."""
    enforcer = casbin.AsyncEnforcer(str(MODEL_PATH), adapter)
    enforcer.add_named_domain_matching_func("g", key_match)
    # Role names are plain strings. The domain manager's default name matcher (an equality
    # lambda) makes every role lookup scan all roles: quadratic the first time a domain is
    # checked. Without it a cold check costs about what a warm one does.
    enforcer.add_named_matching_func("g", None)
    return enforcer


async def load_enforcer() -> Any:
    """A fresh enforcer holding the current tenant's rules (not cached)."""
    enforcer = new_enforcer(TenantAdapter())
    await enforcer.load_filtered_policy(PolicyFilter())
    return enforcer


@dataclass
class _Entry:
    enforcer: Any
    loaded_at: float


class EnforcerCache:
    """Tenant id → enforcer, least recently used first out."""

    def __init__(self, size: int = DEFAULT_SIZE, max_age: float = DEFAULT_MAX_AGE) -> None:
        if size < 1:
            raise ValueError("the enforcer cache needs room for at least one tenant")
        self.size = size
        self.max_age = max_age
        self.loads = 0
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        # Bumped by invalidate(): a load that overlapped an invalidation is not cached.
        self._generation: dict[int, int] = {}
        self._epoch = 0  # bumped by clear()
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._bus: ChangeBus | None = None

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, tenant_id: object) -> bool:
        return tenant_id in self._entries

    async def get(self) -> Any:
        """The current tenant's enforcer, loading it when missing or expired."""
        self._attach_to_current_bus()
        tenant_id = current_tenant().id
        entry = self._fresh(tenant_id)
        if entry is not None:
            return entry.enforcer
        if in_open_transaction():
            # Rows read inside a transaction may be rolled back: use them, never cache them.
            return await load_enforcer()
        lock = self._locks.get(tenant_id)
        if lock is None:
            lock = self._locks[tenant_id] = asyncio.Lock()
        async with lock:
            entry = self._fresh(tenant_id)
            if entry is not None:
                return entry.enforcer
            for _ in range(3):
                stamp = self._stamp(tenant_id)
                enforcer = await load_enforcer()
                self.loads += 1
                if self._stamp(tenant_id) == stamp:
                    self._store(tenant_id, enforcer)
                    break
            return enforcer

    def invalidate(self, tenant_id: int) -> None:
        """Drop one tenant's enforcer; its next check reloads the rules."""
        self._generation[tenant_id] = self._generation.get(tenant_id, 0) + 1
        self._entries.pop(tenant_id, None)

    def clear(self) -> None:
        """Drop every enforcer (after the change bus may have missed messages)."""
        self._epoch += 1
        self._entries.clear()

    def _stamp(self, tenant_id: int) -> tuple[int, int]:
        return self._epoch, self._generation.get(tenant_id, 0)

    def attach(self, bus: ChangeBus) -> None:
        """Drop enforcers when ``bus`` announces a policy change or a resync."""
        if self._bus is bus:
            return
        if self._bus is not None:
            self._bus.unsubscribe(POLICY_CHANNEL, self._on_policy_message)
        self._bus = bus
        bus.subscribe(POLICY_CHANNEL, self._on_policy_message)
        bus.on_resync(self.clear)

    def _attach_to_current_bus(self) -> None:
        bus = get_change_bus()
        if bus is not self._bus:
            self.attach(bus)

    def _on_policy_message(self, payload: str) -> None:
        try:
            tenant_id = int(payload)
        except ValueError:
            self.clear()
            return
        self.invalidate(tenant_id)

    def _fresh(self, tenant_id: int) -> _Entry | None:
        entry = self._entries.get(tenant_id)
        if entry is None:
            return None
        if time.monotonic() - entry.loaded_at > self.max_age:
            del self._entries[tenant_id]
            return None
        self._entries.move_to_end(tenant_id)
        return entry

    def _store(self, tenant_id: int, enforcer: Any) -> None:
        self._entries[tenant_id] = _Entry(enforcer, time.monotonic())
        self._entries.move_to_end(tenant_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


_cache = EnforcerCache()


def configure(size: int = DEFAULT_SIZE, max_age: float = DEFAULT_MAX_AGE) -> EnforcerCache:
    """Replace the process's cache (start-up, tests); returns the new cache."""
    global _cache
    _cache = EnforcerCache(size, max_age)
    return _cache


def enforcer_cache() -> EnforcerCache:
    return _cache


async def get_enforcer() -> Any:
    """The current tenant's enforcer (lazily loaded, cached)."""
    return await _cache.get()


def invalidate(tenant_id: int) -> None:
    """Drop ``tenant_id``'s enforcer in this process."""
    _cache.invalidate(tenant_id)


async def policy_changed(tenant_id: int | None = None) -> None:
    """Announce that the current tenant's rules changed, once the change is committed.

    Drops the enforcer in this process (so the change holds for the very next check here) and
    publishes on the ``policy`` channel for the other processes. Inside ``atomic()`` both wait
    for the outermost commit and are dropped on rollback.
    """
    tenant_id = current_tenant().id if tenant_id is None else tenant_id

    async def announce() -> None:
        _cache.invalidate(tenant_id)
        await publish_after_commit(POLICY_CHANNEL, str(tenant_id))

    await on_commit(announce)
