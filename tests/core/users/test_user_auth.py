from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher

from core.audit.models import AuditEvent
from core.context import tenant_context
from core.errors import TooManyRequests, Unauthenticated
from core.settings import Settings, load_settings, reset_settings_cache
from core.users.auth import authenticate
from core.users.models import User
from core.users.ratelimit import MemoryLoginLimiter, RedisLoginLimiter, reset_login_limiters
from core.users.services import create_user, deactivate_user, get_user

PASSWORD = "mật-khẩu-đúng"


@pytest.fixture
def strict() -> Settings:
    return load_settings(
        broker_url="inprocess://",
        login_max_failures_account=3,
        login_max_failures_address=5,
        login_window_seconds=600,
    )


@pytest.fixture
def limiter() -> MemoryLoginLimiter:
    return MemoryLoginLimiter()


async def sign_in(username, password, limiter, settings, address="192.0.2.10") -> User:
    return await authenticate(
        username, password, address=address, settings=settings, limiter=limiter
    )


async def test_right_password_signs_in_and_stamps_last_login(tenant_context, limiter, strict):
    user = await create_user("an.nv", "Nguyễn Văn An", password=PASSWORD)
    signed_in = await sign_in("  AN.NV ", PASSWORD, limiter, strict)
    assert signed_in.id == user.id
    assert (await get_user(user.id)).last_login_at is not None
    event = await AuditEvent.get(action="user.login")
    assert event.actor == f"user:{user.id}"
    assert event.after == {"address": "192.0.2.10"}


async def test_wrong_password_and_unknown_user_get_the_same_answer(tenant_context, limiter, strict):
    await create_user("an.nv", "An", password=PASSWORD)
    await create_user("nopass", "No password")
    for username, password in (("an.nv", "wrong-password"), ("ghost", PASSWORD), ("nopass", "")):
        with pytest.raises(Unauthenticated) as caught:
            await sign_in(username, password, limiter, strict)
        assert str(caught.value) == "Wrong username or password."
    assert (await User.get(username="an.nv")).last_login_at is None
    assert [e.action for e in await AuditEvent.filter(action__startswith="user.login")] == [
        "user.login_failed",
        "user.login_failed",
    ]


async def test_deactivated_account_is_told_only_after_the_right_password(
    tenant_context, limiter, strict
):
    user = await create_user("an.nv", "An", password=PASSWORD)
    await deactivate_user(user.id)
    with pytest.raises(Unauthenticated, match=r"^Wrong username or password\.$"):
        await sign_in("an.nv", "wrong-password", limiter, strict)
    with pytest.raises(Unauthenticated, match=r"^This account is deactivated\.$"):
        await sign_in("an.nv", PASSWORD, limiter, strict)


async def test_too_many_failures_lock_the_account_even_for_the_right_password(
    tenant_context, limiter, strict
):
    await create_user("an.nv", "An", password=PASSWORD)
    for i in range(3):
        with pytest.raises(Unauthenticated):
            await sign_in("an.nv", "wrong-password", limiter, strict, address=f"192.0.2.{i}")
    with pytest.raises(TooManyRequests) as caught:
        await sign_in("an.nv", PASSWORD, limiter, strict, address="192.0.2.99")
    assert str(caught.value) == (
        "Too many failed sign-in attempts for this account; try again in 10 minutes."
    )
    assert caught.value.retry_after == 600
    assert (await User.get(username="an.nv")).last_login_at is None
    # Unknown user names are counted alike, so lockouts do not reveal which names exist.
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await sign_in("ghost", "x", limiter, strict, address="198.51.100.1")
    with pytest.raises(TooManyRequests, match="for this account"):
        await sign_in("ghost", "x", limiter, strict, address="198.51.100.2")


async def test_success_resets_the_account_counter(tenant_context, limiter, strict):
    await create_user("an.nv", "An", password=PASSWORD)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await sign_in("an.nv", "wrong-password", limiter, strict)
    await sign_in("an.nv", PASSWORD, limiter, strict, address="192.0.2.50")
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await sign_in("an.nv", "wrong-password", limiter, strict, address="192.0.2.51")
    await sign_in("an.nv", PASSWORD, limiter, strict, address="192.0.2.52")


async def test_too_many_failures_from_one_address(tenant_context, limiter, strict):
    await create_user("an.nv", "An", password=PASSWORD)
    for i in range(5):
        with pytest.raises(Unauthenticated):
            await sign_in(f"user{i}", "guess-guess", limiter, strict, address="203.0.113.5")
    with pytest.raises(TooManyRequests, match="from this address; try again in 10 minutes"):
        await sign_in("an.nv", PASSWORD, limiter, strict, address="203.0.113.5")
    assert (await sign_in("an.nv", PASSWORD, limiter, strict, address="203.0.113.6")).username


