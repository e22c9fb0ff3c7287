"""Login rate limiting: failed sign-ins counted per account and per client address.

Counters live in a :class:`LoginLimiter` backend: in memory for the embedded mode (one
process), or Redis when ``CONGVAN_BROKER_URL`` is ``redis://`` so that every web process shares
them. A counter is a fixed window that starts at the first failure and lasts
``login_window_seconds``; once it reaches its limit, sign-ins are refused until the window ends —
even with the right password. Keys: ``congvan:login:<namespace>:acct:<username>`` and
``congvan:login:<namespace>:addr:<address>``, the namespace being the tenant id or
``platform``.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from core.errors import ServiceUnavailable, TooManyRequests
from core.settings import Settings, get_settings

KEY_PREFIX = "congvan:login"


class LoginLimiter(Protocol):
    """Counts failures per key within a window."""

    async def failures(self, key: str) -> tuple[int, int]:
        """``(failures, seconds until the window ends)``; ``(0, 0)`` when there are none."""
        ...

    async def add_failure(self, key: str, window: int) -> int:
        """Count one failure (opening a ``window``-second window if none is open); new count."""
        ...

    async def reset(self, key: str) -> None:
        """Forget the failures of ``key``."""
        ...

    async def remove_failure(self, key: str) -> None:
        """Take one counted attempt back (it succeeded); never below zero, never opens a window."""
        ...


class MemoryLoginLimiter:
    """In-process counters (embedded mode). ``clock`` is injectable for tests."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self._clock = clock
        self._max_keys = max_keys
        self._counts: dict[str, tuple[int, float]] = {}

    def _live(self, key: str) -> tuple[int, float] | None:
        entry = self._counts.get(key)
        if entry is not None and entry[1] <= self._clock():
            del self._counts[key]
            return None
        return entry

    async def failures(self, key: str) -> tuple[int, int]:
        entry = self._live(key)
        if entry is None:
            return 0, 0
        return entry[0], max(1, math.ceil(entry[1] - self._clock()))

    async def add_failure(self, key: str, window: int) -> int:
        entry = self._live(key)
        if entry is None:
            if len(self._counts) >= self._max_keys:
                self._prune()
            entry = (0, self._clock() + window)
        count = entry[0] + 1
        self._counts[key] = (count, entry[1])
        return count

    async def reset(self, key: str) -> None:
        self._counts.pop(key, None)

    async def remove_failure(self, key: str) -> None:
        entry = self._live(key)
        if entry is None:
            return
        if entry[0] <= 1:
            del self._counts[key]
        else:
            self._counts[key] = (entry[0] - 1, entry[1])

    def _prune(self) -> None:
        now = self._clock()
        for key in [k for k, (_, until) in self._counts.items() if until <= now]:
            del self._counts[key]
        if len(self._counts) >= self._max_keys:  # still full: drop the oldest windows
            for key in sorted(self._counts, key=lambda k: self._counts[k][1])[
                : self._max_keys // 10
            ]:
                del self._counts[key]


class RedisLoginLimiter:
    """Counters shared by every process, in Redis (``INCR`` + expiry)."""

    def __init__(self, url: str) -> None:
        self.url = url
        # redis.asyncio connections belong to the loop that opened them: one client per loop.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    def _client(self) -> Any:
        import redis.asyncio

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = redis.asyncio.Redis.from_url(self.url, socket_timeout=5)
            self._clients[loop] = client
        return client

    async def failures(self, key: str) -> tuple[int, int]:
        async with self._errors():
            count, ttl = (
                await self._client().pipeline(transaction=False).get(key).ttl(key).execute()
            )
        if count is None:
            return 0, 0
        return int(count), max(1, int(ttl))

    async def add_failure(self, key: str, window: int) -> int:
        async with self._errors():
            # SET NX EX opens the window with its expiry atomically; INCR keeps the expiry.
            pipe = self._client().pipeline(transaction=True)
            _, count = await pipe.set(key, 0, ex=window, nx=True).incr(key).execute()
        return int(count)

    async def reset(self, key: str) -> None:
        async with self._errors():
            await self._client().delete(key)

    async def remove_failure(self, key: str) -> None:
        async with self._errors():
            await self._client().eval(_DECREMENT_EXISTING, 1, key)

    def _errors(self) -> _RedisErrors:
        return _RedisErrors(self.url)


