"""Open the blob store a ``CONGVAN_STORAGE_URL`` names."""

from __future__ import annotations

from urllib.parse import urlsplit

from core.errors import ConfigurationError
from core.settings import Settings, get_settings
from core.storage.base import BlobStore
from core.storage.local import LocalBlobStore
from core.storage.s3 import S3BlobStore


def open_store(url: str, *, max_size: int | None = None) -> BlobStore:
    """A store for ``file:///abs/path`` or ``s3://bucket[/prefix]?endpoint=…&region=…``.

    ``max_size`` is the default upload limit of :meth:`BlobStore.put` (``None``: no limit).
    Raises :class:`~core.errors.ConfigurationError` (``CONGVAN_STORAGE_URL: …``) for a URL it
    cannot use. Nothing is contacted here; call :meth:`BlobStore.check` for that.
    """
    scheme = urlsplit(url).scheme
    if scheme == "file":
        return LocalBlobStore.from_url(url, max_size=max_size)
    if scheme == "s3":
        return S3BlobStore.from_url(url, max_size=max_size)
    raise ConfigurationError(
        f"CONGVAN_STORAGE_URL: unsupported scheme {scheme + '://' if scheme else '(none)'}; "
        "use file:///absolute/path or s3://bucket?endpoint=http://host:port."
    )


def store_from_settings(settings: Settings | None = None) -> BlobStore:
    """The store of the process settings, limited to ``CONGVAN_MAX_UPLOAD_BYTES``."""
    settings = settings or get_settings()
    return open_store(settings.resolved_storage_url, max_size=settings.max_upload_bytes)
