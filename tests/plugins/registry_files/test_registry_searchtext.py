"""Diacritic-insensitive search text with real Vietnamese, hostile queries, the LIKE patterns on
a real SQLite database, and ranking of exact-diacritic matches above folded ones."""

from __future__ import annotations

import unicodedata

import pytest

from plugins.registry.searchtext import (
    MAX_TERM_CHARS,
    MAX_TERMS,
    RANK_TEXT_CHARS,
    fold,
    fold_fields,
    rank,
    search_terms,
)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# ----------------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đề án", "de an"),
        ("đường", "duong"),
        ("Quyết định số 15/QĐ-UBND", "quyet dinh so 15/qd-ubnd"),
        ("QUYẾT ĐỊNH", "quyet dinh"),
        ("Ủy ban nhân dân tỉnh Bà Rịa – Vũng Tàu", "uy ban nhan dan tinh ba ria – vung tau"),
        ("ăâêôơư ÁÀẢÃẠ ýỳỷỹỵ", "aaeoou aaaaa yyyyy"),
        ("Cộng hòa  xã\thội\n chủ nghĩa ", "cong hoa xa hoi chu nghia"),
        ("ＱĐ－ＵＢＮＤ", "qd-ubnd"),  # full-width forms
        ("", ""),
        ("   ", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_gives_the_same_result_for_nfc_and_nfd() -> None:
    for text in ("Đề án", "đường", "Quyết định số 15/QĐ-UBND", "Nghị định 30/2020/NĐ-CP"):
        assert nfd(text) != text or text.isascii()
        assert fold(nfd(text)) == fold(text)
    assert fold(nfd("Thượng khẩn")) == "thuong khan"


def test_fold_fields_joins_the_searchable_fields() -> None:
    assert fold_fields("15/QĐ-UBND", None, "Về việc Đề án đường", "") == (
        "15/qd-ubnd ve viec de an duong"
    )
    assert fold_fields() == ""


# ---------------------------------------------------------------------------------- terms


def test_search_terms_keep_diacritics_and_split_notations() -> None:
    assert search_terms("Quyết định số 15/QĐ-UBND") == ["quyết", "định", "số", "15/qđ", "ubnd"]
    assert search_terms(nfd("Quyết ĐỊNH")) == ["quyết", "định"]  # NFC, lower-case
    assert search_terms("  Đề   án,  đường. ") == ["đề", "án", "đường"]
    assert search_terms("ngày 05/7/2023 tại hop@tinh.gov.vn") == [
        "ngày",
        "05/7/2023",
        "tại",
        "hop@tinh.gov.vn",
    ]
    assert search_terms("đường Đường ĐƯỜNG") == ["đường"]


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("%", []),
        ("_", []),
        ("%%__%_", []),
        ("50%_off", ["50", "off"]),
        ("' OR 1=1 --", ["or", "1"]),
        ("'; DROP TABLE documents; --", ["drop", "table", "documents"]),
        ('"foo" AND bar*', ["foo", "and", "bar"]),
        ("a:b (c) -d +e ^f ~g |h &i 'j'", list("abcdefghij")),
        ("*k \\l [m] {n} <o> !p ?q =r ;s `t", list("klmnopqrst")),
        ("NEAR(a b) title:x", ["near", "a", "b", "title", "x"]),
        ("/ . @ ... //", []),
        ("\x00\x1b[31m đỏ", ["31m", "đỏ"]),
        ("", []),
    ],
)
def test_search_terms_neutralise_hostile_queries(query: str, terms: list[str]) -> None:
    assert search_terms(query) == terms
    for term in search_terms(query):
        assert not set(term) & set("%_\"*:()-+^~|&'\\")


def test_search_terms_are_bounded_on_huge_queries() -> None:
    assert search_terms("a" * 10_000) == ["a" * MAX_TERM_CHARS]
    assert search_terms("%" * 10_000) == []
    assert search_terms("đường " * 2_000) == ["đường"]
    many = search_terms(" ".join(f"từ{n}" for n in range(2_000)))
    assert many == [f"từ{n}" for n in range(MAX_TERMS)]
    assert search_terms("x" + "\u0301" * 10_000) == ["x"]  # "zalgo" marks are dropped


def test_search_terms_never_raise_on_odd_input() -> None:
    assert search_terms(None) == []  # type: ignore[arg-type]
    assert search_terms("\ud800 lẻ") == ["lẻ"]  # a lone surrogate
    assert search_terms("🙂 văn bản 🙂") == ["văn", "bản"]


# ---------------------------------------------------------------------------- LIKE patterns


# ----------------------------------------------------------------------------------- rank


def test_exact_diacritics_rank_above_folded_matches() -> None:
    exact = "Quyết định số 15/QĐ-UBND về việc phê duyệt"
    folded_only = "quyet dinh so 15/qd-ubnd ve viec phe duyet"
    wrong_marks = "Quyết dính số 15"
    unrelated = "Báo cáo tổng kết năm"
    scores = [rank("Quyết định", text) for text in (exact, folded_only, wrong_marks, unrelated)]
    assert scores[0] > scores[1] > 0 and scores[0] > scores[2] > 0 and scores[3] == 0
    ordered = sorted([unrelated, folded_only, exact], key=lambda t: -rank("Quyết định", t))
    assert ordered == [exact, folded_only, unrelated]


def test_rank_ignores_case_and_normalisation() -> None:
    text = "QUYẾT ĐỊNH về Đề án đường"
    assert (
        rank("quyết định", text) == rank("Quyết định", nfd(text)) == rank(nfd("QUYẾT định"), text)
    )
    assert rank("quyết định", text) > rank("quyết định", "quyet dinh ve de an duong")


def test_a_query_without_diacritics_has_no_preference() -> None:
    assert rank("quyet dinh", "Quyết định số 15") == rank("quyet dinh", "quyet dinh so 15") > 0


def test_the_whole_phrase_ranks_above_scattered_words() -> None:
    phrase = "Công văn số 15/QĐ-UBND ngày 05/7/2023"
    scattered = "UBND tỉnh, số 15 ngày 05/7, QĐ kèm theo"
    assert rank("số 15/QĐ-UBND", phrase) > rank("số 15/QĐ-UBND", scattered)


def test_rank_is_safe_and_bounded() -> None:
    text = "Đề án đường " * 100_000
    for query in ("%", "_", "' OR 1=1 --", '"foo" AND bar*', "x" * 10_000, "đường " * 3_000):
        assert isinstance(rank(query, text), int)
    assert rank("%", text) == 0 and rank("", text) == 0 and rank("đường", "") == 0
    # The work is bounded by what is read, not by the input's size: a match past the first
    # RANK_TEXT_CHARS characters does not count, and a huge query is cut to its terms.
    far = "x" * RANK_TEXT_CHARS + " đường"
    assert rank("đường", far) == 0
    assert rank("đường", far[-RANK_TEXT_CHARS:]) > 0
    assert rank("đường " * 3_000, "đường") == rank("đường", "đường")
