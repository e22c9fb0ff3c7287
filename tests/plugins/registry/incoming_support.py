"""Helpers of the incoming-document tests: real files built in code, a blob store in the
test's temporary directory, and a valid set of metadata."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfWriter

from core.storage.api import set_blob_store
from core.storage.local import LocalBlobStore
from plugins.registry.services.incoming import IncomingFile, IncomingMetadata


def make_pdf(pages: int = 1, *, password: str | None = None) -> bytes:
    """A real PDF of ``pages`` blank A4 pages, encrypted with ``password`` if given."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password is not None:
        writer.encrypt(password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"\x00\x80\x80" * 2
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PDF = make_pdf()

METADATA = IncomingMetadata(
    organ_name="Sở Tư pháp tỉnh Alpha",
    code_number="15",
    code_notation="STP-VP",
    document_type="cong_van",
    issued_date=date(2025, 3, 10),
    subject="Về việc báo cáo công tác tư pháp quý I năm 2025",
    signer_full_name="Nguyễn Văn An",
    signer_position="Giám đốc",
    priority="thuong",
    confidentiality="thuong",
    page_amount=2,
)


def metadata(**changes: Any) -> IncomingMetadata:
    return replace(METADATA, **changes)


def main_pdf(data: bytes = PDF, name: str = "cong-van-15.pdf") -> list[IncomingFile]:
    return [IncomingFile(name, data)]


def metadata_json(**changes: Any) -> dict[str, Any]:
    """The same metadata as ``METADATA``, as the JSON API takes it."""
    body: dict[str, Any] = {
        "organ_name": METADATA.organ_name,
        "code_number": METADATA.code_number,
        "code_notation": METADATA.code_notation,
        "document_type": METADATA.document_type,
        "issued_date": "2025-03-10",
        "subject": METADATA.subject,
        "signer_full_name": METADATA.signer_full_name,
        "signer_position": METADATA.signer_position,
        "priority": METADATA.priority,
        "confidentiality": METADATA.confidentiality,
        "page_amount": METADATA.page_amount,
    }
    body.update(changes)
    return body


@pytest.fixture
def blobs(tmp_path: Path) -> Iterator[LocalBlobStore]:
    """``core.blob_store()`` in the test's temporary directory."""
    store = LocalBlobStore(tmp_path / "blobs", max_size=1024 * 1024)
    set_blob_store(store)
    yield store
    set_blob_store(None)


def stored_blobs(root: Path) -> list[Path]:
    return [p for p in (root / "blobs").rglob("*") if p.is_file() and len(p.name) == 64]
