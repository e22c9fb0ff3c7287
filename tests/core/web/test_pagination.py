from __future__ import annotations

import pytest

from core.errors import InvalidInput
from core.web.api.pagination import PageQuery, decode_cursor, encode_cursor, paginate


def test_pages_follow_the_key_and_end_with_no_cursor():
    items = list(range(1, 8))
    seen: list[int] = []
    cursor = None
    while True:
        page, cursor = paginate(items, PageQuery(limit=3, cursor=cursor), key=lambda i: (i,))
        seen.extend(page)
        if cursor is None:
            break
    assert seen == items


def test_a_cursor_survives_inserts_and_deletes_between_pages():
    page, cursor = paginate([1, 2, 3, 4], PageQuery(limit=2), key=lambda i: (i,))
    assert page == [1, 2]
    later, _ = paginate([0, 2, 4, 5], PageQuery(limit=10, cursor=cursor), key=lambda i: (i,))
    assert later == [4, 5]


def test_nested_keys_round_trip():
    key = ((0, "sở tư pháp", 3), (1, "phòng", 7))
    assert decode_cursor(encode_cursor(key)) == key


@pytest.mark.parametrize("cursor", ["not base64 at all!", encode_cursor([]), "e30", "bnVsbA"])
def test_a_foreign_cursor_is_a_clear_error(cursor):
    with pytest.raises(InvalidInput) as caught:
        paginate([1, 2], PageQuery(cursor=cursor), key=lambda i: (i,))
    assert caught.value.errors == {"cursor": "not a cursor of this list"}
    assert "start again without a cursor" in caught.value.detail


def test_a_cursor_of_another_shape_is_refused():
    cursor = encode_cursor(["text"])
    with pytest.raises(InvalidInput):
        paginate([1, 2], PageQuery(cursor=cursor), key=lambda i: (i,))


@pytest.mark.parametrize("limit", [0, 201, -1])
def test_limit_is_bounded(limit):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        PageQuery(limit=limit)
