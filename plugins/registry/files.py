"""What an uploaded file really is: content sniffing, upload checks, safe names, PDF health.

The registry accepts five kinds of files for a document (ND30 Phụ lục VI: attach the
document's files; scans are PDF or images): PDF, DOCX, PNG, JPEG and TIFF. The kind is decided
by the bytes (:func:`sniff`), never by the name or the browser's content type, and the name's
extension must agree with the bytes (:func:`check_upload`). A PDF that is encrypted or damaged
is still *kept* (it may be the only copy of an incoming document); :func:`pdf_health` only
reports its state so the caller can warn (:func:`health_warning`).

Feed :func:`sniff` / :func:`check_upload` the whole file when you have it (uploads are bounded
by ``max_bytes``), or its first :data:`SNIFF_HEAD_BYTES` and — for a zip, whose directory is at
the end — its last :data:`SNIFF_TAIL_BYTES` as ``tail``.
"""

from __future__ import annotations

import enum
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from pypdf import PdfReader

from core import InvalidInput, PayloadTooLarge, format_number
from core import gettext as _gettext
from plugins.registry.files_zip import member_names

__all__ = [
    "ALLOWED_EXTENSIONS",
    "SNIFF_HEAD_BYTES",
    "SNIFF_TAIL_BYTES",
    "CheckedFile",
    "FileKind",
    "PdfHealth",
    "check_upload",
    "health_warning",
    "pdf_health",
    "safe_filename",
    "sniff",
]

SNIFF_HEAD_BYTES = 64 * 1024
"""How much of the start of a file :func:`sniff` wants (when not given the whole file)."""
SNIFF_TAIL_BYTES = 256 * 1024
"""How much of the end of a zip :func:`sniff` wants to read its central directory."""
MAX_FILENAME_BYTES = 200
"""A safe name is at most this many UTF-8 bytes (file systems allow 255)."""


def _(message: str) -> str:
    """The translation of ``message`` in the current language (at call time)."""
    return str(_gettext(message))


class FileKind(enum.StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"
    UNKNOWN = "unknown"

    @property
    def content_type(self) -> str:
        return _CONTENT_TYPES[self]

    @property
    def label(self) -> str:
        """The format's name as shown to users ("PDF", "DOCX", …)."""
        return self.value.upper() if self is not FileKind.UNKNOWN else "?"

    @property
    def is_image(self) -> bool:
        return self in (FileKind.PNG, FileKind.JPEG, FileKind.TIFF)


_CONTENT_TYPES: dict[FileKind, str] = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
    FileKind.TIFF: "image/tiff",
    FileKind.UNKNOWN: "application/octet-stream",
}

ALLOWED_EXTENSIONS: dict[str, FileKind] = {
    ".pdf": FileKind.PDF,
    ".docx": FileKind.DOCX,
    ".png": FileKind.PNG,
    ".jpg": FileKind.JPEG,
    ".jpeg": FileKind.JPEG,
    ".tif": FileKind.TIFF,
    ".tiff": FileKind.TIFF,
}

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_TIFF = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF
_PDF = re.compile(rb"%PDF-\d")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, or a password-protected .docx
_DOCX_MEMBERS = frozenset({"[Content_Types].xml", "word/document.xml"})


def sniff(data_head: bytes, filename: str = "", *, tail: bytes | None = None) -> FileKind:
    """The kind of a file from its bytes (``filename`` is not trusted; it is accepted for
    the callers' convenience and ignored).

    PDF: starts with ``%PDF-`` and a digit. DOCX: a zip with ``[Content_Types].xml`` and
    ``word/document.xml``. PNG, JPEG, TIFF: their signatures. Anything else is
    :attr:`FileKind.UNKNOWN`."""
    del filename
    head = bytes(data_head)
    if _PDF.match(head):
        return FileKind.PDF
    if head.startswith(_PNG):
        return FileKind.PNG
    if head.startswith(_JPEG):
        return FileKind.JPEG
    if head.startswith(_TIFF):
        return FileKind.TIFF
    if head.startswith(_ZIP) and member_names(head, tail).issuperset(_DOCX_MEMBERS):
        return FileKind.DOCX
    return FileKind.UNKNOWN


