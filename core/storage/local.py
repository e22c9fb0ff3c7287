"""Blobs as files under one root directory (``file:///abs/path``)."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from core.errors import ConfigurationError
from core.storage.base import BlobStore, MissingObject
from core.storage.spool import SpooledBlob

TEMP_DIR_NAME = ".tmp"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_or_missing(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except (FileNotFoundError, NotADirectoryError):
        raise MissingObject(str(path)) from None


class LocalBlobStore(BlobStore):
    """Files at ``<root>/tenants/<id>/blobs/<aa>/<bb>/<sha256>``.

    Uploads are spooled into ``<root>/.tmp`` (the same filesystem), fsynced, and moved into place
    with :func:`os.replace`, so a blob file is either absent or complete.
    """

    def __init__(self, root: Path | str, *, max_size: int | None = None) -> None:
        super().__init__(max_size=max_size)
        root = Path(root)
        if not root.is_absolute():
            raise ConfigurationError(f"CONGVAN_STORAGE_URL: {root} is not an absolute path.")
        self.root = root

    @classmethod
    def from_url(cls, url: str, *, max_size: int | None = None) -> LocalBlobStore:
        """``file:///abs/path`` (or ``file://localhost/abs/path``)."""
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ConfigurationError(f"CONGVAN_STORAGE_URL: {url!r} is not a file:// URL.")
        if parts.netloc not in ("", "localhost"):
            raise ConfigurationError(
                f"CONGVAN_STORAGE_URL: file URLs name a local directory, not host "
                f"{parts.netloc!r}; write file:///absolute/path."
            )
        path = unquote(parts.path)
        if not path.startswith("/"):
            raise ConfigurationError(
                "CONGVAN_STORAGE_URL: a file URL needs an absolute path: file:///absolute/path."
            )
        return cls(Path(path), max_size=max_size)

    def __repr__(self) -> str:
        return f"LocalBlobStore(root={str(self.root)!r})"

    @property
    def spool_dir(self) -> Path:
        return self.root / TEMP_DIR_NAME

    async def check(self) -> None:
        await asyncio.to_thread(self._check)

    def _check(self) -> None:
        try:
            self.spool_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigurationError(
                f"CONGVAN_STORAGE_URL: cannot create directory {self.spool_dir}: "
                f"{exc.strerror or exc}."
            ) from None
        try:
            with tempfile.NamedTemporaryFile(dir=self.spool_dir, prefix="probe-") as probe:
                probe.write(b"ok")
                probe.flush()
                os.fsync(probe.fileno())
        except OSError as exc:
            raise ConfigurationError(
                f"CONGVAN_STORAGE_URL: directory {self.root} is not writable: "
                f"{exc.strerror or exc}."
            ) from None

    # Primitives ---------------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.root / key

    async def _store(self, spooled: SpooledBlob, key: str) -> None:
        await asyncio.to_thread(self._move_into_place, spooled.path, self._path(key))

    def _move_into_place(self, source: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Replacing an existing blob is harmless (same content) and heals a corrupted copy.
        os.replace(source, target)
        _fsync_dir(target.parent)

    async def _read(self, key: str) -> bytes:
        return await asyncio.to_thread(self._read_file, self._path(key))

    @staticmethod
    def _read_file(path: Path) -> bytes:
        with _open_or_missing(path) as file:
            return file.read()

    async def _chunks(self, key: str, chunk_size: int) -> AsyncGenerator[bytes, None]:
        file = await asyncio.to_thread(_open_or_missing, self._path(key))
        try:
            while chunk := await asyncio.to_thread(file.read, chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(file.close)

    async def _exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    async def _delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)