async def test_counters_are_per_tenant(tenant, other_tenant, limiter, strict):
    for info in (tenant, other_tenant):
        with tenant_context(info):
            await create_user("an.nv", "An", password=PASSWORD)
    with tenant_context(tenant):
        for _ in range(3):
            with pytest.raises(Unauthenticated):
                await sign_in("an.nv", "wrong-password", limiter, strict, address="a")
        with pytest.raises(TooManyRequests):
            await sign_in("an.nv", PASSWORD, limiter, strict, address="b")
    with tenant_context(other_tenant):
        assert (await sign_in("an.nv", PASSWORD, limiter, strict, address="c")).username == "an.nv"


async def test_another_tenants_password_does_not_work_here(tenant, other_tenant, limiter, strict):
    with tenant_context(tenant):
        await create_user("an.nv", "An", password=PASSWORD)
    with tenant_context(other_tenant):
        await create_user("an.nv", "An", password="another-password")
        with pytest.raises(Unauthenticated, match="Wrong username or password"):
            await sign_in("an.nv", PASSWORD, limiter, strict)


async def test_weak_hashes_are_upgraded_at_sign_in(tenant_context, limiter, strict):
    user = await create_user("an.nv", "An")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    await User.filter(id=user.id).update(password_hash=weak)
    await sign_in("an.nv", PASSWORD, limiter, strict)
    upgraded = (await get_user(user.id)).password_hash
    assert upgraded != weak
    assert upgraded.startswith("$argon2id$")
    await sign_in("an.nv", PASSWORD, limiter, strict)


@pytest.fixture
def env_limits(monkeypatch) -> Iterator[None]:
    monkeypatch.setenv("CONGVAN_LOGIN_MAX_FAILURES_ACCOUNT", "2")
    monkeypatch.setenv("CONGVAN_BROKER_URL", "inprocess://")
    reset_settings_cache()
    reset_login_limiters()
    yield
    monkeypatch.undo()
    reset_settings_cache()
    reset_login_limiters()


async def test_defaults_come_from_the_process_settings(tenant_context, env_limits):
    await create_user("an.nv", "An", password=PASSWORD)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await authenticate("an.nv", "wrong-password", address="192.0.2.1")
    with pytest.raises(TooManyRequests):
        await authenticate("an.nv", PASSWORD, address="192.0.2.1")


async def test_redis_backend_locks_out_across_limiter_instances(tenant_context, redis_url, strict):
    username = f"u{uuid.uuid4().hex[:12]}"  # Redis is shared: a name no other test uses
    address = f"addr-{uuid.uuid4().hex}"
    await create_user(username, "Redis user", password=PASSWORD)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            await sign_in(username, "wrong-password", RedisLoginLimiter(redis_url), strict, address)
    with pytest.raises(TooManyRequests, match="for this account"):
        await sign_in(username, PASSWORD, RedisLoginLimiter(redis_url), strict, f"{address}-2")
    limiter = RedisLoginLimiter(redis_url)
    tenant_id = tenant_context.id
    await limiter.reset(f"congvan:login:{tenant_id}:acct:{username}")
    assert (await sign_in(username, PASSWORD, limiter, strict, f"{address}-3")).username == username
    await limiter.reset(f"congvan:login:{tenant_id}:addr:{address}")


async def test_parallel_attempts_cannot_exceed_the_account_limit(tenant_context, limiter, strict):
    import asyncio

    await create_user("an.nv", "An", password=PASSWORD)
    attempts = [
        sign_in("an.nv", "wrong-password", limiter, strict, address=f"192.0.2.{n}")
        for n in range(10)
    ]
    outcomes = await asyncio.gather(*attempts, return_exceptions=True)
    wrong = [o for o in outcomes if isinstance(o, Unauthenticated)]
    refused = [o for o in outcomes if isinstance(o, TooManyRequests)]
    assert len(wrong) == 3  # only as many password checks as the limit allows
    assert len(refused) == 7


async def test_successful_sign_ins_do_not_use_up_the_address_limit(tenant_context, limiter, strict):
    await create_user("an.nv", "An", password=PASSWORD)
    for _ in range(12):  # an office behind one address: more successes than the limit of 5
        await sign_in("an.nv", PASSWORD, limiter, strict, address="198.51.100.9")
