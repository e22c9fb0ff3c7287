"""The files of a received document: checked by their bytes, then stored as blobs.

Every file is checked first (:func:`check_files`, with
:func:`plugins.registry.files.check_upload`: the extension must agree with the content); one
bad file refuses the whole document and nothing is stored. Only one file's bytes are held in
memory at a time: a seekable upload is read again when it is stored. Then each file goes to
``core.blob_store()`` (:func:`store_checked`) — *before* the caller's transaction, which only
references the blobs (an orphan blob left by a transaction that rolls back is harmless: blobs
are content-addressed per tenant and the same bytes give the same blob; nothing deletes them).
An encrypted or damaged PDF is kept with its ``pdf_state`` and a warning: it may be the only
copy of the document.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import BinaryIO

from core import InvalidInput, PayloadTooLarge, blob_store
from plugins.registry.files import (
    CheckedFile,
    FileKind,
    PdfHealth,
    check_upload,
    health_warning,
    pdf_health,
)
from plugins.registry.models_documents import (
    FILE_ROLES,
    PDF_CORRUPT,
    PDF_ENCRYPTED,
    PDF_NOT_APPLICABLE,
    ROLE_MAIN,
    TEXT_ENCRYPTED,
    TEXT_FAILED,
    TEXT_PENDING,
)

MAX_FILES = 50
DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # when the store has no limit of its own


@dataclass(frozen=True)
class IncomingFile:
    """A file handed over with a document: its bytes (or a readable binary file, read from
    its current position), the name it came with and its role (``main``, ``attachment``)."""

    filename: str
    content: bytes | BinaryIO
    role: str = ROLE_MAIN
    content_type: str | None = None  # as declared by the client; informative only


@dataclass(frozen=True)
class FileWarning:
    """A file that was kept but needs attention (``code``: ``pdf_encrypted``,
    ``pdf_corrupt``); ``message`` is translated Vietnamese for the clerk."""

    filename: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"filename": self.filename, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class StoredFile:
    role: str
    position: int
    filename: str
    content_type: str
    size: int
    sha256: str
    pdf_state: str
    pages: int | None
    text_status: str


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed its checks; ``source`` gives its bytes again for the blob store: the
    bytes themselves, or a seekable file and where they start in it (so that only one file of
    a document is held in memory at a time)."""

    role: str
    source: bytes | BinaryIO
    start: int
    file: CheckedFile
    health: PdfHealth | None


def max_file_bytes() -> int:
    limit = blob_store().max_size
    return limit if limit is not None else DEFAULT_MAX_BYTES


def _read(content: bytes | BinaryIO, limit: int) -> tuple[bytes, int]:
    """The bytes (one more than ``limit`` tells "too large") and where they start in a
    seekable file (-1: keep the bytes)."""
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content), -1
    start = content.tell() if content.seekable() else -1
    return content.read(limit + 1), start


def _reread(item: CheckedUpload) -> bytes | BinaryIO:
    if isinstance(item.source, bytes):
        return item.source
    item.source.seek(item.start)
    return item.source


def _check_list(files: list[IncomingFile], require_main: bool) -> None:
    if len(files) > MAX_FILES:
        raise InvalidInput(
            f"At most {MAX_FILES} files per document.", {"files": f"at most {MAX_FILES}"}
        )
    errors = {
        f"files.{i}": f"unknown role {f.role!r}; one of {', '.join(FILE_ROLES)}"
        for i, f in enumerate(files)
        if f.role not in FILE_ROLES
    }
    if errors:
        raise InvalidInput("Unknown file role.", errors)
    if require_main and not any(f.role == ROLE_MAIN for f in files):
        raise InvalidInput(
            "A received document needs its main file (the document itself).",
            {"files": "a main file is required"},
        )


async def _check_one(index: int, incoming: IncomingFile, limit: int) -> CheckedUpload:
    data, start = await asyncio.to_thread(_read, incoming.content, limit)
    try:
        checked = check_upload(incoming.filename, incoming.content_type, data, len(data), limit)
    except PayloadTooLarge as exc:
        message = next(iter(exc.extra.get("errors", {}).values()), exc.detail)
        raise PayloadTooLarge(exc.detail, errors={f"files.{index}": message}) from None
    health = None
    if checked.kind is FileKind.PDF:
        health = await asyncio.to_thread(pdf_health, data)
    source = incoming.content if start >= 0 else data
    return CheckedUpload(incoming.role, source, start, checked, health)


async def check_files(files: list[IncomingFile], *, require_main: bool) -> list[CheckedUpload]:
    """Check every file (all of them, then raise one error naming each bad file)."""
    _check_list(files, require_main)
    limit = max_file_bytes()
    checked: list[CheckedUpload] = []
    errors: dict[str, str] = {}
    for index, incoming in enumerate(files):
        try:
            checked.append(await _check_one(index, incoming, limit))
        except InvalidInput as exc:
            errors[f"files.{index}"] = next(iter(exc.errors.values()), exc.detail)
    if errors:
        summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise InvalidInput(f"Refused files: {summary}", errors)
    return checked


def _states(item: CheckedUpload) -> tuple[str, int | None, str]:
    """(pdf_state, pages, text_status) of a checked file."""
    health = item.health
    if health is None:
        return PDF_NOT_APPLICABLE, None, TEXT_PENDING
    if health.state == PDF_ENCRYPTED:
        return PDF_ENCRYPTED, None, TEXT_ENCRYPTED
    if health.state == PDF_CORRUPT:
        return PDF_CORRUPT, None, TEXT_FAILED
    return health.state, health.pages, TEXT_PENDING


def _ordered(checked: list[CheckedUpload]) -> list[CheckedUpload]:
    """Main files first, in the order given."""
    return [c for c in checked if c.role == ROLE_MAIN] + [c for c in checked if c.role != ROLE_MAIN]


def file_warnings(checked: list[CheckedUpload]) -> list[FileWarning]:
    """The files kept with a problem (an encrypted or damaged PDF), in stored order."""
    warnings: list[FileWarning] = []
    for item in _ordered(checked):
        if item.health is None:
            continue
        message = health_warning(item.health)
        if message is not None:
            warnings.append(FileWarning(item.file.filename, f"pdf_{item.health.state}", message))
    return warnings


async def store_checked(
    checked: list[CheckedUpload],
) -> tuple[list[StoredFile], list[FileWarning]]:
    """Store files that passed :func:`check_files`; main files come first."""
    stored: list[StoredFile] = []
    store = blob_store()
    for position, item in enumerate(_ordered(checked)):
        blob = await store.put(_reread(item), max_size=item.file.size)
        pdf_state, pages, text_status = _states(item)
        stored.append(
            StoredFile(
                role=item.role,
                position=position,
                filename=item.file.filename,
                content_type=item.file.content_type,
                size=blob.size,
                sha256=blob.sha256,
                pdf_state=pdf_state,
                pages=pages,
                text_status=text_status,
            )
        )
    return stored, file_warnings(checked)


async def store_files(
    files: list[IncomingFile], *, require_main: bool
) -> tuple[list[StoredFile], list[FileWarning]]:
    """Check then store ``files``; main files come first, in the order given."""
    return await store_checked(await check_files(files, require_main=require_main))
