"""Diacritic-insensitive search text for Vietnamese documents.

A document keeps a ``folded`` copy of its searchable fields (subject, number and notation,
issuer, extracted text): :func:`fold` lower-cases, removes the diacritics — the tone marks *and*
the vowel marks (``ă â ê ô ơ ư``) — maps ``đ`` to ``d`` and collapses whitespace, so that
"Quyết định", "QUYẾT ĐỊNH" and "quyet dinh" all become ``quyet dinh``.

A user's query goes through :func:`search_terms` (safe terms: no LIKE wildcards, no full-text
syntax, bounded in number and length), then ``Q(folded__contains=fold(term))`` for each
term (the ORM escapes ``%``, ``_`` and ``\\`` in LIKE values). The matches are then ordered
with :func:`rank`, which puts a text that carries the query's exact diacritics ("Quyết định")
above a text that only matches once folded ("quyet dinh", "quyết dính").

Nothing here raises on hostile input: a query is plain text, never SQL or FTS syntax.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "MAX_TERM_CHARS",
    "Ranker",
    "fold",
    "fold_fields",
    "rank",
    "search_terms",
]

MAX_QUERY_CHARS = 1_000
"""Only the start of a longer query is read."""
MAX_TERMS = 10
"""At most this many distinct terms are kept from a query."""
MAX_TERM_CHARS = 64
"""A longer term is cut to this many characters."""
RANK_TEXT_CHARS = 200_000
""":func:`rank` reads at most this many characters of the text it scores."""

_WHITESPACE = re.compile(r"\s+")
# Letters and digits stay in a term, and the separators of a number/notation
# ("15/QĐ-UBND" keeps "15/qđ"; ".", "@" for dates, e-mail addresses, "1.5").
_TERM_CONNECTORS = "/.@"
# Everything else separates terms: ``\w`` minus ``_`` is the letters and digits of every script
# (NFC Vietnamese letters are single code points, so they are all in ``\w``).
_NON_TERM = re.compile(r"[^\w/.@]|_")
_TERM_RUN = re.compile(r"(?:[^\W_]|[/.@])+")  # a run of term characters
_SCORE_EXACT = 10  # the term with its diacritics
_SCORE_FOLDED = 3  # the term only once folded
_SCORE_PHRASE_EXACT = 20  # the whole query, as typed
_SCORE_PHRASE_FOLDED = 6  # the whole query, folded


def fold(text: str) -> str:
    """``text`` lower-cased, without diacritics, ``đ`` → ``d``, whitespace collapsed.

    NFKD is used (a superset of NFD): it also unfolds compatibility forms such as full-width
    letters and ligatures, so NFC and NFD input give the same result."""
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Compose again whatever is left (non-Vietnamese scripts) and map a ``đ`` that an
    # unusual compatibility form may have produced.
    composed = unicodedata.normalize("NFC", stripped).lower().replace("đ", "d")
    return _WHITESPACE.sub(" ", composed).strip()


def fold_fields(*parts: str | None) -> str:
    """The folded search text of several fields (``None`` and empty parts are skipped), one
    space between them — the value to store in a ``folded`` column."""
    return fold(" ".join(part for part in parts if part))


def _exact(text: str) -> str:
    """``text`` compared with its diacritics: NFC, lower-case, whitespace collapsed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()


def _words(text: str) -> str:
    """``text`` with every run of characters that cannot be part of a term replaced by one
    space (and none at the ends)."""
    return " ".join(_TERM_RUN.findall(text))


def search_terms(query: str) -> list[str]:
    """The terms of a user's query: NFC, lower-case, diacritics kept (for :func:`rank`).

    Every character that is not a letter or a digit is a separator — so the
    LIKE wildcards ``%`` ``_``, the full-text syntax ``" * : ( ) - + ^ ~ | &``, quotes,
    backslashes and ``=`` never reach a term; ``/ . @`` are kept inside a term (``15/qđ``).
    Only the first :data:`MAX_QUERY_CHARS` characters are read, at most :data:`MAX_TERMS`
    distinct terms are returned, each cut to :data:`MAX_TERM_CHARS`. Never raises."""
    if not isinstance(query, str) or not query:
        return []
    text = unicodedata.normalize("NFC", query[: MAX_QUERY_CHARS * 2]).lower()
    words = _NON_TERM.sub(" ", text[: MAX_QUERY_CHARS + 1]).split(" ")
    if len(text) > MAX_QUERY_CHARS and len(words) > 1:
        words.pop()  # the query was cut inside (or right after) its last word: drop it
    terms: list[str] = []
    seen: set[str] = set()
    for word in (word for word in words if word and not word.isspace()):
        term = word.strip(_TERM_CONNECTORS)[:MAX_TERM_CHARS].strip(_TERM_CONNECTORS)
        # A term must hold at least one letter or digit ("..." or "/" alone is not a term).
        if not any(ch.isalnum() for ch in term):
            continue
        if term in seen:
            continue
        seen.add(term)
        terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return terms


class _Forms:
    """The two forms of a text that :class:`Ranker` compares with, each made on first use."""

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def exact(self) -> str:
        return _words(_exact(self.text))

    @functools.cached_property
    def folded(self) -> str:
        return _words(fold(self.text))


def _score(needle: str, folded_needle: str, forms: _Forms, exact: int, folded: int) -> int:
    """``exact`` points when ``needle`` is in the text with its diacritics, ``folded`` when it
    is there only once folded; a needle typed without diacritics expresses no preference
    (``exact`` either way, and the cheaper folded form is looked at first)."""
    if folded_needle == needle:
        return exact if needle in forms.folded or needle in forms.exact else 0
    if needle in forms.exact:
        return exact
    return folded if folded_needle and folded_needle in forms.folded else 0


class Ranker:
    """:func:`rank` for one query: its terms are found and folded once, to score many texts
    (``Ranker(query)(text) == rank(query, text)``)."""

    def __init__(self, query: str) -> None:
        terms = search_terms(query)
        self.terms = [(term, fold(term)) for term in terms]
        phrase = " ".join(terms) if len(terms) > 1 else ""
        self.phrase = (phrase, fold(phrase)) if phrase else None

    def __call__(self, original_text: str) -> int:
        if not self.terms or not isinstance(original_text, str) or not original_text:
            return 0
        # Both sides are compared as words, so "15/QĐ-UBND" in a text matches the query's
        # terms "15/qđ ubnd" as a phrase.
        forms = _Forms(original_text[:RANK_TEXT_CHARS])
        score = sum(
            _score(term, folded, forms, _SCORE_EXACT, _SCORE_FOLDED) for term, folded in self.terms
        )
        if self.phrase is not None:
            phrase, folded = self.phrase
            score += _score(phrase, folded, forms, _SCORE_PHRASE_EXACT, _SCORE_PHRASE_FOLDED)
        return score


def rank(query: str, original_text: str) -> int:
    """A relevance score of ``original_text`` for ``query``; higher is better, 0 is no match.

    Per term: :data:`_SCORE_EXACT` when it appears with its diacritics (case-insensitive),
    else :data:`_SCORE_FOLDED` when it appears once both are folded. A term typed without
    diacritics expresses no preference, so its folded match counts as exact. The whole query
    as a phrase adds a bonus the same way. Only the first :data:`RANK_TEXT_CHARS` characters
    of the text are read. To score many texts for one query, use :class:`Ranker`."""
    return Ranker(query)(original_text)
