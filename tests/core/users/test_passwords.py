from __future__ import annotations

import time

import pytest
from argon2 import PasswordHasher

from core.errors import InvalidInput
from core.users.passwords import (
    check_password_policy,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
    verify_password_async,
)


def test_hashes_are_salted_argon2id_and_verify():
    first, second = hash_password("đúng-mật-khẩu"), hash_password("đúng-mật-khẩu")
    assert first.startswith("$argon2id$")
    assert first != second
    assert verify_password(first, "đúng-mật-khẩu")
    assert not verify_password(first, "sai-mật-khẩu")
    assert not needs_rehash(first)


def test_empty_or_malformed_hashes_never_verify():
    assert not verify_password("", "")
    assert not verify_password("", "anything")
    assert not verify_password("plaintext", "plaintext")
    assert needs_rehash("not a hash")


def test_hashes_with_weaker_parameters_need_a_rehash():
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("password-1")
    assert verify_password(weak, "password-1")
    assert needs_rehash(weak)


def test_unknown_users_cost_as_much_as_known_ones():
    real = hash_password("secret-password")
    dummy_hash()  # made once, outside the measurement

    def timed(password_hash: str) -> float:
        start = time.perf_counter()
        for _ in range(3):
            verify_password(password_hash, "wrong-password")
        return time.perf_counter() - start

    known, unknown = timed(real), timed("")
    assert unknown > known * 0.5  # an empty hash still pays for a full verification


async def test_async_verification_runs_off_the_loop():
    password_hash = hash_password("secret-password")
    assert await verify_password_async(password_hash, "secret-password")
    assert not await verify_password_async(password_hash, "nope-nope")


@pytest.mark.parametrize(
    ("password", "username", "message"),
    [
        ("1234567", "", "at least 8"),
        ("x" * 1025, "", "at most 1024"),
        ("Nguyen.An", "nguyen.an", "must not be the user name"),
    ],
)
def test_policy_refuses_with_a_field_error(password, username, message):
    with pytest.raises(InvalidInput, match=message) as caught:
        check_password_policy(password, username=username)
    assert "password" in caught.value.errors


def test_policy_accepts_reasonable_passwords():
    check_password_policy("12345678")
    check_password_policy("mật khẩu tốt", username="an.nv")
