"""Production mode: outbox rows travel to ``congvan worker`` processes through dramatiq and Redis.

There is one actor, ``congvan_run_message(message_id)``, on the queue ``congvan``; the tenant
rides in the message options (:mod:`core.jobs.middleware`). Dramatiq's own retries are off
(``max_retries=0``): the outbox counts attempts and schedules retries, exactly as in the
embedded mode. The actor runs :func:`core.jobs.executor.execute_message` on the AsyncIO
middleware's event-loop thread, where the worker initialised tortoise.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from dramatiq.actor import Actor
from dramatiq.broker import Broker
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import AsyncIO
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from core.jobs.backends import BrokerUnavailable
from core.jobs.executor import DEFAULT_TIMEOUT, execute_message
from core.jobs.middleware import TenantMiddleware, TenantResolver

QUEUE = "congvan"
ACTOR_NAME = "congvan_run_message"
NAMESPACE = "congvan"


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def redis_client(url: str) -> redis.Redis:
    """A client that fails fast when Redis is down (the outbox keeps the message meanwhile)."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=5,
        socket_timeout=10,
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.1), 2),
    )


def build_broker(url: str, *, resolve: TenantResolver | None = None) -> RedisBroker:
    """A Redis broker with dramatiq's default middleware, AsyncIO and the tenant middleware."""
    broker = RedisBroker(client=redis_client(url), namespace=NAMESPACE)  # type: ignore[no-untyped-call]
    broker.add_middleware(AsyncIO())
    broker.add_middleware(TenantMiddleware(resolve))
    return broker


def declare_actor(broker: Broker, *, time_limit: float = DEFAULT_TIMEOUT) -> Actor[..., Any]:
    """The one actor that runs outbox messages, declared once per broker."""
    if ACTOR_NAME in broker.actors:
        return broker.actors[ACTOR_NAME]

    async def congvan_run_message(message_id: str) -> None:
        await execute_message(message_id, time_limit=time_limit)

    return Actor(
        congvan_run_message,
        broker=broker,
        actor_name=ACTOR_NAME,
        queue_name=QUEUE,
        priority=0,
        # The executor enforces ``time_limit`` itself; dramatiq's limit is only a backstop.
        options={"max_retries": 0, "time_limit": int((time_limit + 60) * 1000)},
    )


def close_broker(broker: Broker) -> None:
    """Close the broker and its Redis connection pool."""
    broker.close()
    client = getattr(broker, "client", None)
    if isinstance(client, redis.Redis):
        client.close()


class DramatiqBackend:
    """Sends each claimed row as ``congvan_run_message(id)`` with ``options={"tenant_id": …}``.

    Built from ``broker_url`` (it then owns and closes its broker) or around an existing broker
    (the worker's). It does not consume: ``congvan worker`` does.
    """

    name = "dramatiq"

    def __init__(
        self,
        broker_url: str | None = None,
        *,
        broker: Broker | None = None,
        time_limit: float = DEFAULT_TIMEOUT,
    ) -> None:
        if broker is None:
            if not broker_url:
                raise ValueError("DramatiqBackend needs a broker_url or a broker")
            broker = build_broker(broker_url)
            self._owns_broker = True
        else:
            self._owns_broker = False
        self.broker = broker
        self.where = redact(broker_url) if broker_url else type(broker).__name__
        self.actor = declare_actor(broker, time_limit=time_limit)

    def capacity(self) -> int | None:
        return None

    async def send(self, message_id: str, tenant_id: int | None) -> None:
        try:
            # The Redis client blocks; keep the event loop (and the jobs on it) running.
            await asyncio.to_thread(
                self.actor.send_with_options, args=(message_id,), tenant_id=tenant_id
            )
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise BrokerUnavailable(f"cannot send to {self.where} ({reason[:200]})") from exc

    async def start(self) -> None:
        """Nothing to start: this process only sends."""

    async def stop(self) -> None:
        if self._owns_broker:
            close_broker(self.broker)
