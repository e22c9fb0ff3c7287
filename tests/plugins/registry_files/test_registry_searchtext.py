"""Diacritic-insensitive search text with real Vietnamese, hostile queries, the LIKE patterns on
a real SQLite database, and ranking of exact-diacritic matches above folded ones."""

from __future__ import annotations

import sqlite3
import time
import unicodedata

import pytest

from plugins.registry.searchtext import (
    LIKE_ESCAPE,
    MAX_TERM_CHARS,
    MAX_TERMS,
    fold,
    fold_fields,
    like_patterns,
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
    started = time.perf_counter()
    assert search_terms("a" * 10_000) == ["a" * MAX_TERM_CHARS]
    assert search_terms("%" * 10_000) == []
    assert search_terms("đường " * 2_000) == ["đường"]
    many = search_terms(" ".join(f"từ{n}" for n in range(2_000)))
    assert many == [f"từ{n}" for n in range(MAX_TERMS)]
    assert search_terms("x" + "\u0301" * 10_000) == ["x"]  # "zalgo" marks are dropped
    assert time.perf_counter() - started < 1


def test_search_terms_never_raise_on_odd_input() -> None:
    assert search_terms(None) == []  # type: ignore[arg-type]
    assert search_terms("\ud800 lẻ") == ["lẻ"]  # a lone surrogate
    assert search_terms("🙂 văn bản 🙂") == ["văn", "bản"]


# ---------------------------------------------------------------------------- LIKE patterns


def test_like_patterns_are_folded_escaped_and_distinct() -> None:
    assert LIKE_ESCAPE == "\\"
    assert like_patterns(search_terms("Quyết định quyet")) == ["%quyet%", "%dinh%"]
    assert like_patterns(["100%", "a_b", "c\\d"]) == ["%100\\%%", "%a\\_b%", "%c\\\\d%"]
    assert like_patterns([]) == []
    assert like_patterns(["", "  "]) == []


@pytest.fixture
def documents() -> sqlite3.Connection:
    """A real SQLite table with a folded column, as the registry stores it."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, subject TEXT, folded TEXT)")
    subjects = [
        "Quyết định số 15/QĐ-UBND về Đề án đường giao thông nông thôn",
        "quyet dinh ve viec duong noi bo",
        "Kế hoạch giảm 100% phí trước bạ",
        "Kế hoạch giảm 1000 đồng phí",
        "Báo cáo a_b tổng kết",
        "Báo cáo axb tổng kết",
    ]
    db.executemany(
        "INSERT INTO documents (subject, folded) VALUES (?, ?)",
        [(subject, fold_fields(subject)) for subject in subjects],
    )
    return db


def find(db: sqlite3.Connection, patterns: list[str]) -> list[int]:
    where = " AND ".join(f"folded LIKE ? ESCAPE '{LIKE_ESCAPE}'" for _ in patterns) or "0"
    return [row[0] for row in db.execute(f"SELECT id FROM documents WHERE {where}", patterns)]


def test_like_patterns_find_rows_with_or_without_diacritics(documents: sqlite3.Connection) -> None:
    assert find(documents, like_patterns(search_terms("Quyết định"))) == [1, 2]
    assert find(documents, like_patterns(search_terms("QUYET DINH duong"))) == [1, 2]
    assert find(documents, like_patterns(search_terms("số 15/QĐ-UBND"))) == [1]
    assert find(documents, like_patterns(search_terms(nfd("Đề án đường")))) == [1]


def test_wildcards_are_literal_in_the_patterns(documents: sqlite3.Connection) -> None:
    assert find(documents, like_patterns(["100%"])) == [3]
    assert find(documents, like_patterns(["a_b"])) == [5]
    # Hostile queries find nothing instead of everything, and break no SQL.
    assert find(documents, like_patterns(search_terms("%"))) == []
    assert find(documents, like_patterns(search_terms("' OR 1=1 --"))) == []
    assert find(documents, like_patterns(search_terms('"foo" AND bar*'))) == []


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
    started = time.perf_counter()
    for query in ("%", "_", "' OR 1=1 --", '"foo" AND bar*', "x" * 10_000, "đường " * 3_000):
        assert isinstance(rank(query, text), int)
    assert rank("%", text) == 0 and rank("", text) == 0 and rank("đường", "") == 0
    assert time.perf_counter() - started < 3