# DECR only a live counter: a plain DECR would recreate an expired key at -1 with no expiry.
_DECREMENT_EXISTING = (
    "if redis.call('exists', KEYS[1]) == 1 and tonumber(redis.call('get', KEYS[1])) > 0 "
    "then return redis.call('decr', KEYS[1]) else return 0 end"
)


class _RedisErrors:
    """Turns Redis failures into ServiceUnavailable: sign-in fails closed, with a clear reason."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: Any, tb: Any) -> None:
        from redis.exceptions import RedisError

        if exc is not None and isinstance(exc, RedisError):
            raise ServiceUnavailable(
                f"Sign-in is unavailable: the rate-limit store (CONGVAN_BROKER_URL) failed: {exc}"
            ) from exc


_limiters: dict[str, LoginLimiter] = {}


def login_limiter(settings: Settings | None = None) -> LoginLimiter:
    """The process's limiter for ``settings.broker_url`` (Redis for ``redis://``), cached."""
    settings = settings or get_settings()
    url = settings.broker_url
    limiter = _limiters.get(url)
    if limiter is None:
        is_redis = url.startswith(("redis://", "rediss://"))
        limiter = RedisLoginLimiter(url) if is_redis else MemoryLoginLimiter()
        _limiters[url] = limiter
    return limiter


def reset_login_limiters() -> None:
    """Forget the cached limiters (tests)."""
    _limiters.clear()


def _minutes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


@dataclass(frozen=True)
class LoginThrottle:
    """The sign-in rules of one namespace (a tenant id or ``platform``) over a limiter."""

    limiter: LoginLimiter
    namespace: str
    max_account: int
    max_address: int
    window: int

    @classmethod
    def create(
        cls,
        namespace: str,
        *,
        settings: Settings | None = None,
        limiter: LoginLimiter | None = None,
    ) -> LoginThrottle:
        settings = settings or get_settings()
        return cls(
            limiter=limiter or login_limiter(settings),
            namespace=namespace,
            max_account=settings.login_max_failures_account,
            max_address=settings.login_max_failures_address,
            window=settings.login_window_seconds,
        )

    def account_key(self, username: str) -> str:
        # Bounded: a hostile client may send a user name of any length.
        return f"{KEY_PREFIX}:{self.namespace}:acct:{username.strip().lower()[:150]}"

    def address_key(self, address: str) -> str:
        return f"{KEY_PREFIX}:{self.namespace}:addr:{(address.strip() or 'unknown')[:64]}"

    async def check(self, username: str, address: str) -> None:
        """Raise TooManyRequests when the account or the address is locked out."""
        count, ttl = await self.limiter.failures(self.account_key(username))
        if count >= self.max_account:
            raise TooManyRequests(
                f"Too many failed sign-in attempts for this account; try again in {_minutes(ttl)}.",
                ttl,
            )
        count, ttl = await self.limiter.failures(self.address_key(address))
        if count >= self.max_address:
            raise TooManyRequests(
                "Too many failed sign-in attempts from this address; "
                f"try again in {_minutes(ttl)}.",
                ttl,
            )

    async def begin(self, username: str, address: str) -> None:
        """Count this attempt before the password is checked, then refuse when over a limit.

        Counting first closes the race where many parallel attempts all pass a read-only check
        during the slow password verification. A successful attempt is taken back by
        :meth:`succeeded`.
        """
        account = await self.limiter.add_failure(self.account_key(username), self.window)
        address_count = await self.limiter.add_failure(self.address_key(address), self.window)
        if account > self.max_account or address_count > self.max_address:
            # A refused attempt checks no password: it does not count.
            await self.limiter.remove_failure(self.account_key(username))
            await self.limiter.remove_failure(self.address_key(address))
            await self.check(username, address)  # raises with the right message and wait

    async def failed(self, username: str, address: str) -> None:
        await self.limiter.add_failure(self.account_key(username), self.window)
        await self.limiter.add_failure(self.address_key(address), self.window)

    async def succeeded(self, username: str, address: str | None = None) -> None:
        """Clear the account's failures; with ``address``, take back the attempt
        :meth:`begin` counted for it (the address keeps its other failures)."""
        await self.limiter.reset(self.account_key(username))
        if address is not None:
            await self.limiter.remove_failure(self.address_key(address))
