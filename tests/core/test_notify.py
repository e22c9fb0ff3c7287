"""The change bus: in-process delivery, the after-commit rule, and the PostgreSQL and Redis
backends between two connections (as between two processes), including reconnects."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
import pytest
import redis.asyncio as aioredis

from core.db.connection import atomic
from core.errors import ConfigurationError
from core.notify import (
    ChangeBus,
    InProcessChangeBus,
    PostgresChangeBus,
    RedisChangeBus,
    change_bus_from_settings,
    change_bus_from_url,
    get_change_bus,
    publish_after_commit,
    set_change_bus,
)
from core.notify_db import DatabaseChangeBus
from core.settings import load_settings


async def eventually(check: Callable[[], bool], within: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@pytest.fixture
def installed_bus() -> Iterator[InProcessChangeBus]:
    previous = get_change_bus()
    bus = InProcessChangeBus()
    set_change_bus(bus)
    yield bus
    set_change_bus(previous)


# ----------------------------------------------------------------------------- in-process


async def test_in_process_delivers_before_publish_returns() -> None:
    bus = InProcessChangeBus()
    heard: list[str] = []

    async def async_listener(payload: str) -> None:
        heard.append("async " + payload)

    bus.subscribe("policy", heard.append)
    bus.subscribe("policy", async_listener)
    bus.subscribe("tenant", lambda p: heard.append("tenant " + p))
    await bus.publish("policy", "7")
    assert heard == ["7", "async 7"]
    bus.unsubscribe("policy", heard.append)
    await bus.publish("policy", "8")
    assert heard == ["7", "async 7", "async 8"]


async def test_a_failing_subscriber_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = InProcessChangeBus()
    heard: list[str] = []

    def broken(payload: str) -> None:
        raise RuntimeError("boom")

    bus.subscribe("policy", broken)
    bus.subscribe("policy", heard.append)
    await bus.publish("policy", "1")
    assert heard == ["1"]
    assert "boom" in caplog.text


@pytest.mark.parametrize("channel", ["", "Policy", "po licy", "1abc", "a" * 42, "pol-icy"])
async def test_bad_channel_names(channel: str) -> None:
    bus = InProcessChangeBus()
    with pytest.raises(ValueError, match="invalid change bus channel"):
        bus.subscribe(channel, print)
    with pytest.raises(ValueError, match="invalid change bus channel"):
        await bus.publish(channel, "x")


def test_default_bus_is_in_process() -> None:
    previous = get_change_bus()
    try:
        set_change_bus(None)
        assert isinstance(get_change_bus(), InProcessChangeBus)
        assert get_change_bus() is get_change_bus()
    finally:
        set_change_bus(previous)


async def test_publish_after_commit_waits_for_the_commit(
    db: str, installed_bus: InProcessChangeBus
) -> None:
    heard: list[str] = []
    installed_bus.subscribe("tenant", heard.append)
    async with atomic():
        await publish_after_commit("tenant", "3")
        assert heard == []
    assert heard == ["3"]
    with pytest.raises(ValueError, match="rolled back"):
        async with atomic():
            await publish_after_commit("tenant", "4")
            raise ValueError("rolled back")
    assert heard == ["3"]
    await publish_after_commit("tenant", "5")
    assert heard == ["3", "5"]


async def test_publish_after_commit_refuses_a_bare_transaction(
    db: str, installed_bus: InProcessChangeBus
) -> None:
    from tortoise.transactions import in_transaction

    with pytest.raises(RuntimeError, match="bare transaction"):
        async with in_transaction("default"):
            await publish_after_commit("tenant", "3")


async def test_publish_after_commit_logs_a_failed_publish(
    installed_bus: InProcessChangeBus, caplog: pytest.LogCaptureFixture
) -> None:
    class Down(InProcessChangeBus):
        async def publish(self, channel: str, payload: str) -> None:
            raise OSError("connection refused")

    set_change_bus(Down())
    await publish_after_commit("policy", "1")  # the change is committed: do not fail the caller
    assert "publishing '1' on 'policy' failed" in caplog.text


# ----------------------------------------------------------------------------- factory


@pytest.mark.parametrize(
    ("settings", "kind"),
    [
        ({}, DatabaseChangeBus),
        ({"broker_url": "redis://127.0.0.1:6379/0"}, RedisChangeBus),
        ({"database_url": "postgres://app@db/congvan"}, PostgresChangeBus),
        (
            {"database_url": "postgres://app@db/congvan", "broker_url": "redis://r:6379/0"},
            RedisChangeBus,
        ),
        ({"watcher_url": "postgres://app@db/x", "broker_url": "redis://r/0"}, PostgresChangeBus),
        ({"watcher_url": "redis://r:6379/2"}, RedisChangeBus),
        ({"watcher_url": "inprocess://", "database_url": "postgres://a@b/c"}, InProcessChangeBus),
    ],
)
def test_backend_choice(settings: dict[str, str], kind: type[ChangeBus]) -> None:
    bus = change_bus_from_settings(load_settings(_env_file=None, **settings))
    assert type(bus) is kind


def test_watcher_url_reaches_the_backend() -> None:
    bus = change_bus_from_settings(
        load_settings(_env_file=None, watcher_url="postgresql://app@db:5433/x?minsize=1")
    )
    assert isinstance(bus, PostgresChangeBus)
    assert bus.dsn == "postgresql://app@db:5433/x"


def test_unknown_watcher_scheme_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="CONGVAN_WATCHER_URL: scheme 'amqp'"):
        change_bus_from_settings(load_settings(_env_file=None, watcher_url="amqp://x"))


# ----------------------------------------------------------------------------- networked


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []
        self.resyncs = 0

    def on(self, bus: ChangeBus, channel: str) -> None:
        bus.subscribe(channel, lambda payload: self.messages.append((channel, payload)))

    def resync(self) -> None:
        self.resyncs += 1


BusFactory = Callable[[], ChangeBus]


@pytest.fixture
def prefix() -> str:
    return "t" + uuid.uuid4().hex[:10]


@pytest.fixture(params=["postgres", "redis"])
async def factory(
    request: pytest.FixtureRequest, prefix: str
) -> AsyncIterator[tuple[str, BusFactory]]:
    if request.param == "postgres":
        url = request.getfixturevalue("pg_urls")[1]
    else:
        url = request.getfixturevalue("redis_url")
    buses: list[ChangeBus] = []

    def make() -> ChangeBus:
        bus = change_bus_from_url(url, prefix=prefix)
        if isinstance(bus, RedisChangeBus | PostgresChangeBus):
            bus.retry_delay = 0.05
        buses.append(bus)
        return bus

    yield request.param, make
    for bus in buses:
        await bus.close()


async def test_messages_cross_connections(factory: tuple[str, BusFactory]) -> None:
    _, make = factory
    listener, publisher = make(), make()
    seen = Recorder()
    seen.on(listener, "policy")
    seen.on(listener, "tenant")
    own = Recorder()
    own.on(publisher, "policy")
    await listener.start()
    await publisher.start()
    await publisher.publish("policy", "12")
    await publisher.publish("tenant", "13")
    await eventually(lambda: len(seen.messages) == 2)
    assert seen.messages == [("policy", "12"), ("tenant", "13")]
    # A process hears its own messages too.
    await eventually(lambda: own.messages == [("policy", "12")])


async def test_other_prefixes_are_not_heard(factory: tuple[str, BusFactory], prefix: str) -> None:
    _, make = factory
    listener = make()
    seen = Recorder()
    seen.on(listener, "policy")
    await listener.start()
    stranger = make()
    stranger.prefix = prefix + "x"  # another deployment on the same server
    await stranger.publish("policy", "1")
    await make().publish("policy", "2")
    await eventually(lambda: seen.messages == [("policy", "2")])
    await asyncio.sleep(0.1)
    assert seen.messages == [("policy", "2")]


async def test_late_subscription_listens_and_resyncs(factory: tuple[str, BusFactory]) -> None:
    _, make = factory
    listener = make()
    seen = Recorder()
    listener.on_resync(seen.resync)
    await listener.start()
    seen.on(listener, "policy")
    await eventually(lambda: seen.resyncs == 1)
    await make().publish("policy", "5")
    await eventually(lambda: seen.messages == [("policy", "5")])


async def test_reconnects_after_the_connection_drops(
    factory: tuple[str, BusFactory], request: pytest.FixtureRequest
) -> None:
    kind, make = factory
    listener = make()
    seen = Recorder()
    seen.on(listener, "policy")
    listener.on_resync(seen.resync)
    await listener.start()
    await kill_listen_connection(kind, listener, request)
    # Messages sent while disconnected may be lost; the resync tells subscribers so.
    await eventually(lambda: seen.resyncs >= 1, within=15)
    publisher = make()
    await publisher.publish("policy", "after")
    await eventually(lambda: ("policy", "after") in seen.messages)


async def kill_listen_connection(kind: str, bus: ChangeBus, request: pytest.FixtureRequest) -> None:
    if isinstance(bus, PostgresChangeBus):
        admin_url = request.getfixturevalue("pg_urls")[0]
        pid = bus._conn.get_server_pid()
        conn = await asyncpg.connect(admin_url.replace("postgres://", "postgresql://", 1))
        try:
            assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await conn.close()
    else:
        assert isinstance(bus, RedisChangeBus)
        host, port = bus._pubsub.connection._writer.get_extra_info("sockname")[:2]
        admin: Any = aioredis.Redis.from_url(request.getfixturevalue("redis_url"))
        try:
            assert await admin.execute_command("CLIENT", "KILL", "ADDR", f"{host}:{port}") == 1
        finally:
            await admin.aclose()


async def test_postgres_probe_notices_a_dead_connection(
    pg_urls: tuple[str, str], prefix: str
) -> None:
    bus = PostgresChangeBus(pg_urls[1], prefix=prefix, retry_delay=0.05, probe=0.1)
    seen = Recorder()
    seen.on(bus, "policy")
    bus.on_resync(seen.resync)
    await bus.start()
    try:
        # Close the socket under asyncpg without telling the bus: only the probe can notice.
        bus._conn.remove_termination_listener(bus._on_terminated)
        bus._conn._transport.abort()
        await eventually(lambda: seen.resyncs >= 1, within=5)
        await change_bus_from_url(pg_urls[1], prefix=prefix).publish("policy", "9")
        await eventually(lambda: ("policy", "9") in seen.messages)
    finally:
        await bus.close()


async def test_unreachable_server_fails_start_naming_the_setting(prefix: str) -> None:
    from core.testing import free_port

    port = free_port()
    settings = load_settings(
        _env_file=None,
        database_url=f"postgres://x@127.0.0.1:{port}/x",
        broker_url=f"redis://127.0.0.1:{port}/0",
    )
    with pytest.raises(ConfigurationError, match="CONGVAN_BROKER_URL: change bus cannot connect"):
        await change_bus_from_settings(settings).start()
    pg_only = load_settings(_env_file=None, database_url=f"postgres://x@127.0.0.1:{port}/x")
    with pytest.raises(ConfigurationError, match="CONGVAN_DATABASE_URL: change bus cannot"):
        await change_bus_from_settings(pg_only).start()
    watcher = load_settings(_env_file=None, watcher_url=f"redis://127.0.0.1:{port}/0")
    with pytest.raises(ConfigurationError, match="CONGVAN_WATCHER_URL: change bus cannot"):
        await change_bus_from_settings(watcher).start()
