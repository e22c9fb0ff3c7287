"""Cursor pagination: ``?cursor=…&limit=…`` in, ``{items, next_cursor}`` out.

A cursor is opaque to clients: the URL-safe base64 of the sort key of the last item served.
Keyset positions stay right while rows are inserted or deleted between pages.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from core.errors import InvalidInput

T = TypeVar("T")
X = TypeVar("X")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class PageQuery(BaseModel):
    """The query parameters every list endpoint takes; unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None = None


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, ...]:
    """The key a cursor holds; :class:`InvalidInput` (field ``cursor``) when it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, list) or not value:
        raise bad_cursor(cursor)
    return _tuples(value)


def _tuples(value: list[Any]) -> tuple[Any, ...]:
    """JSON arrays back into the tuples the sort keys are made of."""
    return tuple(_tuples(item) if isinstance(item, list) else item for item in value)


def bad_cursor(cursor: str) -> InvalidInput:
    return InvalidInput(
        f"Cursor {cursor!r} was not issued by this list; start again without a cursor.",
        {"cursor": "not a cursor of this list"},
    )


def after_id(query: PageQuery) -> int | None:
    """The id a keyset query continues after (for lists paged by id in the database)."""
    if query.cursor is None:
        return None
    key = decode_cursor(query.cursor)
    if len(key) != 1 or not isinstance(key[0], int) or isinstance(key[0], bool):
        raise bad_cursor(query.cursor)
    return key[0]


def keyset_page(
    rows: Sequence[X], query: PageQuery, key: Callable[[X], int]
) -> tuple[list[X], str | None]:
    """The page out of ``limit + 1`` rows fetched in id order after :func:`after_id`."""
    page = list(rows[: query.limit])
    more = len(rows) > query.limit
    return page, encode_cursor((key(page[-1]),)) if more and page else None


def paginate(
    items: Sequence[X], query: PageQuery, key: Callable[[X], tuple[Any, ...]]
) -> tuple[list[X], str | None]:
    """The page of ``items`` (in ``key`` order) after ``query.cursor``, and the next cursor."""
    ordered = sorted(items, key=key)
    if query.cursor is not None:
        after = decode_cursor(query.cursor)
        try:
            ordered = [item for item in ordered if key(item) > after]
        except TypeError:
            raise bad_cursor(query.cursor) from None
    page = ordered[: query.limit]
    more = len(ordered) > query.limit
    return page, encode_cursor(key(page[-1])) if more and page else None
