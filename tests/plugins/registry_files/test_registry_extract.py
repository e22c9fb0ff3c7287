"""Text for search from real generated PDFs and DOCX files, the limits that keep hostile files
harmless, and OCR (real when tesseract is installed, its plumbing with stand-in programs)."""

from __future__ import annotations

import io
import random
import shutil
import struct
import time
import tracemalloc
import unicodedata
import zipfile
from pathlib import Path

import pytest
from registry_files_builders import (
    CONTENT_TYPES,
    MC_NS,
    OLE_HEADER,
    W_STRICT_NS,
    document_xml,
    encrypt_pdf,
    make_big_text_pdf,
    make_docx,
    make_docx_bomb,
    make_pdf,
    make_png,
    make_scanned_pdf,
    make_zip,
    paragraph,
    table,
)

from plugins.registry.extract import (
    ExtractResult,
    extract_text,
    ocr_available,
    ocr_pdf_or_image,
)
from plugins.registry.files import FileKind
from plugins.registry.searchtext import fold

STATUSES = ("ok", "empty", "failed", "encrypted")

# ------------------------------------------------------------------------------------ PDF


def test_pdf_text_is_read_page_by_page() -> None:
    data = make_pdf(
        [
            "ỦY BAN NHÂN DÂN TỈNH ALPHA\nQuyết định số 15/QĐ-UBND\nVề việc phê duyệt Đề án",
            "Điều 2. Sở Giao thông vận tải chủ trì nâng cấp đường tỉnh 391.",
        ]
    )
    result = extract_text(FileKind.PDF, data)
    assert result.status == "ok" and result.pages == 2 and not result.truncated
    assert result.text == (
        "ỦY BAN NHÂN DÂN TỈNH ALPHA\nQuyết định số 15/QĐ-UBND\nVề việc phê duyệt Đề án"
        "\n\nĐiều 2. Sở Giao thông vận tải chủ trì nâng cấp đường tỉnh 391."
    )


def test_pdf_text_in_nfd_comes_out_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Quyết định về đường giao thông nông thôn")
    result = extract_text(FileKind.PDF, make_pdf([nfd]))
    assert result.status == "ok"
    assert result.text == "Quyết định về đường giao thông nông thôn"
    assert unicodedata.is_normalized("NFC", result.text)


def test_pdf_text_is_capped_at_max_chars() -> None:
    data = make_pdf([f"Trang {n}: " + "công văn " * 40 for n in range(1, 6)])
    result = extract_text(FileKind.PDF, data, max_chars=500)
    assert result.status == "ok" and result.truncated and result.pages == 5
    assert len(result.text) == 500 and result.text.startswith("Trang 1: công văn")


def test_a_scanned_pdf_is_empty_and_needs_ocr() -> None:
    result = extract_text(FileKind.PDF, make_scanned_pdf(4))
    assert result.status == "empty" and result.pages == 4
    assert "OCR" in result.reason
    assert result.text == "1\n\n2\n\n3\n\n4"  # the page numbers are all there is


def test_an_encrypted_pdf_is_reported_not_read() -> None:
    data = encrypt_pdf(make_pdf(["Tài liệu mật"]), "mat-khau")
    assert extract_text(FileKind.PDF, data) == ExtractResult(
        "encrypted", reason="a password is required"
    )


def test_a_pdf_encrypted_for_permissions_only_is_read() -> None:
    data = encrypt_pdf(make_pdf(["Thông báo lịch họp"]), "", "chu-so-huu")
    result = extract_text(FileKind.PDF, data)
    assert result.status == "ok" and result.text == "Thông báo lịch họp"


@pytest.mark.parametrize(
    "data",
    [
        make_pdf(["Công văn"])[:300],  # truncated
        b"%PDF-1.7\n" + b"rac " * 100,
        make_docx(paragraph("Không phải PDF")),
        OLE_HEADER,
        b"",
    ],
)
def test_a_corrupt_pdf_fails_with_a_reason(data: bytes) -> None:
    result = extract_text(FileKind.PDF, data)
    assert result.status == "failed" and result.reason and result.text == ""


