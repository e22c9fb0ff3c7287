"""Helpers of the search tests: real files (reportlab PDF with Vietnamese text, DOCX), documents
registered through the service, files added as another flow would, and the outbox run."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from typing import Any

from incoming_support import main_pdf, metadata

from core import blob_store
from core.context import platform_scope, tenant_context
from core.jobs.executor import execute_message
from core.jobs.models import OutboxMessage
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.pdfdoc import pdf_fonts
from plugins.registry.services.extraction import HANDLER
from plugins.registry.services.incoming import IncomingFile, register_incoming

NOW = datetime(2025, 3, 15, 2, 0, tzinfo=UTC)


def text_pdf(*lines: str) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (DejaVu Sans: Vietnamese glyphs)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    fonts = pdf_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setFont(fonts.regular, 12)
    y = 800
    for line in lines:
        canvas.drawString(60, y, line)
        y -= 20
    canvas.showPage()
    canvas.save()
    return out.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(*paragraphs: str) -> bytes:
    """A minimal valid DOCX with ``paragraphs``."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


async def register(registry_id: int, files: list[IncomingFile] | None = None, **changes: Any):
    """Register an incoming document (metadata from ``incoming_support`` with ``changes``)."""
    numbers = changes.pop("code_number", None)
    moment = changes.pop("now", NOW)
    result = await register_incoming(
        registry_id,
        metadata(code_number=numbers or "15", **changes),
        files or main_pdf(),
        source="upload",
        now=moment,
    )
    return result.document


async def add_pending_file(document: Document, data: bytes, filename: str) -> DocumentFile:
    """A file stored as another flow would (status ``pending``), without any check."""
    blob = await blob_store().put(data, max_size=len(data))
    return await DocumentFile.create(
        document=document,
        role="attachment",
        position=9,
        filename=filename,
        content_type="application/octet-stream",
        size=blob.size,
        sha256=blob.sha256,
    )


async def pending_jobs() -> list[str]:
    with platform_scope():
        rows = await OutboxMessage.filter(handler=HANDLER, status="pending").order_by("created_at")
        return [str(r.id) for r in rows]


async def run_extraction_jobs() -> list[str]:
    """Run every pending extraction message through the real executor; their outcomes."""
    outcomes: list[str] = []
    for _ in range(5):  # follow-up jobs queued by a run are run too
        ids = await pending_jobs()
        if not ids:
            break
        for message_id in ids:
            outcomes.append(await execute_message(message_id))
    return outcomes


async def file_states(tenant: Any, document_id: int) -> list[tuple[str, str]]:
    with tenant_context(tenant):
        files = await DocumentFile.filter(document_id=document_id).order_by("position", "id")
        return [(f.filename, f.text_status) for f in files]


def today() -> date:
    from plugins.registry.services.search import vietnam_today

    return vietnam_today()
