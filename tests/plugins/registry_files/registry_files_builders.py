"""Real files built in code for the registry's file tests: PDFs (text, scanned, encrypted),
DOCX archives written with zipfile, image signatures. No binary fixture is committed."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from xml.sax.saxutils import escape

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

# ------------------------------------------------------------------------------------ PDF


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _identity_to_unicode() -> DecodedStreamObject:
    """A ToUnicode CMap where each 2-byte code is its own code point, for the blocks that
    Vietnamese text uses (Latin, Latin Extended, combining marks, Vietnamese, punctuation)."""
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CMapName /UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    highs = [0x00, 0x01, 0x02, 0x03, 0x1E, 0x20]
    lines.append(f"{len(highs)} beginbfrange")
    lines.extend(f"<{high:02X}00> <{high:02X}FF> <{high:02X}00>" for high in highs)
    lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return _stream("\n".join(lines).encode())


def _unicode_font(writer: PdfWriter) -> object:
    """A Type0 font whose codes are UTF-16BE, so Vietnamese text extracts exactly."""
    descendant = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/CIDFontType2"),
                NameObject("/BaseFont"): NameObject("/Arial"),
                NameObject("/CIDSystemInfo"): DictionaryObject(
                    {
                        NameObject("/Registry"): TextStringObject("Adobe"),
                        NameObject("/Ordering"): TextStringObject("Identity"),
                        NameObject("/Supplement"): NumberObject(0),
                    }
                ),
            }
        )
    )
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type0"),
                NameObject("/BaseFont"): NameObject("/Arial"),
                NameObject("/Encoding"): NameObject("/Identity-H"),
                NameObject("/DescendantFonts"): ArrayObject([descendant]),
                NameObject("/ToUnicode"): writer._add_object(_identity_to_unicode()),
            }
        )
    )


def _helvetica(writer: PdfWriter) -> object:
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )


def _write(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_pdf(pages: Iterable[str]) -> bytes:
    """A PDF with one page per string (lines split on ``\\n``), Vietnamese text included."""
    writer = PdfWriter()
    font = _unicode_font(writer)
    for text in pages:
        page = writer.add_blank_page(595, 842)
        ops = ["BT", "/F1 12 Tf", "72 770 Td", "14 TL"]
        ops += [f"<{line.encode('utf-16-be').hex().upper()}> Tj T*" for line in text.split("\n")]
        ops.append("ET")
        page[NameObject("/Contents")] = writer._add_object(_stream("\n".join(ops).encode()))
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    return _write(writer)


def make_big_text_pdf(text: str) -> bytes:
    """A one-page PDF in a large standard font (ASCII ``text``), for real OCR."""
    writer = PdfWriter()
    font = _helvetica(writer)
    page = writer.add_blank_page(595, 842)
    content = f"BT /F1 28 Tf 40 700 Td ({text}) Tj ET".encode()
    page[NameObject("/Contents")] = writer._add_object(_stream(content))
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    return _write(writer)


def make_scanned_pdf(pages: int = 2) -> bytes:
    """Pages that hold only an image (and a page number): what a scanner produces."""
    writer = PdfWriter()
    font = _helvetica(writer)
    pixels = bytes((x * 7 + y * 3) % 256 for y in range(16) for x in range(16))
    image_stream = _stream(pixels)
    image_stream.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Image"),
            NameObject("/Width"): NumberObject(16),
            NameObject("/Height"): NumberObject(16),
            NameObject("/ColorSpace"): NameObject("/DeviceGray"),
            NameObject("/BitsPerComponent"): NumberObject(8),
        }
    )
    image = writer._add_object(image_stream)
    for number in range(1, pages + 1):
        page = writer.add_blank_page(595, 842)
        content = f"q 495 0 0 742 50 50 cm /Im1 Do Q BT /F1 9 Tf 290 20 Td ({number}) Tj ET"
        page[NameObject("/Contents")] = writer._add_object(_stream(content.encode()))
        page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
                NameObject("/XObject"): DictionaryObject({NameObject("/Im1"): image}),
            }
        )
    return _write(writer)


def encrypt_pdf(
    data: bytes, user_password: str, owner_password: str | None = None, algorithm: str = "AES-256"
) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    writer.encrypt(user_password, owner_password, algorithm=algorithm)
    return _write(writer)


# ----------------------------------------------------------------------------------- DOCX

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def paragraph(*runs: str) -> str:
    """A ``w:p`` with one ``w:r``/``w:t`` per run (text escaped)."""
    body = "".join(f'<w:r><w:t xml:space="preserve">{escape(run)}</w:t></w:r>' for run in runs)
    return f"<w:p>{body}</w:p>"


def table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<w:tr>" + "".join(f"<w:tc>{paragraph(cell)}</w:tc>" for cell in row) + "</w:tr>"
        for row in rows
    )
    return f"<w:tbl>{cells}</w:tbl>"


def document_xml(body: str, namespace: str = W_NS, prolog: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f"{prolog}"
        f'<w:document xmlns:w="{namespace}" xmlns:mc="{MC_NS}"><w:body>{body}'
        "<w:sectPr/></w:body></w:document>"
    )


def make_docx(
    body: str = "",
    *,
    xml: str | bytes | None = None,
    content_types_last: bool = False,
    members: dict[str, bytes] | None = None,
) -> bytes:
    """A minimal valid DOCX. ``content_types_last`` mimics LibreOffice, which writes
    ``[Content_Types].xml`` at the end of the archive."""
    document = xml if xml is not None else document_xml(body)
    parts: list[tuple[str, str | bytes]] = [
        ("_rels/.rels", ROOT_RELS),
        ("word/document.xml", document),
        *(members or {}).items(),
    ]
    if content_types_last:
        parts.append(("[Content_Types].xml", CONTENT_TYPES))
    else:
        parts.insert(0, ("[Content_Types].xml", CONTENT_TYPES))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts:
            archive.writestr(name, content)
    return out.getvalue()


def make_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def make_docx_bomb(inflated_bytes: int) -> bytes:
    """A DOCX whose ``word/document.xml`` inflates to ``inflated_bytes`` (mostly spaces
    inside one paragraph), written in chunks so the test itself stays small in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        start = document_xml("<w:p><w:r><w:t>").split("</w:t>")[0].encode()
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(start)
            chunk = b" " * (1024 * 1024)
            written = len(start)
            while written < inflated_bytes:
                member.write(chunk)
                written += len(chunk)
            member.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

# --------------------------------------------------------------------------------- images


def make_png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + bytes([128] * width) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64)
TIFF_LE_HEAD = b"II*\x00\x08\x00\x00\x00" + bytes(64)
TIFF_BE_HEAD = b"MM\x00*\x00\x00\x00\x08" + bytes(64)
