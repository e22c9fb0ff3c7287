"""The change bus: tells every process that something cached per tenant changed.

Processes keep per-tenant state in memory. When one process changes that state in the database
it publishes the tenant id on a channel, and every process — itself included — drops what it
cached: ``policy`` (the tenant's Casbin enforcer, :mod:`core.authz.enforcer`) and ``tenant``
(the tenant registry's snapshot of that tenant).

Backends: :class:`InProcessChangeBus` (embedded mode), :class:`PostgresChangeBus` (``LISTEN`` /
``NOTIFY`` on a dedicated asyncpg connection) and :class:`RedisChangeBus` (pub/sub).
**Publish after commit.** A message published while the change is still inside an open
transaction can reach another process before the commit; that process reloads the old rows and
keeps them. Services therefore publish *after* their ``async with atomic():`` block has exited,
through :func:`publish_after_commit`, which inside ``atomic()`` waits for the outermost commit
(:func:`core.db.connection.on_commit`) and drops the message on rollback.

**Missed messages.** Messages sent while a connection is down are lost; after reconnecting, the
bus calls every :meth:`ChangeBus.on_resync` callback so subscribers drop all they cached.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from core.errors import ConfigurationError
from core.settings import Settings

log = logging.getLogger("congvan.notify")

Callback = Callable[[str], Awaitable[None] | None]
ResyncCallback = Callable[[], Awaitable[None] | None]

POLICY_CHANNEL = "policy"
TENANT_CHANNEL = "tenant"
_CHANNEL_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class ChangeBus:
    """Subscribers and in-order delivery; subclasses move the messages between processes."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[Callback]] = {}
        self._resync: list[ResyncCallback] = []
        self._queue: asyncio.Queue[tuple[str, str]] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.started = False

    async def publish(self, channel: str, payload: str) -> None:
        """Send ``payload`` to every subscriber of ``channel`` in every process."""
        raise NotImplementedError

    def subscribe(self, channel: str, callback: Callback) -> None:
        """Call ``callback(payload)`` (sync or async) for each message on ``channel``."""
        _check_channel(channel)
        new_channel = channel not in self._subscribers
        self._subscribers.setdefault(channel, []).append(callback)
        if new_channel and self.started and isinstance(self, _RemoteChangeBus):
            self._spawn(self._late_listen(channel))

    def unsubscribe(self, channel: str, callback: Callback) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.get(channel, []).remove(callback)

    def on_resync(self, callback: ResyncCallback) -> None:
        """Call ``callback()`` when messages may have been missed (after a reconnect)."""
        self._resync.append(callback)

    async def start(self) -> None:
        """Connect and listen on every subscribed channel; idempotent."""
        if self.started:
            return
        self._queue = asyncio.Queue()
        self._spawn(self._deliver_loop(self._queue))
        self.started = True

    async def close(self) -> None:
        """Stop listening and release connections; idempotent."""
        self.started = False
        tasks, self._tasks = list(self._tasks), set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._queue = None

    def _received(self, channel: str, payload: str) -> None:
        """Queue a message for in-order delivery (callable from sync listener callbacks)."""
        if self._queue is not None:
            self._queue.put_nowait((channel, payload))

    async def _deliver(self, channel: str, payload: str) -> None:
        for callback in list(self._subscribers.get(channel, ())):
            await _call(callback, payload)

    async def _resync_all(self) -> None:
        for callback in list(self._resync):
            await _call(callback)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver_loop(self, queue: asyncio.Queue[tuple[str, str]]) -> None:
        while True:
            await self._deliver(*await queue.get())


class InProcessChangeBus(ChangeBus):
    """Embedded mode: one process, so delivery is a direct call before ``publish`` returns."""

    async def publish(self, channel: str, payload: str) -> None:
        _check_channel(channel)
        await self._deliver(channel, payload)


