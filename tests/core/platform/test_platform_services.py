"""Platform admins work with no tenant in context; their sign-in follows the tenant rules."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from core.context import current_tenant_or_none, tenant_context
from core.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from core.platform.models import PlatformAdmin, PlatformToken
from core.platform.services import (
    authenticate_platform,
    create_platform_admin,
    create_platform_token,
    deactivate_platform_admin,
    list_platform_admins,
    list_platform_tokens,
    resolve_platform_token,
    revoke_platform_token,
    set_platform_password,
)
from core.settings import load_settings
from core.users.ratelimit import LoginThrottle, MemoryLoginLimiter
from core.users.services import create_user
from core.users.tokens import create_token, resolve_token

PASSWORD = "vendor-secret-1"


@pytest.fixture
def strict():
    return load_settings(
        broker_url="inprocess://",
        login_max_failures_account=2,
        login_max_failures_address=4,
        login_window_seconds=120,
    )


@pytest.fixture
def limiter():
    return MemoryLoginLimiter()


async def sign_in(username, password, limiter, settings, address="192.0.2.1"):
    return await authenticate_platform(
        username, password, address=address, settings=settings, limiter=limiter
    )


async def test_create_list_and_password_rules(db):
    assert current_tenant_or_none() is None
    admin = await create_platform_admin(" Ops ", PASSWORD, "Vận hành")
    assert admin.username == "ops"
    assert admin.password_hash.startswith("$argon2id$")
    await create_platform_admin("alice", "another-secret")
    assert [a.username for a in await list_platform_admins()] == ["alice", "ops"]
    with pytest.raises(Conflict, match="username 'ops' is already taken"):
        await create_platform_admin("OPS", PASSWORD)
    with pytest.raises(InvalidInput) as caught:
        await create_platform_admin("bob", "short")
    assert "password" in caught.value.errors
    with pytest.raises(InvalidInput, match="must not be the user name"):
        await create_platform_admin("bob.vendor", "Bob.Vendor")
    with pytest.raises(InvalidInput) as caught:
        await create_platform_admin("x", PASSWORD)
    assert "username" in caught.value.errors
    assert await PlatformAdmin.all().count() == 2


async def test_sign_in_right_wrong_unknown_and_deactivated(db, limiter, strict):
    admin = await create_platform_admin("ops", PASSWORD)
    assert (await sign_in("OPS", PASSWORD, limiter, strict)).id == admin.id
    for username, password in (("ops", "wrong-password"), ("ghost", PASSWORD)):
        with pytest.raises(Unauthenticated) as caught:
            await sign_in(username, password, limiter, strict, address=username)
        assert str(caught.value) == "Wrong username or password."
    await deactivate_platform_admin(admin.id)
    with pytest.raises(Unauthenticated, match=r"^This account is deactivated\.$"):
        await sign_in("ops", PASSWORD, limiter, strict, address="192.0.2.9")


async def test_sign_in_is_rate_limited_in_the_platform_namespace(db, limiter, strict):
    await create_platform_admin("ops", PASSWORD)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await sign_in("ops", "wrong-password", limiter, strict, address="198.51.100.1")
    with pytest.raises(TooManyRequests, match="for this account; try again in 2 minutes"):
        await sign_in("ops", PASSWORD, limiter, strict, address="198.51.100.2")
    throttle = LoginThrottle(limiter, "platform", 2, 4, 120)
    assert await limiter.failures(throttle.account_key("ops")) == (2, 120)
    # A tenant user of the same name is counted apart.
    assert await limiter.failures(LoginThrottle(limiter, "1", 2, 4, 120).account_key("ops")) == (
        0,
        0,
    )
    for i in range(2):
        with pytest.raises(Unauthenticated):
            await sign_in(f"guess{i}", "x", limiter, strict, address="198.51.100.1")
    with pytest.raises(TooManyRequests, match="from this address"):
        await sign_in("someone", "x", limiter, strict, address="198.51.100.1")


async def test_password_change(db, limiter, strict):
    admin = await create_platform_admin("ops", PASSWORD)
    await set_platform_password(admin.id, "a-new-vendor-secret")
    assert (await sign_in("ops", "a-new-vendor-secret", limiter, strict)).id == admin.id
    with pytest.raises(InvalidInput):
        await set_platform_password(admin.id, "ops")
    with pytest.raises(NotFound, match="No platform admin with id 999"):
        await set_platform_password(999, "a-new-vendor-secret")


async def test_tokens_format_storage_and_failures(db):
    admin = await create_platform_admin("ops", PASSWORD)
    token, plaintext = await create_platform_token(admin.id, "ci", expires_in_days=7)
    assert re.fullmatch(r"cvp_[A-Za-z0-9_-]{43}", plaintext)
    stored = await PlatformToken.get(id=token.id)
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert stored.prefix == plaintext[:12]
    assert (await resolve_platform_token(plaintext)).id == admin.id
    assert (await PlatformToken.get(id=token.id)).last_used_at is not None
    assert [t.id for t in await list_platform_tokens(admin.id)] == [token.id]

    expired, expired_text = await create_platform_token(admin.id, "old", 1)
    await PlatformToken.filter(id=expired.id).update(
        expires_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    for text, message in (
        ("cvp_" + "B" * 43, "Unknown token."),
        ("cvt_" + plaintext[4:], "Unknown token."),
        (expired_text, "This token has expired."),
    ):
        with pytest.raises(Unauthenticated) as caught:
            await resolve_platform_token(text)
        assert str(caught.value) == message

    other = await create_platform_admin("alice", "another-secret")
    with pytest.raises(NotFound, match=f"No token with id {token.id}"):
        await revoke_platform_token(token.id, admin_id=other.id)
    await revoke_platform_token(token.id, admin_id=admin.id)
    with pytest.raises(Unauthenticated, match=r"^This token was revoked\.$"):
        await resolve_platform_token(plaintext)
    with pytest.raises(InvalidInput) as caught:
        await create_platform_token(admin.id, "")
    assert "name" in caught.value.errors


async def test_deactivation_revokes_tokens(db):
    admin = await create_platform_admin("ops", PASSWORD)
    _, plaintext = await create_platform_token(admin.id, "ci")
    await deactivate_platform_admin(admin.id)
    with pytest.raises(Unauthenticated, match="revoked"):
        await resolve_platform_token(plaintext)
    with pytest.raises(InvalidInput, match="'ops' is deactivated"):
        await create_platform_token(admin.id, "again")


async def test_platform_and_tenant_tokens_do_not_cross(tenant):
    admin = await create_platform_admin("ops", PASSWORD)
    _, platform_text = await create_platform_token(admin.id, "ci")
    with tenant_context(tenant):
        user = await create_user("an.nv", "An")
        _, user_text = await create_token(user.id, "phone")
        with pytest.raises(Unauthenticated, match=r"^Unknown token\.$"):
            await resolve_token(platform_text)
    with pytest.raises(Unauthenticated, match=r"^Unknown token\.$"):
        await resolve_platform_token(user_text)
