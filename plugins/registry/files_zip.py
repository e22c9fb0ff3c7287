"""Reading ZIP containers (DOCX) defensively: member names from raw bytes, bounded reads.

Used by :mod:`plugins.registry.files` (is this zip a DOCX?) and
:mod:`plugins.registry.extract` (read ``word/document.xml`` without letting a zip bomb fill
the memory). Nothing here trusts the sizes an archive declares.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Iterator

__all__ = [
    "MAX_ZIP_ENTRIES",
    "ZipLimitError",
    "iter_member",
    "member_names",
]

MAX_ZIP_ENTRIES = 10_000
"""An archive with more members than this is not a document we accept."""

_LOCAL_HEADER = b"PK\x03\x04"
_CENTRAL_HEADER = b"PK\x01\x02"
_END_OF_DIRECTORY = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF
_FLAG_UTF8 = 0x800
_FLAG_DATA_DESCRIPTOR = 0x8


class ZipLimitError(Exception):
    """The archive breaks a limit (too many members, a member too large once inflated)."""


def _decode_name(raw: bytes, flags: int) -> str:
    return raw.decode("utf-8" if flags & _FLAG_UTF8 else "cp437", errors="replace")


def _central_directory_names(data: bytes, max_entries: int) -> list[str] | None:
    """The names in the central directory when ``data`` ends with it (a whole file or its
    tail); ``None`` when the directory is not (entirely) in ``data``."""
    search_from = max(0, len(data) - _EOCD_SIZE - _MAX_COMMENT)
    end = data.rfind(_END_OF_DIRECTORY, search_from)
    if end < 0 or end + _EOCD_SIZE > len(data):
        return None
    _sig, _disk, _cd_disk, _on_disk, total, cd_size, _cd_offset, _comment = struct.unpack(
        "<4s4H2LH", data[end : end + _EOCD_SIZE]
    )
    if total == 0xFFFF or cd_size == 0xFFFFFFFF:  # ZIP64: not worth parsing by hand here
        return None
    start = end - cd_size
    if start < 0:
        return None
    names: list[str] = []
    pos = start
    while pos < end and len(names) < max_entries:
        if data[pos : pos + 4] != _CENTRAL_HEADER or pos + 46 > end:
            return None
        flags = struct.unpack_from("<H", data, pos + 8)[0]
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, pos + 28)
        names.append(_decode_name(data[pos + 46 : pos + 46 + name_len], flags))
        pos += 46 + name_len + extra_len + comment_len
    return names


def _local_header_names(head: bytes, max_entries: int) -> list[str]:
    """The names of the members whose local headers lie in ``head`` (the start of a file),
    walking from one member to the next while their sizes are known."""
    names: list[str] = []
    pos = 0
    while len(names) < max_entries and head[pos : pos + 4] == _LOCAL_HEADER:
        if pos + 30 > len(head):
            break
        flags = struct.unpack_from("<H", head, pos + 6)[0]
        compressed = struct.unpack_from("<L", head, pos + 18)[0]
        name_len, extra_len = struct.unpack_from("<2H", head, pos + 26)
        if pos + 30 + name_len > len(head):
            break
        names.append(_decode_name(head[pos + 30 : pos + 30 + name_len], flags))
        if flags & _FLAG_DATA_DESCRIPTOR and compressed == 0:
            break  # the size follows the data: the next header cannot be found from here
        pos += 30 + name_len + extra_len + compressed
    return names


def member_names(
    head: bytes, tail: bytes | None = None, *, max_entries: int = MAX_ZIP_ENTRIES
) -> frozenset[str]:
    """The member names of the zip archive that starts with ``head``.

    The central directory at the end of the archive is authoritative: it is read from
    ``tail`` (the last bytes of the file) when given, else from ``head`` when ``head`` is the
    whole file. Otherwise the local headers found in ``head`` are used (members stored later
    in the file are then missing). Never raises."""
    try:
        for data in (tail, head):
            if data:
                names = _central_directory_names(data, max_entries)
                if names is not None:
                    return frozenset(names)
        return frozenset(_local_header_names(head, max_entries))
    except (struct.error, ValueError):
        return frozenset()


def iter_member(
    archive: zipfile.ZipFile, name: str, *, max_bytes: int, chunk_size: int = 64 * 1024
) -> Iterator[bytes]:
    """The inflated bytes of member ``name`` in chunks, stopping with :class:`ZipLimitError`
    as soon as more than ``max_bytes`` come out (whatever size the archive declares).

    Raises :class:`KeyError` for a missing member, :class:`ZipLimitError` for too many
    members or a member too large, and zipfile's errors for a damaged archive."""
    if len(archive.infolist()) > MAX_ZIP_ENTRIES:
        raise ZipLimitError(f"more than {MAX_ZIP_ENTRIES} members in the archive")
    info = archive.getinfo(name)
    if info.file_size > max_bytes:
        raise ZipLimitError(f"{name} inflates to {info.file_size} bytes (limit {max_bytes})")
    produced = 0
    with archive.open(info) as member:
        while chunk := member.read(chunk_size):
            produced += len(chunk)
            if produced > max_bytes:
                raise ZipLimitError(f"{name} inflates to more than {max_bytes} bytes")
            yield chunk
