"""Both limiter backends behave alike; the Redis one shares counters between processes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio

from core.errors import ServiceUnavailable, TooManyRequests
from core.settings import load_settings
from core.testing import free_port
from core.users.ratelimit import (
    LoginLimiter,
    LoginThrottle,
    MemoryLoginLimiter,
    RedisLoginLimiter,
    login_limiter,
    reset_login_limiters,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def namespace() -> str:
    # Redis is shared with other sessions: keys of this test carry a name of their own.
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    client = redis.asyncio.Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_counts_within_a_window_and_resets(backend, namespace, request):
    limiter: LoginLimiter = (
        MemoryLoginLimiter()
        if backend == "memory"
        else RedisLoginLimiter(request.getfixturevalue("redis_url"))
    )
    key = f"congvan:login:{namespace}:acct:an"
    assert await limiter.failures(key) == (0, 0)
    assert await limiter.add_failure(key, 60) == 1
    assert await limiter.add_failure(key, 60) == 2
    count, ttl = await limiter.failures(key)
    assert count == 2
    assert 0 < ttl <= 60
    await limiter.reset(key)
    assert await limiter.failures(key) == (0, 0)


async def test_memory_window_ends_after_its_seconds():
    clock = Clock()
    limiter = MemoryLoginLimiter(clock=clock)
    await limiter.add_failure("k", 60)
    clock.now += 30
    assert await limiter.add_failure("k", 60) == 2  # the window does not slide
    assert await limiter.failures("k") == (2, 30)
    clock.now += 30
    assert await limiter.failures("k") == (0, 0)
    assert await limiter.add_failure("k", 60) == 1


async def test_memory_limiter_stays_bounded():
    clock = Clock()
    limiter = MemoryLoginLimiter(clock=clock, max_keys=100)
    for i in range(1000):
        await limiter.add_failure(f"k{i}", 60)
    assert len(limiter._counts) <= 100
    assert await limiter.failures("k999") == (1, 60)


async def test_redis_keys_are_namespaced_and_expire(redis_url, redis_client, namespace):
    throttle = LoginThrottle(RedisLoginLimiter(redis_url), namespace, 3, 5, 120)
    await throttle.failed("An.NV", "203.0.113.7")
    account = f"congvan:login:{namespace}:acct:an.nv"
    address = f"congvan:login:{namespace}:addr:203.0.113.7"
    assert throttle.account_key("An.NV") == account
    assert throttle.address_key("203.0.113.7") == address
    assert await redis_client.get(account) == b"1"
    assert await redis_client.get(address) == b"1"
    assert 0 < await redis_client.ttl(account) <= 120
    await throttle.succeeded("an.nv")
    assert await redis_client.get(account) is None
    assert await redis_client.get(address) == b"1"
    await redis_client.delete(address)


async def test_two_processes_share_redis_counters(redis_url, namespace):
    first = LoginThrottle(RedisLoginLimiter(redis_url), namespace, 2, 10, 60)
    second = LoginThrottle(RedisLoginLimiter(redis_url), namespace, 2, 10, 60)
    await first.failed("an", "198.51.100.1")
    await second.failed("an", "198.51.100.2")
    with pytest.raises(TooManyRequests, match="for this account; try again in 1 minute\\."):
        await first.check("an", "198.51.100.3")
    await first.succeeded("an")
    await first.check("an", "198.51.100.3")
    for address in ("198.51.100.1", "198.51.100.2"):
        await first.limiter.reset(first.address_key(address))


async def test_throttle_limits_account_and_address_separately():
    limiter = MemoryLoginLimiter()
    throttle = LoginThrottle(limiter, "7", max_account=2, max_address=3, window=900)
    await throttle.failed("an", "10.0.0.1")
    await throttle.check("an", "10.0.0.1")
    await throttle.failed("an", "10.0.0.2")
    with pytest.raises(TooManyRequests) as caught:
        await throttle.check("an", "10.0.0.9")
    assert caught.value.retry_after == 900
    assert str(caught.value) == (
        "Too many failed sign-in attempts for this account; try again in 15 minutes."
    )
    await throttle.check("binh", "10.0.0.1")
    await throttle.failed("binh", "10.0.0.1")
    await throttle.failed("chi", "10.0.0.1")
    with pytest.raises(TooManyRequests, match="from this address; try again in 15 minutes"):
        await throttle.check("dung", "10.0.0.1")
    await throttle.check("dung", "10.0.0.2")


async def test_unreachable_redis_fails_closed_with_a_clear_reason():
    limiter = RedisLoginLimiter(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(ServiceUnavailable, match="CONGVAN_BROKER_URL"):
        await limiter.failures("k")
    with pytest.raises(ServiceUnavailable, match="rate-limit store"):
        await limiter.add_failure("k", 60)


def test_factory_picks_the_backend_from_the_broker_url_and_caches_it(redis_url):
    reset_login_limiters()
    try:
        embedded = login_limiter(load_settings(broker_url="inprocess://"))
        assert isinstance(embedded, MemoryLoginLimiter)
        assert login_limiter(load_settings(broker_url="inprocess://")) is embedded
        shared = login_limiter(load_settings(broker_url=redis_url))
        assert isinstance(shared, RedisLoginLimiter)
        assert shared.url == redis_url
    finally:
        reset_login_limiters()


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_a_taken_back_attempt_never_goes_below_zero_or_opens_a_window(
    backend, namespace, request
):
    limiter: LoginLimiter = (
        MemoryLoginLimiter()
        if backend == "memory"
        else RedisLoginLimiter(request.getfixturevalue("redis_url"))
    )
    key = f"congvan:login:{namespace}:addr:192.0.2.1"
    await limiter.remove_failure(key)  # nothing counted: nothing happens
    assert await limiter.failures(key) == (0, 0)
    await limiter.add_failure(key, 60)
    await limiter.add_failure(key, 60)
    await limiter.remove_failure(key)
    count, ttl = await limiter.failures(key)
    assert count == 1
    assert 0 < ttl <= 60  # the window keeps its end
    await limiter.remove_failure(key)
    await limiter.remove_failure(key)
    assert (await limiter.failures(key))[0] == 0
