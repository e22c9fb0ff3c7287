"""Password hashing (argon2id through argon2-cffi) and the password policy.

Hashing costs tens of milliseconds of CPU on purpose; async callers run it in a thread
(:func:`verify_password_async`) so one sign-in does not stall the event loop. When a user is
unknown, callers verify against :data:`DUMMY_HASH` so the answer takes as long as for a real
account and timing does not reveal which user names exist.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import InvalidInput

MIN_LENGTH = 8
# argon2 accepts any length; a bound keeps one request from burning CPU on megabytes.
MAX_LENGTH = 1024

_hasher = PasswordHasher()


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash of a random-looking password, made once, to verify against for unknown users."""
    return _hasher.hash("congvan-dummy-password-for-constant-time")


def hash_password(password: str) -> str:
    """The argon2id hash (``$argon2id$…``) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; False for an empty or malformed hash.

    An empty hash (an account without a password) still costs one verification.
    """
    if not password_hash:
        _verify_quietly(dummy_hash(), password)
        return False
    return _verify_quietly(password_hash, password)


def _verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password_async(password_hash: str, password: str) -> bool:
    """:func:`verify_password` in a worker thread."""
    return await asyncio.to_thread(verify_password, password_hash, password)


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` in a worker thread."""
    return await asyncio.to_thread(hash_password, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters and should be replaced at next sign-in."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def check_password_policy(password: str, *, username: str = "") -> None:
    """Raise InvalidInput (field ``password``) unless the password is acceptable.

    Policy: at least 8 characters, at most 1024, not the user name (in any letter case).
    """
    if len(password) < MIN_LENGTH:
        raise InvalidInput(
            f"The password is too short: use at least {MIN_LENGTH} characters.",
            {"password": f"at least {MIN_LENGTH} characters"},
        )
    if len(password) > MAX_LENGTH:
        raise InvalidInput(
            f"The password is too long: use at most {MAX_LENGTH} characters.",
            {"password": f"at most {MAX_LENGTH} characters"},
        )
    if username and password.strip().casefold() == username.strip().casefold():
        raise InvalidInput(
            "The password must not be the user name.", {"password": "same as the user name"}
        )
