"""The text extraction job: queued with the registration (and by ``schedule_extraction``), run
by the real outbox executor; PDF, DOCX, images with OCR (a stand-in ``tesseract`` on a private
PATH, and the real one when installed), encrypted and corrupt files kept, crash and retry."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest
from incoming_support import PDF, blobs, make_pdf, make_png  # noqa: F401 (fixture)
from registry_support import new_registry
from search_support import (
    add_pending_file,
    docx,
    file_states,
    pending_jobs,
    register,
    run_extraction_jobs,
    text_pdf,
)

from core import blob_store
from core.context import platform_scope, tenant_context
from core.db.connection import atomic
from core.jobs.models import OutboxMessage
from plugins.registry.extract import ocr_available
from plugins.registry.models_documents import DocumentFile
from plugins.registry.models_search import DocumentText
from plugins.registry.services import extraction
from plugins.registry.services.extraction import HANDLER, schedule_extraction
from plugins.registry.services.incoming import IncomingFile

pytestmark = pytest.mark.usefixtures("any_db")

SUBJECT_LINE = "Quyết định phê duyệt dự án đường Đà Nẵng"


@pytest.fixture
async def registry(tenant, tree, blobs):  # noqa: F811
    with tenant_context(tenant):
        return await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến")


@pytest.fixture
def fake_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return install_fake_ocr(tmp_path, monkeypatch)


def install_fake_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in ``tesseract`` (and the real ``pdftoppm`` if present) on a private PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then\n'
        '  printf "List of languages:\\neng\\nvie\\n"; exit 0\n'
        "fi\n"
        'printf "CÔNG VĂN về việc chống ngập úng Thành phố Huế\\n"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        (bin_dir / "pdftoppm").symlink_to(pdftoppm)
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


@pytest.fixture
def no_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


async def test_registration_queues_the_job_which_extracts_pdf_and_docx(tenant, registry):
    pdf = text_pdf(SUBJECT_LINE, "Giao Sở Giao thông vận tải chủ trì thực hiện.")
    files = [
        IncomingFile("quyết định.pdf", pdf),
        IncomingFile("phụ lục.docx", docx("Bảng tổng hợp kinh phí", "Đơn vị: đồng"), "attachment"),
    ]
    with tenant_context(tenant):
        document = await register(registry, files)
    # The job was queued in the registration's transaction, not yet run.
    assert len(await pending_jobs()) == 1
    assert await file_states(tenant, document.id) == [
        ("quyết định.pdf", "pending"),
        ("phụ lục.docx", "pending"),
    ]
    assert await run_extraction_jobs() == ["done"]
    assert await file_states(tenant, document.id) == [
        ("quyết định.pdf", "ok"),
        ("phụ lục.docx", "ok"),
    ]
    with tenant_context(tenant):
        texts = await DocumentText.filter(document_id=document.id).order_by("id")
        assert [t.status for t in texts] == ["ok", "ok"]
        assert SUBJECT_LINE in texts[0].text  # diacritics kept as typed
        assert "quyet dinh phe duyet du an duong da nang" in texts[0].folded
        assert "bang tong hop kinh phi" in texts[1].folded and "don vi: dong" in texts[1].folded
    # A second run (a duplicate delivery, a new event) changes nothing.
    with tenant_context(tenant):
        async with atomic():
            assert await schedule_extraction(document.id) is False
    assert await run_extraction_jobs() == []


async def test_encrypted_and_corrupt_pdfs_and_missing_blobs_are_reported_and_kept(
    tenant, registry, no_ocr
):
    with tenant_context(tenant):
        document = await register(registry)  # a blank page: no text, no OCR here
        encrypted = await add_pending_file(document, make_pdf(1, password="bí-mật"), "mật.pdf")
        corrupt = await add_pending_file(document, PDF[: len(PDF) // 3], "hỏng.pdf")
        gone = await add_pending_file(document, text_pdf("xoá rồi"), "mất.pdf")
        await blob_store().delete(gone.sha256)
        async with atomic():
            assert await schedule_extraction(document.id) is True
    assert set(await run_extraction_jobs()) == {"done"}
    states = dict(await file_states(tenant, document.id))
    assert states == {
        "cong-van-15.pdf": "failed",
        "mật.pdf": "encrypted",
        "hỏng.pdf": "failed",
        "mất.pdf": "failed",
    }
    with tenant_context(tenant):
        reasons = {t.file_id: t.reason for t in await DocumentText.filter(document_id=document.id)}
        assert (
            "OCR is not available"
            in reasons[
                (
                    await DocumentFile.filter(
                        document_id=document.id, filename="cong-van-15.pdf"
                    ).first()
                ).id
            ]
        )
        assert reasons[gone.id] == "the stored file is missing"
        # The files themselves are kept, unchanged.
        assert await blob_store().exists(encrypted.sha256)
        assert await blob_store().read(corrupt.sha256) == PDF[: len(PDF) // 3]
        assert await DocumentFile.filter(document_id=document.id).count() == 4


async def test_images_and_scans_are_read_by_ocr(tenant, registry, fake_ocr):
    assert ocr_available()
    with tenant_context(tenant):
        document = await register(registry, [IncomingFile("ảnh chụp.png", make_png())])
    assert await run_extraction_jobs() == ["done"]
    assert await file_states(tenant, document.id) == [("ảnh chụp.png", "ok")]
    with tenant_context(tenant):
        text = await DocumentText.get(document_id=document.id)
        assert text.ocr and "chống ngập úng Thành phố Huế" in text.text
        assert "chong ngap ung thanh pho hue" in text.folded


async def test_a_crash_mid_extraction_loses_nothing_and_the_retry_completes(
    tenant, registry, monkeypatch
):
    pdf = text_pdf("Kế hoạch phòng chống lụt bão năm 2025")
    with tenant_context(tenant):
        document = await register(
            registry,
            [
                IncomingFile("kế hoạch.pdf", pdf),
                IncomingFile("tờ trình.docx", docx("Tờ trình xin kinh phí"), "attachment"),
            ],
        )
    calls = {"n": 0}
    real = extraction.extract_file

    def crash_on_second(data: bytes, **options: object) -> extraction.FileText:
        calls["n"] += 1
        if calls["n"] == 2:
            raise MemoryError("worker killed")
        return real(data)

    monkeypatch.setattr(extraction, "extract_file", crash_on_second)
    (message_id,) = await pending_jobs()
    from core.jobs.executor import execute_message

    assert await execute_message(message_id) == "retry"
    assert await file_states(tenant, document.id) == [
        ("kế hoạch.pdf", "pending"),
        ("tờ trình.docx", "pending"),
    ]
    with tenant_context(tenant):
        assert await DocumentText.filter(document_id=document.id).count() == 0
    monkeypatch.setattr(extraction, "extract_file", real)
    with platform_scope():
        assert (await OutboxMessage.get(id=message_id)).status == "pending"
    assert await execute_message(message_id) == "done"
    assert await file_states(tenant, document.id) == [
        ("kế hoạch.pdf", "ok"),
        ("tờ trình.docx", "ok"),
    ]


async def test_events_of_other_flows_schedule_new_files_and_bad_payloads_are_dropped(
    tenant, registry, monkeypatch
):
    from core import publish
    from plugins.registry.events import DocumentProcessing, DocumentSigned

    with tenant_context(tenant):
        document = await register(registry, [IncomingFile("a.docx", docx("Văn bản A"))])
    await run_extraction_jobs()
    looked: list[int] = []
    real_schedule = extraction.schedule_extraction

    async def spy(document_id: int) -> bool:
        looked.append(document_id)
        return await real_schedule(document_id)

    monkeypatch.setattr(extraction, "schedule_extraction", spy)
    with tenant_context(tenant):
        await add_pending_file(document, docx("Ý kiến bổ sung"), "bổ sung.docx")
        # An event that stores no file costs no query and queues nothing.
        async with atomic():
            await publish(DocumentProcessing(document.id, 1))
        assert looked == [] and await pending_jobs() == []
        # One of the events that store files queues the pending ones.
        async with atomic():
            await publish(DocumentSigned(document.id, registry, "manual", "Nguyễn Văn A"))
    assert looked == [document.id]
    assert len(await pending_jobs()) == 1
    await run_extraction_jobs()
    assert await file_states(tenant, document.id) == [("a.docx", "ok"), ("bổ sung.docx", "ok")]
    # A message with a bad payload is logged and finished (retrying cannot help).
    with tenant_context(tenant):
        async with atomic():
            from core import enqueue

            await enqueue(HANDLER, {"document_id": "x"})
    assert await run_extraction_jobs() == ["done"]


@pytest.mark.skipif(
    shutil.which("tesseract") is None or not ocr_available(),
    reason="tesseract with the Vietnamese language (vie) is not installed",
)
async def test_real_tesseract_reads_a_rendered_vietnamese_page(tenant, registry):
    from PIL import Image, ImageDraw, ImageFont  # pillow comes with reportlab

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 48)
    image = Image.new("L", (1600, 200), 255)
    ImageDraw.Draw(image).text((20, 60), "Quyết định thành lập", font=font, fill=0)
    import io

    out = io.BytesIO()
    image.save(out, format="PNG")
    with tenant_context(tenant):
        document = await register(registry, [IncomingFile("scan.png", out.getvalue())])
    assert await run_extraction_jobs() == ["done"]
    with tenant_context(tenant):
        text = await DocumentText.get(document_id=document.id)
    assert text.status == "ok" and "thanh lap" in text.folded, text.text


async def test_files_left_unread_for_want_of_ocr_are_read_once_it_is_installed(
    tenant, registry, tmp_path, monkeypatch
):
    empty = tmp_path / "no-ocr"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    pdf = text_pdf("Báo cáo tổng kết")
    with tenant_context(tenant):
        scanned = await register(registry, [IncomingFile("ảnh.png", make_png())])
        readable = await register(registry, [IncomingFile("báo cáo.pdf", pdf)], code_number="16")
    assert set(await run_extraction_jobs()) == {"done"}
    assert await file_states(tenant, scanned.id) == [("ảnh.png", "failed")]
    assert await file_states(tenant, readable.id) == [("báo cáo.pdf", "ok")]
    with tenant_context(tenant):
        text = await DocumentText.get(document_id=scanned.id)
        assert text.reason in extraction.TOOL_MISSING
    # Tesseract is installed: only the files it could not read go back to the queue.
    install_fake_ocr(tmp_path, monkeypatch)
    with tenant_context(tenant):
        assert await extraction.requeue_missing_ocr() == 1
    assert await file_states(tenant, scanned.id) == [("ảnh.png", "pending")]
    assert await file_states(tenant, readable.id) == [("báo cáo.pdf", "ok")]
    assert await run_extraction_jobs() == ["done"]
    assert await file_states(tenant, scanned.id) == [("ảnh.png", "ok")]
    with tenant_context(tenant):
        text = await DocumentText.get(document_id=scanned.id)
        assert text.ocr and text.reason == "" and "chong ngap ung" in text.folded
        assert await extraction.requeue_missing_ocr() == 0
    assert await pending_jobs() == []
