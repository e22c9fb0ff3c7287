"""Content-addressed blob storage, prefixed by tenant.

A blob is named by the SHA-256 of its bytes (64 lowercase hex digits) and lives under
``tenants/<tenant id>/blobs/<aa>/<bb>/<sha256>``; the tenant always comes from
:func:`core.context.current_tenant`, never from an argument, so one tenant cannot name
another's blobs. Names are validated, so a crafted name cannot leave the tenant's prefix.

Contract of every :class:`BlobStore` (all methods are async and never block the event loop):

* ``put(source, max_size=…)`` streams bytes, a binary file or async chunks into a temporary
  file while hashing them, refuses more than ``max_size`` bytes with
  :class:`~core.errors.PayloadTooLarge` (leaving nothing behind), then commits atomically.
  Storing the same content twice gives the same :class:`StoredBlob` and one object.
* ``read(sha256)`` returns the bytes after checking their hash
  (:class:`~core.errors.BlobIntegrityError` on a mismatch, :class:`~core.errors.NotFound`
  when absent).
* ``stream(sha256)`` yields chunks and checks the hash after the last one; a consumer must not
  trust the data until the iterator has finished without error.
* ``exists``, ``delete`` (idempotent) and ``check`` (readiness probe with a one-line reason).

Backends: :class:`~core.storage.local.LocalBlobStore` (``file:///abs/path``) and
:class:`~core.storage.s3.S3BlobStore` (``s3://bucket?endpoint=…``); :func:`open_store` picks
one from ``CONGVAN_STORAGE_URL``. See ``docs/storage.md``.
"""

from __future__ import annotations

from core.storage.base import BlobStore, StoredBlob
from core.storage.factory import open_store, store_from_settings

__all__ = ["BlobStore", "StoredBlob", "open_store", "store_from_settings"]
