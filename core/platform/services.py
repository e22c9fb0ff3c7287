"""Platform admins (vendor operators): accounts, sign-in and bearer tokens.

Platform admins live in platform tables, sign in on the bare base domain and never have a
tenant in context. Sign-in follows the tenant rules (same messages, dummy-hash timing, rate
limits per account and address) in the ``platform`` namespace of the limiter. Tokens are
``cvp_`` + 43 URL-safe characters, stored as SHA-256. Platform actions have no tenant, so they
record no tenant audit event; the tenant services they call record their own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.exceptions import IntegrityError

from core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from core.platform.models import PlatformAdmin, PlatformToken
from core.settings import Settings
from core.users.auth import DEACTIVATED, WRONG_CREDENTIALS
from core.users.passwords import (
    check_password_policy,
    dummy_hash,
    hash_password_async,
    needs_rehash,
    verify_password_async,
)
from core.users.ratelimit import LoginLimiter, LoginThrottle
from core.users.services import clean_username
from core.users.tokens import (
    PREFIX_LENGTH,
    clean_token_name,
    expiry,
    looks_like,
    needs_touch,
    new_token,
    token_digest,
    token_problem,
)

PLATFORM_TOKEN_PREFIX = "cvp_"
NAMESPACE = "platform"


def _taken(username: str) -> Conflict:
    return Conflict(f"username {username!r} is already taken", errors={"username": "taken"})


async def create_platform_admin(username: str, password: str, full_name: str = "") -> PlatformAdmin:
    """A new platform admin; duplicate user name → Conflict, weak password → InvalidInput."""
    name = clean_username(username)
    check_password_policy(password, username=name)
    full_name = " ".join(full_name.split())
    if len(full_name) > 200:
        raise InvalidInput("A full name has at most 200 characters.", {"full_name": "too long"})
    if await PlatformAdmin.filter(username=name).exists():
        raise _taken(name)
    password_hash = await hash_password_async(password)
    try:
        return await PlatformAdmin.create(
            username=name, full_name=full_name, password_hash=password_hash
        )
    except IntegrityError as exc:
        raise _taken(name) from exc


async def get_platform_admin(admin_id: int) -> PlatformAdmin:
    admin = await PlatformAdmin.get_or_none(id=admin_id)
    if admin is None:
        raise NotFound(f"No platform admin with id {admin_id}")
    return admin


async def list_platform_admins() -> list[PlatformAdmin]:
    return list(await PlatformAdmin.all().order_by("username"))


async def set_platform_password(admin_id: int, password: str) -> None:
    admin = await get_platform_admin(admin_id)
    check_password_policy(password, username=admin.username)
    admin.password_hash = await hash_password_async(password)
    await admin.save(update_fields=["password_hash"])


async def deactivate_platform_admin(admin_id: int) -> PlatformAdmin:
    """Deactivate a platform admin and revoke their tokens."""
    admin = await get_platform_admin(admin_id)
    admin.is_active = False
    await admin.save(update_fields=["is_active"])
    await PlatformToken.filter(admin_id=admin.id, revoked_at__isnull=True).update(
        revoked_at=datetime.now(UTC)
    )
    return admin


async def authenticate_platform(
    username: str,
    password: str,
    *,
    address: str,
    settings: Settings | None = None,
    limiter: LoginLimiter | None = None,
) -> PlatformAdmin:
    """The platform admin with these credentials, or Unauthenticated/TooManyRequests."""
    throttle = LoginThrottle.create(NAMESPACE, settings=settings, limiter=limiter)
    name = username.strip().lower()
    await throttle.begin(name, address)
    admin = await PlatformAdmin.get_or_none(username=name) if 0 < len(name) <= 150 else None
    password_hash = admin.password_hash if admin is not None else dummy_hash()
    if admin is None or not await verify_password_async(password_hash, password):
        raise Unauthenticated(WRONG_CREDENTIALS)
    if not admin.is_active:
        raise Unauthenticated(DEACTIVATED)
    await throttle.succeeded(name, address)
    if needs_rehash(admin.password_hash):
        admin.password_hash = await hash_password_async(password)
        await admin.save(update_fields=["password_hash"])
    return admin


async def create_platform_token(
    admin_id: int, name: str, expires_in_days: int | None = None
) -> tuple[PlatformToken, str]:
    """A new platform token: ``(row, plaintext)``; the plaintext is shown once."""
    name = clean_token_name(name)
    expires_at = expiry(expires_in_days)
    admin = await get_platform_admin(admin_id)
    if not admin.is_active:
        raise InvalidInput(
            f"Platform admin {admin.username!r} is deactivated and cannot get tokens.",
            {"admin_id": "deactivated"},
        )
    plaintext = new_token(PLATFORM_TOKEN_PREFIX)
    token = await PlatformToken.create(
        admin=admin,
        name=name,
        token_hash=token_digest(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
        expires_at=expires_at,
    )
    return token, plaintext


async def resolve_platform_token(plaintext: str) -> PlatformAdmin:
    """The active admin of a valid platform token, or Unauthenticated saying why."""
    plaintext = plaintext.strip()
    if not looks_like(plaintext, PLATFORM_TOKEN_PREFIX):
        raise Unauthenticated("Unknown token.")
    token = await PlatformToken.get_or_none(token_hash=token_digest(plaintext))
    if token is None:
        raise Unauthenticated("Unknown token.")
    now = datetime.now(UTC)
    if problem := token_problem(token.revoked_at, token.expires_at, now):
        raise Unauthenticated(problem)
    admin = await PlatformAdmin.get_or_none(id=token.admin_id)  # type: ignore[attr-defined]
    if admin is None or not admin.is_active:
        raise Unauthenticated("The account of this token is deactivated.")
    if needs_touch(token.last_used_at, now):
        await PlatformToken.filter(id=token.id).update(last_used_at=now)
    return admin


async def revoke_platform_token(token_id: int, *, admin_id: int | None = None) -> PlatformToken:
    """Revoke a platform token; with ``admin_id``, only that admin's (else NotFound)."""
    query = PlatformToken.filter(id=token_id)
    if admin_id is not None:
        query = query.filter(admin_id=admin_id)
    token = await query.first()
    if token is None:
        raise NotFound(f"No token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        await token.save(update_fields=["revoked_at"])
    return token


async def list_platform_tokens(admin_id: int) -> list[PlatformToken]:
    admin = await get_platform_admin(admin_id)
    return list(await PlatformToken.filter(admin_id=admin.id).order_by("-created_at", "-id"))
