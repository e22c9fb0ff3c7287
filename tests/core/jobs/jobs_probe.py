"""A test plugin of job handlers, and the subprocess entry points of the job tests.

Imported by the tests (registered with ``register_plugin``) and run as a script in child
processes: ``python jobs_probe.py worker [--no-dispatch]`` runs ``congvan worker`` with this
plugin installed; ``python jobs_probe.py commit-and-hang SLUG TITLE`` commits a note (whose
event enqueues ``example.count_note``), prints the message id and waits to be killed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from core import JobHandler, PluginInfo, current_tenant, hookimpl
from core.context import current_tenant_or_none

STATE: dict[str, Any] = {"healthy": True}
CALLS: list[str] = []


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(name="probe", version="0.0.1", title="Job test handlers")


async def check_tenant(payload: dict[str, Any], message_id: str) -> None:
    """Fails unless it runs as the tenant ``payload["slug"]``; then counts like the example."""
    from plugins.example.models import NoteStat

    slug = current_tenant().slug
    if slug != payload["slug"]:
        raise AssertionError(f"ran as tenant {slug!r}, expected {payload['slug']!r}")
    await NoteStat.get_or_create(message_id=message_id, defaults={"note_id": 0})


async def flaky(payload: dict[str, Any], message_id: str) -> None:
    """Writes its effect, then fails while ``STATE["healthy"]`` is false (the effect rolls back)."""
    from plugins.example.models import NoteStat

    CALLS.append(message_id)
    await NoteStat.get_or_create(message_id=message_id, defaults={"note_id": 1})
    if not STATE["healthy"]:
        raise RuntimeError("the remote system is down")


async def slow_note(payload: dict[str, Any], message_id: str) -> None:
    """Writes its effect, then hangs the first time (the test kills the process there)."""
    from plugins.example.models import NoteStat

    await NoteStat.get_or_create(message_id=message_id, defaults={"note_id": 2})
    marker = Path(payload["marker"])
    if not await asyncio.to_thread(marker.exists):
        await asyncio.to_thread(marker.write_text, str(os.getpid()))
        await asyncio.sleep(300)


async def sleepy(payload: dict[str, Any], message_id: str) -> None:
    """Sleeps ``payload["seconds"]``; with ``count`` it then counts like the example."""
    from plugins.example.models import NoteStat

    CALLS.append(message_id)
    await asyncio.sleep(float(payload["seconds"]))
    if payload.get("count"):
        await NoteStat.get_or_create(message_id=message_id, defaults={"note_id": 3})


async def no_tenant(payload: dict[str, Any], message_id: str) -> None:
    if current_tenant_or_none() is not None:
        raise AssertionError("a platform message ran inside a tenant context")
    CALLS.append(message_id)


HANDLERS = [
    JobHandler("probe.check_tenant", check_tenant, max_attempts=2),
    JobHandler("probe.flaky", flaky, max_attempts=3),
    JobHandler("probe.slow_note", slow_note, max_attempts=3),
    JobHandler("probe.sleepy", sleepy, max_attempts=2),
    JobHandler("probe.no_tenant", no_tenant, max_attempts=1),
]


@hookimpl
def register_job_handlers() -> list[JobHandler]:
    return HANDLERS


# ----------------------------------------------------------------------- subprocesses


def _install() -> None:
    from core.plugins.manager import build_host, set_host

    host = build_host(entry_points_too=False)
    host.register(sys.modules[__name__])
    set_host(host)


async def _commit_and_hang(slug: str, title: str) -> None:
    from core.context import platform_scope, tenant_context
    from core.jobs.models import OutboxMessage
    from core.jobs.worker import open_database
    from core.settings import get_settings
    from core.tenancy.models import Tenant
    from core.tenancy.registry import load_tenant_info
    from plugins.example.services import create_note

    await open_database(get_settings())
    with platform_scope():
        tenant = await load_tenant_info(await Tenant.get(slug=slug))
    with tenant_context(tenant):
        note = await create_note(title)
    message = (
        await OutboxMessage.filter(handler="example.count_note").order_by("-created_at").first()
    )
    assert message is not None
    print(f"committed {message.id} {note.id}", flush=True)
    await asyncio.sleep(600)  # the test kills us here, before any dispatch


def main(argv: list[str]) -> None:
    from core.settings import get_settings

    _install()
    if argv[0] == "worker":
        from core.jobs.worker import run_worker

        run_worker(get_settings(), dispatch="--no-dispatch" not in argv)
    elif argv[0] == "commit-and-hang":
        asyncio.run(_commit_and_hang(argv[1], argv[2]))
    else:
        raise SystemExit(f"unknown command {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
