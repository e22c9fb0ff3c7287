"""The shared PDF toolkit (``plugins.registry.pdfdoc``) alone: fonts found or a clear 503,
the font folder override, Vietnamese text (also when sent decomposed, NFD) extracted back,
markup escaped, the empty table, and the attachment header."""

from __future__ import annotations

import io
import shutil
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from plugins.registry import pdfdoc
from plugins.registry.downloads import attachment_disposition
from plugins.registry.pdfdoc import (
    FONT_DIR_ENV,
    Column,
    FontUnavailable,
    TitleBlock,
    pdf_fonts,
    table_pdf,
)

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
BLOCK = TitleBlock("Ủy ban nhân dân xã Đông Hưng", "Danh sách kết quả tìm kiếm", 2026)


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def fonts_of(content: bytes) -> set[str]:
    page = PdfReader(io.BytesIO(content)).pages[0]
    return {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}


@pytest.fixture
def dejavu(monkeypatch):
    if not (DEJAVU / "DejaVuSans.ttf").is_file():
        pytest.skip("fonts-dejavu-core is not installed")
    monkeypatch.delenv(FONT_DIR_ENV, raising=False)


def test_a_table_keeps_vietnamese_text_and_embeds_dejavu(dejavu):
    decomposed = unicodedata.normalize("NFD", "Quyết định về đường sông")
    content = table_pdf(
        BLOCK,
        [Column("Số, ký hiệu", 1), Column("Trích yếu", 3), Column("Ngày", 1, "center")],
        [["05/QĐ-UBND", decomposed, "05/07/2026"], ["<b>x</b> & y", None, ""]],
        footer="Chân trang",
    )
    text = text_of(content)
    assert "Quyết định về đường sông" in text  # composed again (NFC)
    assert "DANH SÁCH KẾT QUẢ TÌM KIẾM" in text and "Năm 2026" in text
    assert "ỦY BAN NHÂN DÂN XÃ ĐÔNG HƯNG" in text
    assert "<b>x</b> & y" in text  # markup is text, not formatting
    assert "(1)" in text and "(3)" in text and "Trang 1/1" in text and "Chân trang" in text
    assert {name.split("+")[-1] for name in fonts_of(content)} == {
        "DejaVuSans",
        "DejaVuSans-Bold",
    }
    info = PdfReader(io.BytesIO(content)).metadata
    assert info is not None and info.title == "Danh sách kết quả tìm kiếm"


def test_an_empty_table_says_so(dejavu):
    content = table_pdf(BLOCK, [Column("A"), Column("B")], [], empty_text="Không có kết quả.")
    assert "Không có kết quả." in text_of(content)


def test_rows_must_fit_the_columns(dejavu):
    with pytest.raises(ValueError, match="2 values for 3 columns"):
        table_pdf(BLOCK, [Column("A"), Column("B"), Column("C")], [["1", "2"]])
    with pytest.raises(ValueError, match="at least one column"):
        table_pdf(BLOCK, [], [])


def test_the_font_folder_can_be_overridden(tmp_path, monkeypatch, dejavu):
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        shutil.copy(DEJAVU / name, tmp_path / name)
    monkeypatch.setenv(FONT_DIR_ENV, str(tmp_path))
    assert pdf_fonts().folder == tmp_path
    content = table_pdf(BLOCK, [Column("Trích yếu")], [["Thư công gửi ông Nguyễn Văn Đức"]])
    assert "Thư công gửi ông Nguyễn Văn Đức" in text_of(content)


def test_missing_fonts_are_a_clear_503(tmp_path, monkeypatch):
    monkeypatch.setenv(FONT_DIR_ENV, str(tmp_path))  # an empty folder: no fallback to others
    with pytest.raises(FontUnavailable) as caught:
        table_pdf(BLOCK, [Column("A")], [["x"]])
    error = caught.value
    assert error.status == 503
    assert "fonts-dejavu-core" in error.detail and str(tmp_path) in error.detail
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"not a font")
    (tmp_path / "DejaVuSans-Bold.ttf").write_bytes(b"not a font")
    with pytest.raises(FontUnavailable, match="could not be loaded"):
        pdf_fonts()
    assert str(tmp_path) not in pdfdoc._registered


def test_the_default_folders_are_searched_without_the_override(monkeypatch):
    monkeypatch.delenv(FONT_DIR_ENV, raising=False)
    monkeypatch.setattr(pdfdoc, "FONT_DIRS", ("/nonexistent/a", "/nonexistent/b"))
    with pytest.raises(FontUnavailable) as caught:
        pdf_fonts()
    assert "/nonexistent/a, /nonexistent/b" in caught.value.detail


def test_the_attachment_header_keeps_the_vietnamese_name():
    value = attachment_disposition("Sổ đăng ký văn bản đến - Đông Hưng 2026.pdf")
    assert value.startswith('attachment; filename="So-dang-ky-van-ban-den-Dong-Hung-2026.pdf";')
    assert "filename*=UTF-8''S%E1%BB%95%20%C4%91%C4%83ng" in value
    quoted = attachment_disposition('a"b/c.pdf')
    assert quoted == "attachment; filename=\"a-b_c.pdf\"; filename*=UTF-8''a%22b_c.pdf"
    assert attachment_disposition("Đơn.pdf").startswith('attachment; filename="Don.pdf"')
    assert 'filename="download"' in attachment_disposition("—")