# ----------------------------------------------------------------------------------- DOCX


def test_docx_paragraphs_become_lines_and_table_cells_are_included() -> None:
    body = (
        paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        + paragraph("Độc lập - ", "Tự do - ", "Hạnh phúc")
        + table([["Số", "Trích yếu"], ["15/QĐ-UBND", "Đề án đường giao thông"]])
        + paragraph("Nơi nhận: <Sở Nội vụ> & Văn phòng")
    )
    result = extract_text(FileKind.DOCX, make_docx(body))
    assert result.status == "ok" and result.pages is None
    assert result.text.split("\n") == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số",
        "Trích yếu",
        "15/QĐ-UBND",
        "Đề án đường giao thông",
        "Nơi nhận: <Sở Nội vụ> & Văn phòng",
    ]


def test_docx_tabs_breaks_and_tracked_changes() -> None:
    body = (
        "<w:p><w:r><w:t>Kính gửi:</w:t><w:tab/><w:t>Sở Tài chính</w:t><w:br/>"
        "<w:t>Sở Xây dựng</w:t></w:r></w:p>"
        '<w:p><w:del w:id="1"><w:r><w:delText>đã xóa</w:delText></w:r></w:del>'
        '<w:ins w:id="2"><w:r><w:t>đã thêm</w:t></w:r></w:ins>'
        '<w:r><w:fldChar w:fldCharType="begin"/><w:instrText>PAGE</w:instrText></w:r></w:p>'
    )
    result = extract_text(FileKind.DOCX, make_docx(body))
    assert result.text == "Kính gửi:\tSở Tài chính\nSở Xây dựng\nđã thêm"


def test_docx_text_boxes_are_read_once() -> None:
    box = "<w:txbxContent>" + paragraph("Dự thảo") + "</w:txbxContent>"
    body = (
        "<w:p><w:r><mc:AlternateContent>"
        f"<mc:Choice Requires='wps'>{box}</mc:Choice><mc:Fallback>{box}</mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>" + paragraph("Nội dung")
    )
    result = extract_text(FileKind.DOCX, make_docx(body))
    assert [line for line in result.text.split("\n") if line] == ["Dự thảo", "Nội dung"]
    assert MC_NS in document_xml(body)


def test_strict_ooxml_docx_is_read() -> None:
    xml = document_xml(paragraph("Báo cáo tổng kết"), namespace=W_STRICT_NS)
    assert extract_text(FileKind.DOCX, make_docx(xml=xml)).text == "Báo cáo tổng kết"


def test_docx_without_text_is_empty() -> None:
    result = extract_text(FileKind.DOCX, make_docx("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>"))
    assert result.status == "empty" and result.reason


def test_docx_text_is_capped_and_parsing_stops_early(monkeypatch: pytest.MonkeyPatch) -> None:
    from plugins.registry import files_docx

    body = paragraph("văn bản " * 200_000)  # 1.6 M characters
    docx = make_docx(body)
    read: list[int] = []
    original = files_docx.iter_member

    def counting(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        for chunk in original(*args, **kwargs):  # type: ignore[arg-type]
            read.append(len(chunk))
            yield chunk

    monkeypatch.setattr(files_docx, "iter_member", counting)
    whole = extract_text(FileKind.DOCX, docx, max_chars=10_000_000)
    assert whole.status == "ok" and not whole.truncated
    total, read[:] = sum(read), []
    result = extract_text(FileKind.DOCX, docx, max_chars=1_000)
    assert result.status == "ok" and result.truncated and len(result.text) <= 1_000
    # Parsing stopped at the cap: only the first chunks of the document were read.
    assert sum(read) < total / 10


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (make_zip({"[Content_Types].xml": CONTENT_TYPES.encode()}), "word/document.xml is missing"),
        (make_docx(xml="<w:document><w:body><w:p>"), "not well-formed"),
        (b"PK\x03\x04" + bytes(100), "not a readable zip"),
        (OLE_HEADER, "not a readable zip"),
        (make_pdf(["PDF"]), "not a readable zip"),
        (b"", "empty"),
    ],
)
def test_a_broken_docx_fails_with_a_reason(data: bytes, reason: str) -> None:
    result = extract_text(FileKind.DOCX, data)
    assert result.status == "failed" and reason in result.reason


