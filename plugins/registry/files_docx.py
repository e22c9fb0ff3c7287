"""The text of a DOCX without python-docx: ``word/document.xml`` streamed through expat.

Safe by construction: the member is inflated in chunks with a hard byte limit (a zip bomb stops
at the limit, see :func:`plugins.registry.files_zip.iter_member`); a document type declaration
or an entity declaration stops the parse (OOXML never has one, so "billion laughs" and external
entities are refused — what ``defusedxml`` does); the collected text is capped.

What is read: paragraphs (one line each), runs' text, tabs and breaks, table cells (their
paragraphs), text boxes once (``mc:Fallback`` copies are skipped); not deleted text of tracked
changes, nor field instructions. Both the transitional and the strict WordprocessingML
namespaces are understood.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from plugins.registry.files_zip import ZipLimitError, iter_member

__all__ = ["MAX_DOCUMENT_XML_BYTES", "DocxError", "DocxText", "read_docx_text"]

MAX_DOCUMENT_XML_BYTES = 64 * 1024 * 1024
"""``word/document.xml`` may inflate to at most this many bytes."""
DOCUMENT_XML = "word/document.xml"

_WORD_NAMESPACES = frozenset(
    {
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    }
)
_MARKUP_COMPATIBILITY = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_SEPARATOR = "\x01"  # namespace separator of the parser (cannot occur in a name)
_BREAKS = frozenset({"br", "cr"})


class DocxError(Exception):
    """The DOCX cannot be read; the message says why (technical, English)."""


class _Stop(Exception):
    """Enough text was collected."""


@dataclass(frozen=True)
class DocxText:
    text: str
    truncated: bool


class _Collector:
    """Expat handlers that collect the text of a WordprocessingML body."""

    def __init__(self, max_chars: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.max_chars = max_chars
        self.text_depth = 0  # inside <w:t>
        self.skip_depth = 0  # inside <mc:Fallback>, <w:delText>, <w:instrText>

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > self.max_chars:
            raise _Stop

    @staticmethod
    def _split(name: str) -> tuple[str, str]:
        namespace, _sep, local = name.rpartition(_SEPARATOR)
        return namespace, local

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        namespace, local = self._split(name)
        if self.skip_depth or (namespace == _MARKUP_COMPATIBILITY and local == "Fallback"):
            self.skip_depth += 1
            return
        if namespace not in _WORD_NAMESPACES:
            return
        if local in ("delText", "instrText"):
            self.skip_depth += 1
        elif local == "t":
            self.text_depth += 1
        elif local == "tab":
            self._add("\t")
        elif local in _BREAKS:
            self._add("\n")
        elif local == "noBreakHyphen":
            self._add("-")

    def end(self, name: str) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
            return
        namespace, local = self._split(name)
        if namespace not in _WORD_NAMESPACES:
            return
        if local == "t":
            self.text_depth = max(0, self.text_depth - 1)
        elif local == "p":
            self._add("\n")

    def characters(self, data: str) -> None:
        if self.text_depth and not self.skip_depth:
            self._add(data)


def _refuse(*_args: object) -> None:
    raise DocxError("document type or entity declarations are not allowed in OOXML")


def _refuse_external(*_args: object) -> int:
    raise DocxError("external entities are not allowed in OOXML")


def read_docx_text(
    data: bytes, *, max_chars: int, max_xml_bytes: int = MAX_DOCUMENT_XML_BYTES
) -> DocxText:
    """The text of the DOCX ``data``: paragraphs joined by newlines (raw: not normalised).

    Raises :class:`DocxError` with the reason for anything that is not a readable DOCX within
    the limits; the caller turns it into a ``failed`` result."""
    collector = _Collector(max_chars)
    parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse_external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = collector.start
    parser.EndElementHandler = collector.end
    parser.CharacterDataHandler = collector.characters
    parser.buffer_text = True
    truncated = False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for chunk in iter_member(archive, DOCUMENT_XML, max_bytes=max_xml_bytes):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        truncated = True
    except ZipLimitError as exc:
        raise DocxError(f"refused, possibly a zip bomb: {exc}") from exc
    except KeyError as exc:
        raise DocxError(f"{DOCUMENT_XML} is missing") from exc
    except expat.ExpatError as exc:
        raise DocxError(f"{DOCUMENT_XML} is not well-formed XML: {exc}") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DocxError(f"not a readable zip archive: {exc}") from exc
    except (NotImplementedError, RuntimeError) as exc:  # a compression method, encryption
        raise DocxError(f"unsupported zip feature: {exc}") from exc
    text = "".join(collector.parts)
    if truncated:
        text = text[:max_chars]
    return DocxText(text, truncated)
