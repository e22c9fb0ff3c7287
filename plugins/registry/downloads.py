"""Serving a stored file: ``Content-Disposition`` with the Vietnamese name, and a download
streamed from the blob store whose hash is verified as it streams.

A file that fits in :data:`PREFETCH_BYTES` is read (and verified) before the response starts,
so a missing or altered blob is a problem response, not a broken body; a larger one starts
streaming and, if verification fails later, the response is aborted (the client sees a
truncated body, never a complete one with altered bytes).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import AsyncGenerator, AsyncIterator
from urllib.parse import quote

from starlette.responses import Response, StreamingResponse

from core import BlobIntegrityError, NotFound, blob_store
from plugins.registry.models_documents import DocumentFile

log = logging.getLogger(__name__)
PREFETCH_BYTES = 1024 * 1024
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9._]+")  # a run (dashes too) becomes one "-"


def attachment_disposition(filename: str) -> str:
    """``attachment; filename="So-dang-ky.pdf"; filename*=UTF-8''S%E1%BB%95…`` for
    ``filename`` (Vietnamese letters kept in ``filename*``; the ASCII fallback drops the
    diacritics, ``đ`` → ``d``)."""
    name = unicodedata.normalize("NFC", filename).replace("/", "_").replace("\\", "_")
    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    fallback = _NOT_ASCII_NAME.sub("-", plain).strip("-") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def _prefetch(chunks: AsyncGenerator[bytes, None], sha256: str) -> tuple[list[bytes], bool]:
    head: list[bytes] = []
    size = 0
    try:
        while size < PREFETCH_BYTES:
            chunk = await anext(chunks)
            head.append(chunk)
            size += len(chunk)
    except StopAsyncIteration:
        return head, True
    except NotFound:
        raise BlobIntegrityError(
            f"The stored file {sha256} is missing from the blob store.", sha256=sha256
        ) from None
    return head, False


async def _rest(
    head: list[bytes], chunks: AsyncGenerator[bytes, None], entry: DocumentFile
) -> AsyncIterator[bytes]:
    for chunk in head:
        yield chunk
    try:
        async for chunk in chunks:
            yield chunk
    except BlobIntegrityError:
        log.error("file %s (blob %s) failed verification during download", entry.id, entry.sha256)
        raise


async def file_response(entry: DocumentFile) -> Response:
    """The stored file ``entry`` as an attachment (the caller checked it may be read)."""
    chunks = blob_store().stream(entry.sha256)
    head, finished = await _prefetch(chunks, entry.sha256)
    headers = {
        "content-disposition": attachment_disposition(entry.filename),
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
    }
    if finished:
        return Response(b"".join(head), media_type=entry.content_type, headers=headers)
    headers["content-length"] = str(entry.size)
    return StreamingResponse(
        _rest(head, chunks, entry), media_type=entry.content_type, headers=headers
    )