# ------------------------------------------------------------------------------ safe names

_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_WHITESPACE = re.compile(r"\s+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
_DEFAULT_STEM = "tep"


def _basename(filename: str) -> str:
    """The last part of a path sent by any client (``C:\\fakepath\\x.pdf``, ``../x.pdf``)."""
    return re.split(r"[/\\]", filename)[-1]


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem.strip(" ."):
        return name, ""
    return stem, "." + extension


def safe_filename(filename: str, max_bytes: int = MAX_FILENAME_BYTES) -> str:
    """A name that is safe to store, show and send back in ``Content-Disposition``.

    NFC (macOS sends NFD); no directories; no control, format (e.g. the right-to-left
    override that disguises ``fdp.exe`` as ``exe.pdf``) or separator characters; none of
    ``<>:"/\\|?*``; whitespace collapsed; no leading or trailing dots and spaces; Windows'
    reserved names prefixed; at most ``max_bytes`` UTF-8 bytes with the extension kept
    (lower-cased). Vietnamese letters are kept. An empty result becomes ``tep``."""
    name = unicodedata.normalize("NFC", _basename(filename or ""))
    name = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in name)
    name = _FORBIDDEN.sub("_", name)
    name = _WHITESPACE.sub(" ", name).strip(" .")
    stem, extension = _split_extension(name)
    extension = extension.lower()
    if len(extension.encode()) > 16:  # not a real extension: keep it in the stem
        stem, extension = name, ""
    stem = stem.strip(" .") or _DEFAULT_STEM
    if _RESERVED.match(stem):
        stem = "_" + stem
    budget = max(1, max_bytes - len(extension.encode()))
    encoded = stem.encode()
    if len(encoded) > budget:
        stem = encoded[:budget].decode("utf-8", errors="ignore").rstrip(" .") or _DEFAULT_STEM
    return stem + extension


# -------------------------------------------------------------------------- upload checks


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed :func:`check_upload`."""

    filename: str  # the safe name (see :func:`safe_filename`)
    kind: FileKind
    content_type: str  # from the bytes, not from the client
    size: int
    declared_content_type: str | None = None

    @property
    def declared_type_matches(self) -> bool:
        """Whether the client's content type agrees (informative only: browsers guess)."""
        declared = (self.declared_content_type or "").split(";")[0].strip().lower()
        return declared == self.content_type or (
            self.kind is FileKind.JPEG and declared == "image/jpg"
        )


def _file_error(message: str) -> InvalidInput:
    return InvalidInput(message, {"file": message})


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{format_number(round(size / (1024 * 1024), 1))} MB"
    return f"{format_number(max(1, round(size / 1024)))} KB"