class _RemoteChangeBus(ChangeBus):
    """A bus over a server: connect on start, keep a loop that reconnects with back-off."""

    def __init__(self, *, prefix: str, retry_delay: float) -> None:
        super().__init__()
        self.prefix = prefix
        self.retry_delay = retry_delay
        self.setting = "CONGVAN_WATCHER_URL"  # named in the error when the server is unreachable

    async def start(self) -> None:
        if self.started:
            return
        await super().start()
        try:
            await self._connect()
        except Exception as exc:
            await self.close()
            why = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ConfigurationError(f"{self.setting}: change bus cannot connect ({why})") from exc
        self._spawn(self._run())

    async def _connect(self) -> None: ...

    async def _run(self) -> None: ...

    async def _listen(self, channel: str) -> None: ...

    async def _late_listen(self, channel: str) -> None:
        # Messages sent before the LISTEN was active are lost: let subscribers resync.
        await self._listen(channel)
        await self._resync_all()

    async def _reconnect(self) -> None:
        delay = self.retry_delay
        while True:
            try:
                await self._connect()
                return
            except Exception as exc:  # keep trying whatever the cause
                log.warning("change bus: reconnect failed (%s); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)


class PostgresChangeBus(_RemoteChangeBus):
    """``LISTEN``/``NOTIFY`` over one dedicated asyncpg connection, reconnected when lost."""

    def __init__(
        self, url: str, *, prefix: str = "congvan", retry_delay: float = 0.5, probe: float = 10.0
    ) -> None:
        super().__init__(prefix=prefix, retry_delay=retry_delay)
        parts = urlsplit(url)  # asyncpg wants postgresql:// and no tortoise query options
        self.dsn = urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))
        self.probe_interval = probe
        self._conn: Any = None
        self._lock = asyncio.Lock()
        self._lost = asyncio.Event()

    def _wire(self, channel: str) -> str:
        return f"{self.prefix}_{channel}"

    async def close(self) -> None:
        await super().close()
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), timeout=2)

    async def publish(self, channel: str, payload: str) -> None:
        _check_channel(channel)
        async with self._lock:
            if self._conn is None or self._conn.is_closed():
                await self._connect_locked()
            await self._conn.execute("SELECT pg_notify($1, $2)", self._wire(channel), payload)

    async def _connect(self) -> None:
        async with self._lock:
            await self._connect_locked()

    async def _connect_locked(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.dsn, timeout=10)
        conn.add_termination_listener(self._on_terminated)
        for channel in list(self._subscribers):
            await conn.add_listener(self._wire(channel), self._on_notify)
        old, self._conn = self._conn, conn
        self._lost.clear()
        if old is not None:  # a reconnect: messages sent meanwhile are lost
            if not old.is_closed():
                old.terminate()
            self._spawn(self._resync_all())

    async def _listen(self, channel: str) -> None:
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                await self._conn.add_listener(self._wire(channel), self._on_notify)

    def _on_notify(self, conn: Any, pid: int, wire_channel: str, payload: str) -> None:
        self._received(wire_channel.removeprefix(self.prefix + "_"), payload)

    def _on_terminated(self, conn: Any) -> None:
        if conn is self._conn:
            self._lost.set()

    async def _healthy(self) -> bool:
        # A probe also catches a silently dead TCP connection, which never fires _on_terminated.
        async with self._lock:
            try:
                await asyncio.wait_for(self._conn.fetchval("SELECT 1"), timeout=5)
                return True
            except Exception:  # any failure of the probe means: reconnect
                return False

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._lost.wait(), timeout=self.probe_interval)
            if not self._lost.is_set() and await self._healthy():
                continue
            log.warning("change bus: PostgreSQL LISTEN connection lost; reconnecting")
            await self._reconnect()


class RedisChangeBus(_RemoteChangeBus):
    """Redis pub/sub: one pub/sub connection reads, the client pool publishes."""

    def __init__(self, url: str, *, prefix: str = "congvan", retry_delay: float = 0.5) -> None:
        super().__init__(prefix=prefix, retry_delay=retry_delay)
        self.url = url
        self._client: Any = None
        self._pubsub: Any = None

    def _wire(self, channel: str) -> str:
        return f"{self.prefix}:{channel}"

    async def close(self) -> None:
        await super().close()
        for resource in (self._pubsub, self._client):
            with contextlib.suppress(Exception):
                if resource is not None:
                    await resource.aclose()
        self._pubsub = self._client = None

    async def publish(self, channel: str, payload: str) -> None:
        _check_channel(channel)
        self._client = self._client or _redis_client(self.url)
        await self._client.publish(self._wire(channel), payload)

    async def _connect(self) -> None:
        self._client = self._client or _redis_client(self.url)
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        # Always hold one subscription so the reader has something to read.
        await pubsub.subscribe(self._wire("_bus"), *(self._wire(c) for c in self._subscribers))
        old, self._pubsub = self._pubsub, pubsub
        if old is not None:  # a reconnect: messages sent meanwhile are lost
            with contextlib.suppress(Exception):
                await old.aclose()
            self._spawn(self._resync_all())

    async def _listen(self, channel: str) -> None:
        if self._pubsub is not None:
            await self._pubsub.subscribe(self._wire(channel))

    async def _run(self) -> None:
        from redis.exceptions import RedisError

        while True:
            try:
                message = await self._pubsub.get_message(True, timeout=1.0)
            except (RedisError, OSError) as exc:
                log.warning("change bus: Redis pub/sub connection lost (%s); reconnecting", exc)
                await asyncio.sleep(self.retry_delay)
                await self._reconnect()
                continue
            if message is not None and message.get("type") == "message":
                channel = str(message["channel"]).removeprefix(self.prefix + ":")
                self._received(channel, str(message["data"]))


