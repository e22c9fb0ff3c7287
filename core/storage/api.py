"""The process's blob store, as plugins reach it (``core.blob_store()``)."""

from __future__ import annotations

from core.storage.base import BlobStore
from core.storage.factory import store_from_settings

_store: BlobStore | None = None


def blob_store() -> BlobStore:
    """The store named by ``CONGVAN_STORAGE_URL``, opened once per process.

    Blobs are put and read in the current tenant's prefix; see :mod:`core.storage`.
    """
    global _store
    if _store is None:
        _store = store_from_settings()
    return _store


def set_blob_store(store: BlobStore | None) -> None:
    """Replace the process store (tests, or a runtime that opened it already)."""
    global _store
    _store = store
