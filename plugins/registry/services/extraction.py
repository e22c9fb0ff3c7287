"""Text extraction of documents' files, in a background job (the outbox).

When a document's files are stored their ``text_status`` is ``pending``. The flow that stored
them publishes one of :data:`FILE_EVENTS`; the plugin's ``on_event`` calls
:func:`schedule_extraction`, which queues the job :data:`HANDLER` in the same transaction — a
flow that stores files without such an event calls :func:`schedule_extraction` itself. The
job (:func:`extract_document`) reads each pending file from the blob store and:

* PDF with a text layer, DOCX → the text (``ok``), or ``empty``/``failed``/``encrypted``;
* an image or a scanned PDF (no text layer) → OCR with Tesseract (``vie``) when it is
  installed; without it the file is ``failed`` with the reason "OCR is not available" —
  :func:`requeue_missing_ocr` gives those files another run once it is installed.

The result is stored in :class:`~plugins.registry.models_search.DocumentText` (text and folded
text) and the file's ``text_status`` is set — both in the job's transaction, so a crash or
a time-out loses nothing: the files stay ``pending`` and the retry does the work again. The
slow part (parsing, OCR) runs in a worker thread *before* anything is written, so no write
lock is held meanwhile. The job is idempotent: a file that is no longer ``pending`` (done by
a duplicate delivery) is skipped, under a row lock. Files are never deleted or changed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Subquery

from core import Event, JobHandler, NotFound, atomic, blob_store, enqueue
from plugins.registry.events import (
    CopyReceived,
    DocumentRefused,
    DocumentRegistered,
    DocumentSigned,
    DraftCreated,
)
from plugins.registry.extract import (
    PDFTOPPM_MISSING,
    ExtractResult,
    extract_text,
    ocr_available,
    ocr_pdf_or_image,
)
from plugins.registry.files import FileKind, sniff
from plugins.registry.models_documents import TEXT_PENDING, DocumentFile
from plugins.registry.models_search import DocumentText
from plugins.registry.searchtext import fold

log = logging.getLogger(__name__)

HANDLER = "registry.extract_text"
MAX_ATTEMPTS = 5
TIME_BUDGET = 240.0
"""Seconds of extraction per job run; the remaining files go to a follow-up job (the
executor's time limit is 600 s and one OCR run may take up to :data:`OCR_TIMEOUT`)."""
OCR_TIMEOUT = 240.0
OCR_UNAVAILABLE = "OCR is not available (tesseract with the Vietnamese language 'vie')"
TOOL_MISSING = (OCR_UNAVAILABLE, PDFTOPPM_MISSING)
"""Reasons of the files left unread for want of an OCR tool (:func:`requeue_missing_ocr`)."""
FILE_EVENTS = (DocumentRegistered, DocumentRefused, DraftCreated, DocumentSigned, CopyReceived)
"""The events published with the storing of a document's files (registration and refusal of
an incoming document, a new draft, the signed PDF, an internal copy received)."""


@dataclass(frozen=True)
class FileText:
    """What the extraction of one file gave."""

    status: str
    text: str = ""
    reason: str = ""
    ocr: bool = False
    truncated: bool = False


def extract_file(data: bytes, *, ocr_timeout: float = OCR_TIMEOUT) -> FileText:
    """The text of a file's bytes (blocking: run it in a worker thread). Never raises."""
    kind = sniff(data)
    if kind is FileKind.UNKNOWN:
        return FileText("failed", reason="unknown file format")
    result: ExtractResult = extract_text(kind, data)
    if result.status != "empty" or not (kind is FileKind.PDF or kind.is_image):
        return FileText(result.status, result.text, result.reason, truncated=result.truncated)
    if not ocr_available():
        return FileText("failed", result.text, OCR_UNAVAILABLE)
    scanned = ocr_pdf_or_image(kind, data, timeout=ocr_timeout)
    if scanned.status == "ok":
        return FileText("ok", scanned.text, scanned.reason, ocr=True, truncated=scanned.truncated)
    # OCR found nothing (or failed): keep whatever little text layer there was.
    return FileText(scanned.status, result.text or scanned.text, scanned.reason, ocr=True)


async def schedule_extraction(document_id: int) -> bool:
    """Queue the extraction of ``document_id``'s pending files; ``False`` when none is
    pending. Call it inside the transaction that stored the files (the job then commits
    with them). Queuing twice is harmless: the second run finds nothing pending."""
    if not await DocumentFile.filter(document_id=document_id, text_status=TEXT_PENDING).exists():
        return False
    await enqueue(HANDLER, {"document_id": document_id})
    return True


async def on_registry_event(event: Event) -> None:
    """The plugin's ``on_event``: the events of the flows that store a document's files
    (:data:`FILE_EVENTS`) schedule the extraction; any other event costs no query."""
    if isinstance(event, FILE_EVENTS):
        await schedule_extraction(event.document_id)


async def requeue_missing_ocr() -> int:
    """Give another run to the current tenant's files that were not read because an OCR tool
    was missing (:data:`TOOL_MISSING`): they go back to ``pending`` and their documents'
    extraction is queued. Call it (in each tenant's context) once ``tesseract`` with ``vie``
    and ``pdftoppm`` are installed on the workers; the number of files queued again."""
    missing = DocumentText.filter(reason__in=TOOL_MISSING)
    async with atomic():
        document_ids = sorted(set(await missing.values_list("document_id", flat=True)))
        count = (
            await DocumentFile.filter(id__in=Subquery(missing.values("file_id")))
            .exclude(text_status=TEXT_PENDING)
            .update(text_status=TEXT_PENDING)
        )
        for document_id in document_ids:
            await enqueue(HANDLER, {"document_id": document_id})
    return int(count)


async def _read(entry: DocumentFile) -> bytes | None:
    try:
        return await blob_store().read(entry.sha256)
    except NotFound:
        return None  # the blob is gone: nothing will bring it back (other errors retry)


async def _store(entry: DocumentFile, found: FileText) -> bool:
    """Write the result of ``entry`` if it is still pending (row lock: duplicate deliveries
    wait, then skip)."""
    locked = await DocumentFile.select_for_update().get_or_none(id=entry.id)
    if locked is None or locked.text_status != TEXT_PENDING:
        return False
    values: dict[str, Any] = {
        "document_id": locked.document_id,
        "status": found.status,
        "reason": found.reason[:500],
        "ocr": found.ocr,
        "truncated": found.truncated,
        "text": found.text,
        "folded": fold(found.text),
        "extracted_at": datetime.now(UTC),
    }
    await DocumentText.update_or_create(defaults=values, file_id=locked.id)
    locked.text_status = found.status
    await locked.save(update_fields=["text_status"])
    return True


async def extract_document(payload: dict[str, Any], message_id: str) -> None:
    """The job: extract the pending files of ``payload["document_id"]`` (see the module
    docstring). A payload without a valid id is logged and dropped (retrying cannot help)."""
    document_id = payload.get("document_id")
    if not isinstance(document_id, int) or isinstance(document_id, bool) or document_id < 1:
        log.error("text extraction job %s: bad payload %r", message_id, payload)
        return
    pending = list(
        await DocumentFile.filter(document_id=document_id, text_status=TEXT_PENDING).order_by(
            "position", "id"
        )
    )
    started = time.monotonic()
    results: list[tuple[DocumentFile, FileText]] = []
    for index, entry in enumerate(pending):
        if index and time.monotonic() - started > TIME_BUDGET:
            await enqueue(HANDLER, {"document_id": document_id})  # the rest, in a new run
            break
        data = await _read(entry)
        if data is None:
            results.append((entry, FileText("failed", reason="the stored file is missing")))
            continue
        results.append((entry, await asyncio.to_thread(extract_file, data)))
    for entry, found in results:
        await _store(entry, found)


JOB_HANDLERS = (JobHandler(HANDLER, extract_document, max_attempts=MAX_ATTEMPTS),)