def change_bus_from_settings(settings: Settings) -> ChangeBus:
    """``CONGVAN_WATCHER_URL`` if set; else Redis when the broker is Redis; else PostgreSQL
    when the database is; else the database bus of the embedded mode, so that a CLI command
    reaches a running server (:mod:`core.notify_db`)."""
    if settings.watcher_url:
        return change_bus_from_url(settings.watcher_url)
    from core.notify_db import DatabaseChangeBus

    bus: ChangeBus = DatabaseChangeBus()
    if settings.broker_url.startswith(("redis://", "rediss://")):
        bus = RedisChangeBus(settings.broker_url)
        bus.setting = "CONGVAN_BROKER_URL"
    elif settings.is_postgres:
        bus = PostgresChangeBus(settings.resolved_database_url)
        bus.setting = "CONGVAN_DATABASE_URL"
    return bus


def change_bus_from_url(url: str, *, prefix: str = "congvan") -> ChangeBus:
    """A bus for ``postgres://``, ``redis://``/``rediss://`` or ``inprocess://``."""
    scheme = urlsplit(url).scheme
    if scheme in ("postgres", "postgresql", "asyncpg"):
        return PostgresChangeBus(url, prefix=prefix)
    if scheme in ("redis", "rediss"):
        return RedisChangeBus(url, prefix=prefix)
    if scheme == "inprocess":
        return InProcessChangeBus()
    raise ConfigurationError(
        f"CONGVAN_WATCHER_URL: scheme {scheme!r} is not postgres://, redis:// or inprocess://"
    )


_bus: ChangeBus | None = None


def set_change_bus(bus: ChangeBus | None) -> ChangeBus | None:
    """Install the process's bus (the runtime does this at start-up)."""
    global _bus
    _bus = bus
    return bus


def get_change_bus() -> ChangeBus:
    """The process's bus; an in-process bus until the runtime installs the configured one."""
    global _bus
    if _bus is None:
        _bus = InProcessChangeBus()
    return _bus


async def publish_after_commit(channel: str, payload: str) -> None:
    """Publish on the process's bus once the change is committed.

    Inside ``atomic()`` the message waits for the outermost commit (and is dropped on
    rollback); outside any transaction it goes at once. Inside a bare tortoise transaction,
    which cannot be deferred, it raises.
    """
    from core.db.connection import in_atomic, on_commit

    if in_atomic():
        await on_commit(lambda: _publish_now(channel, payload))
        return
    if in_open_transaction():
        raise RuntimeError(
            f"publish_after_commit({channel!r}) was called inside a bare transaction; "
            "use `async with atomic():` so it can wait for the commit"
        )
    await _publish_now(channel, payload)


async def _publish_now(channel: str, payload: str) -> None:
    try:
        await get_change_bus().publish(channel, payload)
    except Exception:
        # The change is committed; failing the request now would report an error for a
        # change that was saved. Other processes catch up through their cache's max age.
        log.exception("change bus: publishing %r on %r failed", payload, channel)


def in_open_transaction() -> bool:
    """Whether the current task runs inside a tortoise transaction on the default connection."""
    from tortoise import connections
    from tortoise.backends.base.client import TransactionalDBClient
    from tortoise.exceptions import ConfigurationError as TortoiseConfigurationError

    try:
        connection = connections.get("default")
    except (TortoiseConfigurationError, KeyError):
        return False
    return isinstance(connection, TransactionalDBClient) and not connection._finalized


async def _call(callback: Callable[..., Awaitable[None] | None], *args: str) -> None:
    try:
        result = callback(*args)
        if inspect.isawaitable(result):
            await result
    except Exception:  # one failing subscriber must not stop the others
        log.exception("change bus callback %r failed on %r", callback, args)


def _check_channel(channel: str) -> None:
    if not _CHANNEL_RE.match(channel):
        raise ValueError(f"invalid change bus channel {channel!r} (lower-case letters, digits, _)")


def _redis_client(url: str) -> Any:
    import redis.asyncio as aioredis

    return aioredis.Redis.from_url(url, decode_responses=True)
