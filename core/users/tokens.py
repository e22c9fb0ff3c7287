"""Personal API tokens of tenant users (the JSON API and mobile clients).

A token is ``cvt_`` followed by 43 URL-safe characters (32 random bytes). Its plaintext is
shown once, at creation; the database keeps its SHA-256 (hex) and the first 12 characters as
``prefix`` so people can tell their tokens apart. Tokens are looked up by hash within the
current tenant, so a token of another tenant is simply unknown. Revoked and expired tokens
stay listed with their state; each failure has its own message.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from core.audit.services import record_audit
from core.db.connection import atomic
from core.errors import InvalidInput, NotFound, Unauthenticated
from core.users.models import ApiToken, User
from core.users.services import get_user

USER_TOKEN_PREFIX = "cvt_"
PREFIX_LENGTH = 12
MAX_DAYS = 3650
# last_used_at is for people, not for accounting: one write a minute per token is enough.
TOUCH_INTERVAL = timedelta(minutes=1)


# ------------------------------------------------------------------ shared with platform tokens


def new_token(kind_prefix: str) -> str:
    """A fresh plaintext token: ``kind_prefix`` + 43 URL-safe characters."""
    return kind_prefix + secrets.token_urlsafe(32)


def token_digest(plaintext: str) -> str:
    """The stored form of a token: SHA-256 hex of its plaintext."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def looks_like(plaintext: str, kind_prefix: str) -> bool:
    """Whether ``plaintext`` has the shape of a token of this kind (no database needed)."""
    return re.fullmatch(re.escape(kind_prefix) + r"[A-Za-z0-9_-]{43}", plaintext) is not None


def clean_token_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise InvalidInput(
            "A token needs a name of 1–100 characters.", {"name": "1–100 characters"}
        )
    return cleaned


def expiry(expires_in_days: int | None) -> datetime | None:
    """The expiry time ``expires_in_days`` from now (``None``: never expires)."""
    if expires_in_days is None:
        return None
    if not 1 <= expires_in_days <= MAX_DAYS:
        raise InvalidInput(
            f"A token lives 1–{MAX_DAYS} days, not {expires_in_days}.",
            {"expires_in_days": f"1–{MAX_DAYS}"},
        )
    return datetime.now(UTC) + timedelta(days=expires_in_days)


def token_problem(
    revoked_at: datetime | None, expires_at: datetime | None, now: datetime
) -> str | None:
    """Why a stored token is not usable, or None."""
    if revoked_at is not None:
        return "This token was revoked."
    if expires_at is not None and expires_at <= now:
        return "This token has expired."
    return None


def needs_touch(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= TOUCH_INTERVAL


# ------------------------------------------------------------------------------ user tokens


def _snapshot(token: ApiToken) -> dict[str, object]:
    return {
        "user_id": token.user_id,  # type: ignore[attr-defined]
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked": token.revoked_at is not None,
    }


async def create_token(
    user_id: int, name: str, *, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for the user: ``(row, plaintext)``; the plaintext is not kept anywhere."""
    name = clean_token_name(name)
    expires_at = expiry(expires_in_days)
    plaintext = new_token(USER_TOKEN_PREFIX)
    async with atomic():
        user = await get_user(user_id)
        if not user.is_active:
            raise InvalidInput(
                f"User {user.username!r} is deactivated and cannot get tokens.",
                {"user_id": "deactivated user"},
            )
        token = await ApiToken.create(
            user=user,
            name=name,
            token_hash=token_digest(plaintext),
            prefix=plaintext[:PREFIX_LENGTH],
            expires_at=expires_at,
        )
        await record_audit(
            "token.create", object_type="api_token", object_id=token.id, after=_snapshot(token)
        )
    return token, plaintext


async def resolve_token(plaintext: str) -> User:
    """The active user of a valid token of the current tenant, or Unauthenticated saying why."""
    plaintext = plaintext.strip()
    if not looks_like(plaintext, USER_TOKEN_PREFIX):
        raise Unauthenticated("Unknown token.")
    token = await ApiToken.get_or_none(token_hash=token_digest(plaintext))
    if token is None:
        raise Unauthenticated("Unknown token.")
    now = datetime.now(UTC)
    if problem := token_problem(token.revoked_at, token.expires_at, now):
        raise Unauthenticated(problem)
    user = await User.get_or_none(id=token.user_id)  # type: ignore[attr-defined]
    if user is None or not user.is_active:
        raise Unauthenticated("The account of this token is deactivated.")
    if needs_touch(token.last_used_at, now):
        await ApiToken.filter(id=token.id).update(last_used_at=now)
    return user


async def revoke_token(token_id: int, *, user_id: int | None = None) -> ApiToken:
    """Revoke a token; with ``user_id``, only that user's token (else NotFound). Idempotent."""
    async with atomic():
        query = ApiToken.filter(id=token_id)
        if user_id is not None:
            query = query.filter(user_id=user_id)
        token = await query.first()
        if token is None:
            raise NotFound(f"No token with id {token_id}")
        if token.revoked_at is not None:
            return token
        token.revoked_at = datetime.now(UTC)
        await token.save(update_fields=["revoked_at"])
        await record_audit(
            "token.revoke",
            object_type="api_token",
            object_id=token.id,
            before={"revoked": False},
            after=_snapshot(token),
        )
    return token


async def list_tokens(user_id: int) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    user = await get_user(user_id)
    return list(await ApiToken.filter(user_id=user.id).order_by("-created_at", "-id"))
