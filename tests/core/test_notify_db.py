"""The database change bus: another process's change reaches this one within a second."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap

from core.notify_db import DatabaseChangeBus

PUBLISHER = textwrap.dedent(
    """
    import asyncio, sys
    from core.db.connection import close_db, init_db
    from core.notify_db import DatabaseChangeBus
    from core.plugins.apps import model_apps
    from core.plugins.manager import build_host

    async def main(url):
        await init_db(url, model_apps(build_host(entry_points_too=False)))
        await DatabaseChangeBus().publish("tenant", "42")
        await close_db()

    asyncio.run(main(sys.argv[1]))
    """
)


async def wait_for(received: list[str], count: int, seconds: float = 1.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if len(received) >= count:
            return
        await asyncio.sleep(0.02)


async def test_a_message_from_another_process_arrives_within_a_second(db):
    bus = DatabaseChangeBus(interval=0.1)
    received: list[str] = []
    bus.subscribe("tenant", received.append)
    await bus.start()
    try:
        await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", PUBLISHER, db], check=True, timeout=60
        )
        await wait_for(received, 1)
        assert received == ["42"]
    finally:
        await bus.close()


async def test_own_messages_arrive_once_and_old_ones_are_not_replayed(db):
    first = DatabaseChangeBus(interval=0.05)
    await first.publish("policy", "1")  # before anyone listens: not replayed later
    received: list[str] = []
    first.subscribe("policy", received.append)
    await first.start()
    try:
        await first.publish("policy", "2")
        await asyncio.sleep(0.2)
        assert received == ["2"]
    finally:
        await first.close()
