"""What an uploaded file really is: sniffing, upload checks with Vietnamese messages, safe
names and PDF health, on real files built in the tests."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest
from registry_files_builders import (
    JPEG_HEAD,
    OLE_HEADER,
    TIFF_BE_HEAD,
    TIFF_LE_HEAD,
    encrypt_pdf,
    make_docx,
    make_pdf,
    make_png,
    make_scanned_pdf,
    make_zip,
    paragraph,
)

from core import InvalidInput, PayloadTooLarge
from core.i18n import use_locale
from plugins.registry.files import (
    SNIFF_HEAD_BYTES,
    SNIFF_TAIL_BYTES,
    CheckedFile,
    FileKind,
    PdfHealth,
    check_upload,
    health_warning,
    pdf_health,
    safe_filename,
    sniff,
)

MB = 1024 * 1024
PDF = make_pdf(["Quyết định số 15/QĐ-UBND", "Trang 2"])
DOCX = make_docx(paragraph("Đề án đường giao thông"))
PNG = make_png()


def upload(
    name: str, data: bytes, max_bytes: int = 10 * MB, content_type: str | None = None
) -> CheckedFile:
    return check_upload(name, content_type, data, len(data), max_bytes)


def file_error(excinfo: pytest.ExceptionInfo[InvalidInput]) -> str:
    assert excinfo.value.status == 422
    assert excinfo.value.errors["file"] == excinfo.value.detail
    return excinfo.value.errors["file"]


# ------------------------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, FileKind.PDF),
        (DOCX, FileKind.DOCX),
        (PNG, FileKind.PNG),
        (JPEG_HEAD, FileKind.JPEG),
        (TIFF_LE_HEAD, FileKind.TIFF),
        (TIFF_BE_HEAD, FileKind.TIFF),
    ],
)
def test_sniff_recognises_each_accepted_kind_by_its_bytes(data: bytes, kind: FileKind) -> None:
    assert sniff(data, "whatever.bin") is kind
    assert sniff(data, "") is kind


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html><body>%PDF-1.7</body></html>",
        b"  %PDF-1.7\n",  # the signature must open the file
        b"%PDF-x",
        b"MZ\x90\x00" + bytes(100),  # a Windows executable
        b"GIF89a" + bytes(20),
        OLE_HEADER,  # legacy .doc
        make_zip({"readme.txt": b"hello"}),
        make_zip({"word/document.xml": b"<w:document/>"}),  # no [Content_Types].xml
        make_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"}),  # XLSX
        b"PK\x03\x04" + bytes(10),  # a broken zip header
        bytes(range(256)),
    ],
)
def test_sniff_accepts_nothing_else(data: bytes) -> None:
    assert sniff(data, "tep.pdf") is FileKind.UNKNOWN


def test_sniff_reads_a_docx_from_its_head_when_the_members_come_first() -> None:
    big = make_docx(paragraph("x" * 10), members={"word/media/image1.png": bytes(300_000)})
    assert sniff(big[:4096], "a.docx") is FileKind.DOCX  # Word's order: listed up front


def test_sniff_needs_the_tail_of_a_docx_whose_content_types_come_last() -> None:
    # LibreOffice writes [Content_Types].xml at the end: the head alone cannot tell.
    data = make_docx(
        paragraph("Báo cáo"),
        content_types_last=True,
        members={"word/media/image1.png": random.Random(1).randbytes(200_000)},
    )
    assert sniff(data, "a.docx") is FileKind.DOCX  # the whole file
    head, tail = data[:SNIFF_HEAD_BYTES], data[-SNIFF_TAIL_BYTES:]
    assert sniff(head, "a.docx") is FileKind.UNKNOWN
    assert sniff(head, "a.docx", tail=tail) is FileKind.DOCX
    assert sniff(head, "a.docx", tail=make_zip({"x.txt": b"x"})) is FileKind.UNKNOWN


# ------------------------------------------------------------------------- check_upload


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type"),
    [
        ("Quyết định 15.pdf", PDF, FileKind.PDF, "application/pdf"),
        ("BAO CAO.PDF", PDF, FileKind.PDF, "application/pdf"),
        (
            "Đề án.docx",
            DOCX,
            FileKind.DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("scan.png", PNG, FileKind.PNG, "image/png"),
        ("anh.jpg", JPEG_HEAD, FileKind.JPEG, "image/jpeg"),
        ("anh.JPEG", JPEG_HEAD, FileKind.JPEG, "image/jpeg"),
        ("scan.tif", TIFF_LE_HEAD, FileKind.TIFF, "image/tiff"),
        ("scan.tiff", TIFF_BE_HEAD, FileKind.TIFF, "image/tiff"),
    ],
)
def test_check_upload_accepts_matching_files(
    name: str, data: bytes, kind: FileKind, content_type: str
) -> None:
    checked = upload(name, data, content_type="application/octet-stream")
    assert checked.kind is kind
    assert checked.content_type == content_type  # from the bytes, not from the client
    assert checked.size == len(data)
    assert checked.filename == safe_filename(name)
    assert checked.filename.endswith(name.rpartition(".")[2].lower())
    assert checked.declared_content_type == "application/octet-stream"
    assert not checked.declared_type_matches


def test_check_upload_keeps_the_declared_type_for_information_only() -> None:
    assert upload("a.pdf", PDF, content_type="application/pdf").declared_type_matches
    assert upload("a.jpg", JPEG_HEAD, content_type="image/jpg; q=1").declared_type_matches
    # A browser's wrong guess does not refuse a file whose bytes are right.
    assert upload("a.pdf", PDF, content_type="text/plain").kind is FileKind.PDF


@pytest.mark.parametrize(
    "name", ["virus.exe", "cong-van.doc", "bang.xlsx", "README", "hoa-don.pdf.exe", ".pdf", ""]
)
def test_check_upload_refuses_other_extensions(name: str) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        upload(name, PDF)
    assert file_error(excinfo) == (
        "Chỉ nhận tệp PDF, DOCX, PNG, JPEG hoặc TIFF "
        "(đuôi .pdf, .docx, .png, .jpg, .jpeg, .tif, .tiff)."
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("cong-van.pdf", DOCX, "Tệp có đuôi .pdf nhưng nội dung không phải PDF (mà là DOCX)."),
        ("cong-van.pdf", b"<html>hello</html>", "Tệp có đuôi .pdf nhưng nội dung không phải PDF."),
        ("to-trinh.docx", PDF, "Tệp có đuôi .docx nhưng nội dung không phải DOCX (mà là PDF)."),
        (
            "to-trinh.docx",
            make_zip({"a.txt": b"x"}),
            "Tệp có đuôi .docx nhưng nội dung không phải DOCX.",
        ),
        ("anh.jpg", PNG, "Tệp có đuôi .jpg nhưng nội dung không phải JPEG (mà là PNG)."),
        ("anh.png", b"GIF89a" + bytes(20), "Tệp có đuôi .png nhưng nội dung không phải PNG."),
        (
            "bao-cao.docx",
            OLE_HEADER,
            "Tệp có đuôi .docx nhưng là tệp Word cũ (.doc) hoặc tệp đặt mật khẩu; "
            "hãy lưu lại thành .docx không đặt mật khẩu.",
        ),
    ],
)
def test_check_upload_refuses_content_that_does_not_match_the_extension(
    name: str, data: bytes, message: str
) -> None:
    with pytest.raises(InvalidInput) as excinfo:
        upload(name, data)
    assert file_error(excinfo) == message


def test_check_upload_refuses_an_empty_file() -> None:
    with pytest.raises(InvalidInput) as excinfo:
        check_upload("trong.pdf", "application/pdf", b"", 0, MB)
    assert file_error(excinfo) == "Tệp rỗng, không có nội dung."


def test_check_upload_refuses_a_file_over_the_limit_before_looking_at_it() -> None:
    data = PDF + bytes(2 * MB)
    with pytest.raises(PayloadTooLarge) as excinfo:
        check_upload(
            "lon.pdf", "application/pdf", data[:SNIFF_HEAD_BYTES], len(data), int(1.5 * MB)
        )
    assert excinfo.value.status == 413
    assert excinfo.value.detail == "Tệp vượt quá dung lượng cho phép (tối đa 1,5 MB)."
    assert excinfo.value.to_problem()["errors"] == {"file": excinfo.value.detail}
    # Exactly at the limit is fine; the limit is formatted for the current language.
    assert check_upload("ok.pdf", None, PDF, len(PDF), len(PDF)).size == len(PDF)
    with use_locale("en"), pytest.raises(PayloadTooLarge) as english:
        check_upload("lon.pdf", None, PDF, len(data), int(1.5 * MB))
    assert "1.5 MB" in english.value.detail


def test_check_upload_works_from_head_and_tail_of_a_large_docx() -> None:
    data = make_docx(
        paragraph("Kế hoạch"),
        content_types_last=True,
        members={"word/media/scan.png": random.Random(2).randbytes(400_000)},
    )
    checked = check_upload(
        "ke-hoach.docx",
        None,
        data[:SNIFF_HEAD_BYTES],
        len(data),
        10 * MB,
        tail=data[-SNIFF_TAIL_BYTES:],
    )
    assert checked.kind is FileKind.DOCX and checked.size == len(data)


# ------------------------------------------------------------------------------ safe names


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Quyết định số 15-QĐ-UBND.pdf", "Quyết định số 15-QĐ-UBND.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\fakepath\\Tờ trình.docx", "Tờ trình.docx"),
        ("/tmp/a/b/Báo cáo.PDF", "Báo cáo.pdf"),
        ("bad\x00na\x1bme\n.pdf", "bad na me.pdf"),
        ("hoa-don\u202efdp.exe", "hoa-don fdp.exe"),  # right-to-left override removed
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("   nhiều    khoảng   trắng   .pdf", "nhiều khoảng trắng.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("..", "tep"),
        ("", "tep"),
        (".pdf", "pdf"),
        ("...hidden.pdf...", "hidden.pdf"),
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe


def test_safe_filename_composes_nfd_vietnamese_letters() -> None:
    nfd = unicodedata.normalize("NFD", "Đề án đường.docx")
    assert nfd != "Đề án đường.docx"
    assert safe_filename(nfd) == "Đề án đường.docx"


def test_safe_filename_is_cut_to_a_byte_budget_and_keeps_the_extension() -> None:
    name = safe_filename("Quyết định " * 60 + ".pdf")
    assert len(name.encode()) <= 200
    assert name.endswith(".pdf")
    assert name.startswith("Quyết định Quyết định")
    assert unicodedata.is_normalized("NFC", name)  # never a broken character
    assert len(safe_filename("ư" * 300, max_bytes=11).encode()) <= 11


# ------------------------------------------------------------------------------ PDF health


def test_pdf_health_counts_pages_from_bytes_and_from_a_path(tmp_path: Path) -> None:
    assert pdf_health(PDF) == PdfHealth("ok", pages=2)
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_scanned_pdf(3))
    assert pdf_health(path) == PdfHealth("ok", pages=3)
    assert pdf_health(str(path)).pages == 3
    assert health_warning(pdf_health(PDF)) is None


def test_pdf_health_reports_a_pdf_that_needs_a_password() -> None:
    health = pdf_health(encrypt_pdf(PDF, "mat-khau"))
    assert health.state == "encrypted" and health.encrypted and health.pages is None
    assert health_warning(health) == (
        "Tệp PDF được đặt mật khẩu: đã lưu nguyên trạng nhưng không đọc được nội dung để tìm kiếm."
    )
    rc4 = pdf_health(encrypt_pdf(PDF, "mat-khau", algorithm="RC4-128"))
    assert rc4.state == "encrypted"


def test_pdf_health_opens_a_pdf_encrypted_only_for_permissions() -> None:
    health = pdf_health(encrypt_pdf(PDF, "", "chu-so-huu"))
    assert health.state == "ok" and health.pages == 2 and health.encrypted


@pytest.mark.parametrize(
    "data",
    [
        PDF[: len(PDF) // 2],  # truncated upload
        PDF[:40],
        b"%PDF-1.7\n" + b"rac " * 200,
        b"%PDF-1.4\n" + bytes(5000) + b"%%EOF",
        DOCX,
        b"",
    ],
)
def test_pdf_health_reports_a_corrupt_pdf_without_raising(data: bytes) -> None:
    health = pdf_health(data)
    assert health.state == "corrupt" and health.pages is None and health.reason
    assert health_warning(health) == (
        "Tệp PDF bị hỏng hoặc không đầy đủ: đã lưu nguyên trạng, hãy kiểm tra lại bản gốc."
    )


def test_pdf_health_of_a_missing_file_is_corrupt(tmp_path: Path) -> None:
    assert pdf_health(tmp_path / "khong-co.pdf").state == "corrupt"


def test_pdf_health_never_raises_on_mangled_pdfs() -> None:
    rng = random.Random(30)
    for _ in range(150):
        data = bytearray(PDF)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        if rng.random() < 0.3:
            del data[rng.randrange(len(data)) :]
        assert pdf_health(bytes(data)).state in ("ok", "encrypted", "corrupt")
