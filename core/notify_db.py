"""A change bus over the database, for the embedded mode (SQLite, no Redis).

``congvan plugin enable`` in a terminal and ``congvan serve`` are two processes even on a laptop;
the in-process bus cannot tell the server. This bus appends each message to
``core_change_notice`` and every process polls for rows newer than the last it saw, so a change
reaches the others within ``interval`` seconds. Rows older than ``keep`` are purged.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from core.context import platform_scope
from core.notify import ChangeBus, _check_channel
from core.notify_models import ChangeNotice

log = logging.getLogger("congvan.notify")


class DatabaseChangeBus(ChangeBus):
    """Publishes by inserting a row; delivers what other processes (and itself) inserted."""

    def __init__(self, *, interval: float = 0.5, keep: timedelta = timedelta(hours=1)) -> None:
        super().__init__()
        self.interval = interval
        self.keep = keep
        self._last_id = 0
        self._last_purge = datetime.now(UTC)
        self._polling = asyncio.Lock()

    async def publish(self, channel: str, payload: str) -> None:
        _check_channel(channel)
        with platform_scope():
            await ChangeNotice.create(channel=channel, payload=payload)
        if self.started:
            # Deliver our own message now rather than at the next poll.
            await self.poll()
        else:
            await self._deliver(channel, payload)

    async def start(self) -> None:
        if self.started:
            return
        with platform_scope():
            last = await ChangeNotice.all().order_by("-id").first()
        self._last_id = last.id if last else 0
        await super().start()
        self._spawn(self._poll_loop())

    async def poll(self) -> int:
        """Deliver every notice newer than the last one seen; returns how many."""
        # The loop and publish() both poll: one at a time, or a row is delivered twice.
        async with self._polling:
            with platform_scope():
                notices = await ChangeNotice.filter(id__gt=self._last_id).order_by("id")
            for notice in notices:
                self._last_id = notice.id
                self._received(notice.channel, notice.payload)
            return len(notices)

    async def _poll_loop(self) -> None:
        while True:
            try:
                await self.poll()
                await self._purge()
            except Exception:
                # The database may be busy or briefly gone; what was missed is reloaded.
                log.exception("change bus: polling the database failed")
                await self._resync_all()
            await asyncio.sleep(self.interval)

    async def _purge(self) -> None:
        now = datetime.now(UTC)
        if now - self._last_purge < self.keep / 4:
            return
        self._last_purge = now
        with platform_scope():
            await ChangeNotice.filter(created_at__lt=now - self.keep).delete()
