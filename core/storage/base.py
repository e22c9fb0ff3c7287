"""The blob store contract shared by every backend, and the tenant key layout."""

from __future__ import annotations

import asyncio
import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path

from core.context import TenantInfo, current_tenant
from core.errors import BlobIntegrityError, InvalidInput, NotFound
from core.storage.spool import BlobSource, SpooledBlob, spool

DEFAULT_CHUNK_SIZE = 64 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


class MissingObject(LookupError):
    """Raised by backend primitives when no object exists under a key."""


@dataclass(frozen=True)
class StoredBlob:
    """A blob that is stored: its SHA-256 name (lowercase hex) and its size in bytes."""

    sha256: str
    size: int


def validate_sha256(name: str) -> str:
    """``name`` if it is 64 lowercase hex digits, else :class:`InvalidInput`.

    Keys are built from this name, so nothing else may pass: no separators, no dots.
    """
    if not isinstance(name, str) or not _SHA256.fullmatch(name):
        raise InvalidInput(
            f"{name!r} is not a blob name: expected 64 lowercase hexadecimal digits (SHA-256).",
            errors={"sha256": "64 lowercase hexadecimal digits"},
        )
    return name


def blob_key(tenant: TenantInfo, sha256: str) -> str:
    """The relative key of a blob: ``tenants/<tenant id>/blobs/<aa>/<bb>/<sha256>``."""
    validate_sha256(sha256)
    return f"tenants/{tenant.id}/blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def integrity_error(sha256: str, tenant: TenantInfo, actual: str) -> BlobIntegrityError:
    return BlobIntegrityError(
        f"stored object {sha256} of tenant {tenant.slug} does not match its hash "
        f"(its bytes hash to {actual}); the stored copy is corrupted or was altered.",
        sha256=sha256,
        tenant=tenant.slug,
    )


def not_found(sha256: str, tenant: TenantInfo) -> NotFound:
    return NotFound(f"No stored object {sha256} for tenant {tenant.slug}.", sha256=sha256)


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore(ABC):
    """Content-addressed, tenant-prefixed blob storage.

    Every method resolves the tenant with :func:`core.context.current_tenant` when it is called
    (so :class:`~core.errors.TenantRequired` without one) and validates the SHA-256 name
    (:class:`~core.errors.InvalidInput` unless it is 64 lowercase hex digits). Backends implement
    the underscore primitives on relative keys; this class owns naming, limits and verification.
    """

    def __init__(self, *, max_size: int | None = None) -> None:
        self.max_size = max_size

    # Public API ---------------------------------------------------------------------------

    async def put(self, source: BlobSource, *, max_size: int | None = None) -> StoredBlob:
        """Store ``source`` (bytes, a binary file object or an async iterable of chunks).

        The bytes are hashed while they are written to a temporary file; beyond ``max_size``
        (default: the store's ``max_size``; ``None`` means no limit) it raises
        :class:`~core.errors.PayloadTooLarge` and leaves nothing behind. Storing the same content
        twice yields the same :class:`StoredBlob` and one stored object.
        """
        tenant = current_tenant()
        limit = self.max_size if max_size is None else max_size
        async with spool(source, directory=self.spool_dir, max_size=limit) as spooled:
            await self._store(spooled, blob_key(tenant, spooled.sha256))
            return StoredBlob(sha256=spooled.sha256, size=spooled.size)

    async def read(self, sha256: str) -> bytes:
        """The whole blob, verified: :class:`~core.errors.BlobIntegrityError` on a mismatch,
        :class:`~core.errors.NotFound` when the tenant has no such blob."""
        tenant = current_tenant()
        key = blob_key(tenant, sha256)
        try:
            data = await self._read(key)
        except MissingObject:
            raise not_found(sha256, tenant) from None
        actual = await asyncio.to_thread(_sha256_hex, data)
        if actual != sha256:
            raise integrity_error(sha256, tenant, actual)
        return data

    def stream(
        self, sha256: str, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> AsyncGenerator[bytes, None]:
        """The blob in chunks, verified when the last chunk has been read.

        The tenant and the name are checked when ``stream`` is called; a missing blob raises
        :class:`~core.errors.NotFound` on the first iteration, before any chunk. The hash can only
        be known at the end, so after the last chunk the iterator raises
        :class:`~core.errors.BlobIntegrityError` if the bytes did not match: a consumer must not
        trust (act on, cache, forward as final) the data until the iterator has finished.
        """
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        tenant = current_tenant()
        key = blob_key(tenant, sha256)
        return self._verified(sha256, tenant, key, chunk_size)

    async def exists(self, sha256: str) -> bool:
        """Whether the current tenant has this blob (not verified)."""
        return await self._exists(blob_key(current_tenant(), sha256))

    async def delete(self, sha256: str) -> None:
        """Remove the current tenant's blob; deleting a missing blob does nothing."""
        await self._delete(blob_key(current_tenant(), sha256))

    @abstractmethod
    async def check(self) -> None:
        """Readiness probe: raise :class:`~core.errors.ConfigurationError` or
        :class:`~core.errors.ServiceUnavailable` with a one-line reason when the backend is
        not usable (directory not writable, endpoint down, bucket missing)."""

    async def close(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release connections; the store must not be used afterwards."""

    # Backend primitives -------------------------------------------------------------------

    @property
    @abstractmethod
    def spool_dir(self) -> Path:
        """Where uploads are spooled before they are committed (created on demand)."""

    @abstractmethod
    async def _store(self, spooled: SpooledBlob, key: str) -> None:
        """Commit the spooled file under ``key``; the caller removes what is left of it."""

    @abstractmethod
    async def _read(self, key: str) -> bytes:
        """The stored bytes; :class:`MissingObject` when there is no object under ``key``."""

    @abstractmethod
    def _chunks(self, key: str, chunk_size: int) -> AsyncGenerator[bytes, None]:
        """The stored bytes in chunks; raises :class:`MissingObject` before the first chunk
        when there is no object under ``key``."""

    @abstractmethod
    async def _exists(self, key: str) -> bool: ...

    @abstractmethod
    async def _delete(self, key: str) -> None: ...

    # Verification -------------------------------------------------------------------------

    async def _verified(
        self, sha256: str, tenant: TenantInfo, key: str, chunk_size: int
    ) -> AsyncGenerator[bytes, None]:
        digest = hashlib.sha256()
        chunks = self._chunks(key, chunk_size)
        try:
            try:
                first = await anext(chunks)
            except StopAsyncIteration:
                first = b""
            except MissingObject:
                raise not_found(sha256, tenant) from None
            digest.update(first)
            if first:
                yield first
            async for chunk in chunks:
                digest.update(chunk)
                yield chunk
        finally:
            await chunks.aclose()
        actual = digest.hexdigest()
        if actual != sha256:
            raise integrity_error(sha256, tenant, actual)
