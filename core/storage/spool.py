"""Spool an upload to a temporary file while hashing it and enforcing a size limit."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from core.errors import PayloadTooLarge

BlobSource = AsyncIterable[bytes] | bytes | bytearray | memoryview | BinaryIO
"""What :meth:`BlobStore.put` accepts: bytes, a binary file object or async chunks."""

_READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class SpooledBlob:
    """A complete, fsynced temporary file with its SHA-256 and size."""

    path: Path
    sha256: str
    size: int


def describe_size(size: int) -> str:
    """``52428800`` → ``"52,428,800 bytes (50.0 MiB)"``."""
    units = ("KiB", "MiB", "GiB", "TiB")
    value, unit = float(size), ""
    for name in units:
        if value < 1024:
            break
        value, unit = value / 1024, name
    human = f" ({value:.1f} {unit})" if unit else ""
    return f"{size:,} bytes{human}"


class _Writer:
    """Hashes and writes chunks to an open file; all methods block (run them in a thread)."""

    def __init__(self, file: BinaryIO, max_size: int | None) -> None:
        self._file = file
        self._max_size = max_size
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.size += len(chunk)
        if self._max_size is not None and self.size > self._max_size:
            raise PayloadTooLarge(
                f"The upload is larger than the limit of {describe_size(self._max_size)}.",
                limit=self._max_size,
            )
        self._digest.update(chunk)
        self._file.write(chunk)

    def copy_from(self, source: BinaryIO) -> None:
        while chunk := source.read(_READ_SIZE):
            self.write(chunk)

    def finish(self) -> str:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return self._digest.hexdigest()


def _open_temp(directory: Path) -> tuple[Path, BinaryIO]:
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, prefix="upload-", suffix=".part")
    return Path(name), os.fdopen(fd, "wb")


def _discard(path: Path, file: BinaryIO) -> None:
    file.close()
    path.unlink(missing_ok=True)


async def _feed(writer: _Writer, source: BlobSource) -> None:
    if isinstance(source, bytes | bytearray | memoryview):
        await asyncio.to_thread(writer.write, source)
    elif isinstance(source, AsyncIterable):
        iterator = aiter(source)
        try:
            async for chunk in iterator:
                await asyncio.to_thread(writer.write, chunk)
        finally:
            # Stop the producer too when the limit is hit (e.g. an upload body generator).
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()
    else:
        await asyncio.to_thread(writer.copy_from, source)


@asynccontextmanager
async def spool(
    source: BlobSource, *, directory: Path, max_size: int | None
) -> AsyncIterator[SpooledBlob]:
    """Write ``source`` to a temporary file in ``directory``; removed again on exit.

    Raises :class:`~core.errors.PayloadTooLarge` as soon as more than ``max_size`` bytes came
    in, after removing the partial file. The caller may move the file away inside the block.
    """
    path, file = await asyncio.to_thread(_open_temp, directory)
    try:
        writer = _Writer(file, max_size)
        await _feed(writer, source)
        digest = await asyncio.to_thread(writer.finish)
        yield SpooledBlob(path=path, sha256=digest, size=writer.size)
    finally:
        await asyncio.to_thread(_discard, path, file)