def check_upload(
    filename: str,
    declared_content_type: str | None,
    head: bytes,
    size: int,
    max_bytes: int,
    *,
    tail: bytes | None = None,
) -> CheckedFile:
    """Check an uploaded file before it is stored; the result names what it really is.

    ``head`` is the file (or its first :data:`SNIFF_HEAD_BYTES`, then pass the last
    :data:`SNIFF_TAIL_BYTES` as ``tail``), ``size`` its full size. Raises
    :class:`core.PayloadTooLarge` above ``max_bytes`` and :class:`core.InvalidInput` (field
    ``file``, a Vietnamese message for the form) for an empty file, an extension that is not
    accepted, or content that does not match the extension."""
    if size > max_bytes:
        message = _("Tệp vượt quá dung lượng cho phép (tối đa %(limit)s).") % {
            "limit": _size_text(max_bytes)
        }
        raise PayloadTooLarge(message, errors={"file": message})
    if size <= 0 or not head:
        raise _file_error(_("Tệp rỗng, không có nội dung."))
    name = safe_filename(filename)
    extension = _split_extension(name)[1]
    expected = ALLOWED_EXTENSIONS.get(extension)
    if expected is None:
        raise _file_error(
            _("Chỉ nhận tệp PDF, DOCX, PNG, JPEG hoặc TIFF (đuôi %(allowed)s).")
            % {"allowed": ", ".join(ALLOWED_EXTENSIONS)}
        )
    actual = sniff(head, name, tail=tail)
    if actual is not expected:
        values = {"ext": extension, "kind": expected.label, "actual": actual.label}
        if expected is FileKind.DOCX and head.startswith(_OLE):
            message = _(
                "Tệp có đuôi %(ext)s nhưng là tệp Word cũ (.doc) hoặc tệp đặt mật khẩu; "
                "hãy lưu lại thành .docx không đặt mật khẩu."
            )
        elif actual is FileKind.UNKNOWN:
            message = _("Tệp có đuôi %(ext)s nhưng nội dung không phải %(kind)s.")
        else:
            message = _(
                "Tệp có đuôi %(ext)s nhưng nội dung không phải %(kind)s (mà là %(actual)s)."
            )
        raise _file_error(message % values)
    return CheckedFile(
        filename=name,
        kind=actual,
        content_type=actual.content_type,
        size=size,
        declared_content_type=declared_content_type,
    )


# ------------------------------------------------------------------------------ PDF health

PdfState = Literal["ok", "encrypted", "corrupt"]


@dataclass(frozen=True)
class PdfHealth:
    """What :func:`pdf_health` found. ``pages`` is known when the PDF could be read;
    ``encrypted`` is true for any encryption, including a PDF that opens without a password
    (permissions only, state ``ok``) — such a PDF is not acceptable for PDF/A archiving."""

    state: PdfState
    pages: int | None = None
    encrypted: bool = False
    reason: str = ""  # technical, English, for logs


def pdf_health(path_or_bytes: str | os.PathLike[str] | bytes) -> PdfHealth:
    """The state of a PDF: ``ok`` (readable, page count known), ``encrypted`` (a password is
    needed to open it) or ``corrupt`` (not readable as a PDF). Never raises."""
    try:
        if isinstance(path_or_bytes, bytes | bytearray | memoryview):
            reader = PdfReader(io.BytesIO(bytes(path_or_bytes)), strict=False)
        else:
            reader = PdfReader(os.fspath(path_or_bytes), strict=False)
        encrypted = bool(reader.is_encrypted)
        if encrypted and not reader.decrypt(""):
            return PdfHealth("encrypted", encrypted=True, reason="a password is required")
        pages = len(reader.pages)
        for page in reader.pages:  # resolve every page object, not only the page count
            page.mediabox  # noqa: B018
    except Exception as exc:  # pypdf raises many kinds on hostile input
        return PdfHealth("corrupt", reason=f"{type(exc).__name__}: {exc}"[:500])
    if pages == 0:
        return PdfHealth("corrupt", encrypted=encrypted, reason="the PDF has no pages")
    reason = "encrypted without a user password (permissions only)" if encrypted else ""
    return PdfHealth("ok", pages=pages, encrypted=encrypted, reason=reason)


def health_warning(health: PdfHealth) -> str | None:
    """The warning to show next to a kept PDF (Vietnamese, translated), or ``None``."""
    if health.state == "encrypted":
        return _(
            "Tệp PDF được đặt mật khẩu: đã lưu nguyên trạng nhưng không đọc được nội dung "
            "để tìm kiếm."
        )
    if health.state == "corrupt":
        return _(
            "Tệp PDF bị hỏng hoặc không đầy đủ: đã lưu nguyên trạng, hãy kiểm tra lại bản gốc."
        )
    return None