def test_entity_declarations_are_refused() -> None:
    laughs = (
        '<!DOCTYPE w:document [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
            for n in range(1, 10)
        )
        + "]>"
    )
    xml = document_xml(paragraph("x") + "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", prolog=laughs)
    result = extract_text(FileKind.DOCX, make_docx(xml=xml))
    assert result.status == "failed" and "declarations are not allowed" in result.reason
    external = document_xml(
        "<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>",
        prolog='<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    )
    result = extract_text(FileKind.DOCX, make_docx(xml=external))
    assert result.status == "failed" and "root:" not in result.text


def test_a_zip_bomb_docx_fails_without_inflating_it() -> None:
    bomb = make_docx_bomb(80 * 1024 * 1024)  # 80 MiB of XML in ~80 KiB
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        result = extract_text(FileKind.DOCX, bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.status == "failed" and "zip bomb" in result.reason
    assert peak < 8 * 1024 * 1024


def test_a_docx_that_lies_about_its_inflated_size_fails() -> None:
    data = bytearray(make_docx(paragraph("nội dung " * 5_000)))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    # Claim 100 bytes in the local and the central header: reading stops there (bad CRC).
    struct.pack_into("<L", data, info.header_offset + 22, 100)
    central = data.find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == b"word/document.xml":
            struct.pack_into("<L", data, central + 24, 100)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    result = extract_text(FileKind.DOCX, bytes(data))
    assert result.status == "failed" and "Bad CRC-32" in result.reason


# --------------------------------------------------------------------- images and others


@pytest.mark.parametrize("kind", [FileKind.PNG, FileKind.JPEG, FileKind.TIFF])
def test_images_are_empty_until_ocr(kind: FileKind) -> None:
    result = extract_text(kind, make_png())
    assert result.status == "empty" and "OCR" in result.reason and result.text == ""


def test_unknown_kind_fails() -> None:
    assert extract_text(FileKind.UNKNOWN, b"abc").status == "failed"


def test_extraction_never_raises_on_mangled_files() -> None:
    rng = random.Random(2020)
    samples = {
        FileKind.PDF: make_pdf(["Quyết định số 15/QĐ-UBND", "Điều 1"]),
        FileKind.DOCX: make_docx(paragraph("Đề án") + table([["a", "b"]])),
    }
    for _ in range(120):
        kind = rng.choice(list(samples))
        data = bytearray(samples[kind])
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            del data[rng.randrange(len(data)) :]
        assert extract_text(kind, bytes(data)).status in STATUSES


# ------------------------------------------------------------------------------------- OCR

FAKE_TESSERACT = """#!/bin/sh
if [ "$1" = "--list-langs" ]; then
  echo 'List of available languages in "/fake/tessdata/" (3):'
  for lang in ${FAKE_LANGS:-eng osd vie}; do echo "$lang"; done
  exit 0
fi
if [ -n "$FAKE_SLEEP" ]; then exec sleep "$FAKE_SLEEP"; fi
if [ -n "$FAKE_FAIL" ]; then echo "Error in pixReadStream" >&2; exit 1; fi
printf 'Văn bản %s [%s]\\r\\n\\000\\n' "$(basename "$1")" "$4"
"""
FAKE_PDFTOPPM = """#!/bin/sh
# pdftoppm -r DPI -gray -png -f 1 -l N input prefix
if [ -n "$FAKE_FAIL_RENDER" ]; then echo "Command Line Error: Incorrect password" >&2; exit 1; fi
for prefix; do :; done  # the last argument
for n in $(seq 1 "${FAKE_PAGES:-2}"); do
  printf 'png' > "$prefix-$(printf '%02d' "$n").png"
done
"""


def install(bin_dir: Path, name: str, script: str) -> None:
    path = bin_dir / name
    path.write_text(script)
    path.chmod(0o755)


@pytest.fixture
def fake_bin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH with only a stand-in tesseract and the few tools its scripts use (so a real
    tesseract or pdftoppm on this machine is not seen)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sleep", "basename", "seq"):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is needed by the stand-in scripts")
        (bin_dir / tool).symlink_to(found)
    install(bin_dir, "tesseract", FAKE_TESSERACT)
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_without_tesseract_ocr_reports_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not ocr_available()
    result = ocr_pdf_or_image(FileKind.PNG, make_png())
    assert result.status == "empty" and "OCR is not available" in result.reason


def test_ocr_needs_the_vietnamese_language(fake_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ocr_available() and ocr_available("vie+eng")
    assert not ocr_available("vie; rm -rf /")
    monkeypatch.setenv("FAKE_LANGS", "eng osd")
    assert not ocr_available()
    assert ocr_pdf_or_image(FileKind.JPEG, make_png()).status == "empty"


def test_ocr_of_an_image_runs_tesseract_in_vietnamese(fake_bin: Path) -> None:
    result = ocr_pdf_or_image(FileKind.PNG, make_png())
    assert result == ExtractResult("ok", "Văn bản input.png [vie]")  # cleaned: no \r, no NUL


def test_ocr_of_a_pdf_renders_pages_in_order(
    fake_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scan = make_scanned_pdf(1)
    assert ocr_pdf_or_image(FileKind.PDF, scan).reason == (
        "pdftoppm (poppler-utils) is not installed"
    )
    install(fake_bin, "pdftoppm", FAKE_PDFTOPPM)
    monkeypatch.setenv("FAKE_PAGES", "11")
    result = ocr_pdf_or_image(FileKind.PDF, scan)
    assert result.status == "ok" and result.pages == 11
    lines = result.text.split("\n\n")
    assert lines[0] == "Văn bản page-01.png [vie]"
    assert lines[1] == "Văn bản page-02.png [vie]"
    assert lines[-1] == "Văn bản page-11.png [vie]"
    monkeypatch.setenv("FAKE_FAIL_RENDER", "1")
    failed = ocr_pdf_or_image(FileKind.PDF, scan)
    assert failed.status == "failed" and "Incorrect password" in failed.reason


def test_ocr_failures_and_time_limit(fake_bin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_FAIL", "1")
    failed = ocr_pdf_or_image(FileKind.TIFF, make_png())
    assert failed.status == "failed" and "pixReadStream" in failed.reason
    monkeypatch.delenv("FAKE_FAIL")
    monkeypatch.setenv("FAKE_SLEEP", "20")
    started = time.perf_counter()
    slow = ocr_pdf_or_image(FileKind.PNG, make_png(), timeout=0.5)
    assert time.perf_counter() - started < 5
    assert slow == ExtractResult("failed", reason="OCR took longer than 0.5 s")
    assert ocr_pdf_or_image(FileKind.DOCX, b"PK").status == "failed"


REAL_OCR = ocr_available() and shutil.which("pdftoppm") is not None


@pytest.mark.skipif(
    not REAL_OCR,
    reason="OCR tools are not installed: tesseract with the 'vie' language and pdftoppm "
    "(Debian: apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils)",
)
def test_real_ocr_reads_a_rendered_pdf() -> None:
    data = make_big_text_pdf("CONG HOA XA HOI CHU NGHIA VIET NAM")
    assert extract_text(FileKind.PDF, data).status == "ok"  # it has a text layer …
    result = ocr_pdf_or_image(FileKind.PDF, data, timeout=120)  # … but OCR reads the pixels
    assert result.status == "ok" and result.pages == 1
    assert "viet nam" in fold(result.text)
