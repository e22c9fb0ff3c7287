"""Sign-in of tenant users: password check, rate limits, deactivated accounts.

An unknown user name and a wrong password get the same answer and take the same time (the
password is verified against a dummy hash). Only after a correct password does a deactivated
account learn that it is deactivated. Failures count per account and per client address (see
:mod:`core.users.ratelimit`); a success clears the account's counter.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.audit.services import record_audit
from core.context import Actor, acting_as, current_tenant
from core.db.connection import atomic
from core.errors import Unauthenticated
from core.settings import Settings
from core.users.models import User
from core.users.passwords import (
    dummy_hash,
    hash_password_async,
    needs_rehash,
    verify_password_async,
)
from core.users.ratelimit import LoginLimiter, LoginThrottle

WRONG_CREDENTIALS = "Wrong username or password."
DEACTIVATED = "This account is deactivated."


async def authenticate(
    username: str,
    password: str,
    *,
    address: str,
    settings: Settings | None = None,
    limiter: LoginLimiter | None = None,
) -> User:
    """The user of the current tenant with these credentials, or Unauthenticated/TooManyRequests.

    ``address`` is the client's address (the per-address limit); ``settings`` and ``limiter``
    default to the process's own.
    """
    tenant = current_tenant()
    throttle = LoginThrottle.create(str(tenant.id), settings=settings, limiter=limiter)
    name = username.strip().lower()
    await throttle.begin(name, address)
    user = await User.get_or_none(username=name) if 0 < len(name) <= 150 else None
    password_hash = user.password_hash if user is not None else dummy_hash()
    valid = await verify_password_async(password_hash, password)
    if user is None or not valid:
        if user is not None:  # the actor stays anonymous: nobody proved who they are
            await record_audit(
                "user.login_failed",
                object_type="user",
                object_id=user.id,
                after={"address": address},
            )
        raise Unauthenticated(WRONG_CREDENTIALS)
    if not user.is_active:
        raise Unauthenticated(DEACTIVATED)
    await throttle.succeeded(name, address)
    user.last_login_at = datetime.now(UTC)
    fields = ["last_login_at"]
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password_async(password)
        fields.append("password_hash")
    async with atomic():
        await user.save(update_fields=fields)
        with acting_as(_actor(user)):
            await record_audit(
                "user.login", object_type="user", object_id=user.id, after={"address": address}
            )
    return user


def _actor(user: User) -> Actor:
    return Actor(kind="user", id=user.id, name=user.full_name or user.username)
