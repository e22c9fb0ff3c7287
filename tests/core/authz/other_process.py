"""Run by test_watcher.py as a separate process: grant a role, announce it, report the time.

Usage: python other_process.py DB_URL BUS_URL PREFIX TENANT_ID USER_ID ROLE_KEY
"""

from __future__ import annotations

import asyncio
import sys
import time


async def main(
    db_url: str, bus_url: str, prefix: str, tenant_id: int, user_id: int, role: str
) -> None:
    from core.authz.grants import grant_role
    from core.context import platform_scope, tenant_context
    from core.db.connection import close_db, init_db
    from core.notify import change_bus_from_url, set_change_bus
    from core.plugins.apps import model_apps
    from core.plugins.manager import build_host, set_host
    from core.tenancy.models import Tenant
    from core.tenancy.registry import load_tenant_info

    host = set_host(build_host(entry_points_too=False))
    await init_db(db_url, model_apps(host), pool_size=2)
    bus = change_bus_from_url(bus_url, prefix=prefix)
    set_change_bus(bus)
    try:
        with platform_scope():
            info = await load_tenant_info(await Tenant.get(id=tenant_id))
        with tenant_context(info):
            # Commits, then publishes on the bus (the system actor: like the CLI).
            await grant_role(user_id, role, unit_id=None)
        print(f"published {time.time()}", flush=True)
    finally:
        await bus.close()
        await close_db()


if __name__ == "__main__":
    db, bus_url, prefix, tenant, user, role = sys.argv[1:7]
    asyncio.run(main(db, bus_url, prefix, int(tenant), int(user), role))
