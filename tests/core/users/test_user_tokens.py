from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from core.audit.models import AuditEvent
from core.context import tenant_context
from core.errors import InvalidInput, NotFound, Unauthenticated
from core.users.models import ApiToken, User
from core.users.services import create_user, deactivate_user
from core.users.tokens import create_token, list_tokens, resolve_token, revoke_token


async def test_token_is_shown_once_and_stored_as_its_sha256(tenant_context):
    user = await create_user("an.nv", "An")
    token, plaintext = await create_token(user.id, "  iPad  ", expires_in_days=30)
    assert re.fullmatch(r"cvt_[A-Za-z0-9_-]{43}", plaintext)
    stored = await ApiToken.get(id=token.id)
    assert stored.token_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in (stored.token_hash, stored.prefix)
    assert stored.prefix == plaintext[:12]
    assert stored.name == "iPad"
    assert stored.expires_at is not None
    assert timedelta(days=29) < stored.expires_at - datetime.now(UTC) <= timedelta(days=30)
    assert (await resolve_token(plaintext)).id == user.id
    assert (await resolve_token(f"  {plaintext}\n")).id == user.id
    event = await AuditEvent.get(action="token.create")
    assert plaintext not in str(event.after)
    assert stored.token_hash not in str(event.after)


async def test_tokens_without_expiry_and_listing(tenant_context):
    user = await create_user("an.nv", "An")
    first, _ = await create_token(user.id, "cli")
    second, _ = await create_token(user.id, "phone", expires_in_days=1)
    assert first.expires_at is None
    assert [t.id for t in await list_tokens(user.id)] == [second.id, first.id]
    with pytest.raises(NotFound, match="No user with id 999"):
        await list_tokens(999)


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [
        ("", None, "name"),
        ("x" * 101, None, "name"),
        ("ok", 0, "expires_in_days"),
        ("ok", 3651, "expires_in_days"),
    ],
)
async def test_bad_token_requests_create_nothing(tenant_context, name, days, field):
    user = await create_user("an.nv", "An")
    with pytest.raises(InvalidInput) as caught:
        await create_token(user.id, name, expires_in_days=days)
    assert field in caught.value.errors
    assert await ApiToken.all().count() == 0


async def test_each_failure_has_its_own_message(tenant_context):
    user = await create_user("an.nv", "An")
    _, fresh = await create_token(user.id, "fresh")
    expired, expired_text = await create_token(user.id, "old", expires_in_days=1)
    await ApiToken.filter(id=expired.id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    revoked, revoked_text = await create_token(user.id, "gone")
    await revoke_token(revoked.id)

    for text, message in (
        ("cvt_" + "A" * 43, "Unknown token."),
        ("not-a-token", "Unknown token."),
        ("cvp_" + fresh[4:], "Unknown token."),  # a platform prefix is not a user token
        (expired_text, "This token has expired."),
        (revoked_text, "This token was revoked."),
    ):
        with pytest.raises(Unauthenticated) as caught:
            await resolve_token(text)
        assert str(caught.value) == message

    await deactivate_user(user.id)
    with pytest.raises(Unauthenticated, match="This token was revoked"):
        await resolve_token(fresh)  # deactivation revokes every token


async def test_a_deactivated_owner_is_refused_even_with_a_live_token(tenant_context):
    user = await create_user("an.nv", "An")
    _, plaintext = await create_token(user.id, "x")
    await User.filter(id=user.id).update(is_active=False)  # e.g. deactivated by another path
    with pytest.raises(Unauthenticated, match="account of this token is deactivated"):
        await resolve_token(plaintext)
    with pytest.raises(InvalidInput, match=r"'an\.nv' is deactivated"):
        await create_token(user.id, "another")


async def test_last_used_is_written_at_most_once_a_minute(tenant_context):
    user = await create_user("an.nv", "An")
    token, plaintext = await create_token(user.id, "x")
    await resolve_token(plaintext)
    first = (await ApiToken.get(id=token.id)).last_used_at
    assert first is not None
    await resolve_token(plaintext)
    assert (await ApiToken.get(id=token.id)).last_used_at == first
    earlier = datetime.now(UTC) - timedelta(minutes=2)
    await ApiToken.filter(id=token.id).update(last_used_at=earlier)
    await resolve_token(plaintext)
    assert (await ApiToken.get(id=token.id)).last_used_at > earlier


async def test_revoke_is_limited_to_the_owner_when_asked_and_idempotent(tenant_context):
    an = await create_user("an.nv", "An")
    binh = await create_user("binh.tt", "Bình")
    token, _ = await create_token(an.id, "x")
    with pytest.raises(NotFound, match=f"No token with id {token.id}"):
        await revoke_token(token.id, user_id=binh.id)
    assert (await ApiToken.get(id=token.id)).revoked_at is None
    revoked = await revoke_token(token.id, user_id=an.id)
    assert revoked.revoked_at is not None
    again = await revoke_token(token.id)
    assert again.revoked_at == revoked.revoked_at
    assert await AuditEvent.filter(action="token.revoke").count() == 1
    with pytest.raises(NotFound, match="No token with id 999"):
        await revoke_token(999)


async def test_a_token_of_one_tenant_is_unknown_in_another(tenant, other_tenant):
    with tenant_context(tenant):
        user = await create_user("an.nv", "An")
        token, plaintext = await create_token(user.id, "x")
    with tenant_context(other_tenant):
        await create_user("an.nv", "An")  # same name, same id space: still unknown
        with pytest.raises(Unauthenticated) as caught:
            await resolve_token(plaintext)
        assert str(caught.value) == "Unknown token."
        with pytest.raises(NotFound):
            await revoke_token(token.id)
        with pytest.raises(NotFound):
            await list_tokens(user.id)  # ids are unique across tenants: this is A's user
    with tenant_context(tenant):
        assert (await ApiToken.get(id=token.id)).revoked_at is None
        assert (await resolve_token(plaintext)).id == user.id
