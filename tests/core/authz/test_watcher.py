"""Across processes: a grant made by another process holds here within a second.

The other process is a real Python process (``other_process.py``) on the same PostgreSQL
database; it commits the grant, then publishes on the bus. This process keeps a warm enforcer
for the tenant, so only the bus message can make it see the change.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from pathlib import Path

import pytest
from authz_support import make_user

from core.authz.api import has_permission
from core.authz.enforcer import enforcer_cache
from core.authz.roles import seed_roles
from core.context import Actor, tenant_context
from core.notify import change_bus_from_url, set_change_bus
from core.testing import make_tenant

SCRIPT = Path(__file__).with_name("other_process.py")
ROOT = Path(__file__).resolve().parents[3]
ACTION = "core.roles.manage"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres", "redis"])
async def test_a_grant_in_another_process_holds_here_within_a_second(
    pg_db: str, backend: str, request: pytest.FixtureRequest
) -> None:
    bus_url = pg_db if backend == "postgres" else request.getfixturevalue("redis_url")
    prefix = "w" + uuid.uuid4().hex[:10]
    tenant = await make_tenant("cross", "Cross")
    with tenant_context(tenant):
        await seed_roles()
        user = await make_user("remote")
    actor = Actor(kind="user", id=user.id)

    bus = change_bus_from_url(bus_url, prefix=prefix)
    set_change_bus(bus)
    cache = enforcer_cache()
    cache.attach(bus)
    await bus.start()
    try:
        with tenant_context(tenant):
            assert not await has_permission(ACTION, actor=actor)  # the enforcer is now warm
            loads = cache.loads
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                str(SCRIPT),
                pg_db,
                bus_url,
                prefix,
                str(tenant.id),
                str(user.id),
                "tenant_admin",
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), timeout=60)
            if not line.startswith(b"published "):
                _, err = await process.communicate()
                pytest.fail(f"the other process failed: {err.decode()[-2000:]}")
            published_at = float(line.split()[1])
            while not await has_permission(ACTION, actor=actor):
                assert time.time() - published_at < 1.0, "the change was not seen within 1 s"
                await asyncio.sleep(0.01)
            assert cache.loads == loads + 1  # reloaded once, because of the message
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        await bus.close()
