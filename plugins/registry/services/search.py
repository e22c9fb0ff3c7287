"""Searching the documents the current actor may see: free text and filters.

The free text ``q`` goes through :func:`~plugins.registry.searchtext.search_terms` (letters,
digits and ``/ . @`` only: LIKE wildcards, quotes, FTS operators and SQL comments are
separators, never syntax); every term must appear, folded (no diacritics, ``đ`` → ``d``), in
the document's metadata (``Document.search_text``: number/notation, type, subject, issuer,
signer, description) **or** in the extracted text of one of its files
(``DocumentText.folded``). Plain ``LIKE '%term%'`` on folded text works the same on SQLite
and PostgreSQL (the ORM escapes ``%``, ``_`` and ``\\``).

Order: with a query, the best :func:`~plugins.registry.searchtext.rank` of the metadata first
(exact diacritics above folded-only matches; a match in the files' text alone ranks 0), then
urgent first, then newest; without a query, urgent first, then newest. The ranking runs in
Python on at most :data:`MAX_MATCHES` matches — the first ones in the database's order (urgent,
then newest): when more matched, a better-ranked older match is left out, ``capped`` tells so
and the page asks to narrow the search. Pages are ``offset``/``limit`` within them.

Every search is within :func:`~plugins.registry.services.documents.visibility`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from core import InvalidInput
from plugins.registry.models import ConfidentialityLevel, DocumentType, UrgencyLevel
from plugins.registry.models_assignments import COMPLETED
from plugins.registry.models_documents import REFUSED, Document
from plugins.registry.models_search import DocumentText
from plugins.registry.notation import VIETNAM, vietnam_time
from plugins.registry.searchtext import Ranker, fold, search_terms
from plugins.registry.services.documents import visibility
from plugins.registry.services.search_filters import SearchFilters

MAX_MATCHES = 5_000
"""At most this many matches are ranked, paged and exported."""
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
NOT_PENDING = (COMPLETED, REFUSED)  # statuses that cannot be overdue
_RANK_FIELDS = (
    "code_number",
    "code_notation",
    "type_name",
    "subject",
    "organ_name",
    "signer_full_name",
    "description",
)


@dataclass(frozen=True)
class SearchHit:
    document: Document
    rank: int
    overdue: bool


@dataclass(frozen=True)
class SearchPage:
    """One page of results; ``total`` counts the matches (at most :data:`MAX_MATCHES`,
    ``capped`` when there were more); ``no_terms`` when ``q`` held no searchable term."""

    hits: list[SearchHit]
    total: int
    capped: bool
    offset: int
    limit: int
    no_terms: bool = False

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.hits) < self.total


def vietnam_today(now: datetime | None = None) -> date:
    return vietnam_time(now).date()


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=VIETNAM).astimezone(UTC)


def is_overdue(document: Document, today: date) -> bool:
    due = document.due_date
    return bool(due is not None and due < today and document.status not in NOT_PENDING)


async def _reference_id(model: Any, code: str, field: str, errors: dict[str, str]) -> int:
    row = await model.get_or_none(code=code)
    if row is None:
        errors[field] = "unknown code"
        return 0
    return int(row.id)


async def _filtered(filters: SearchFilters, today: date) -> QuerySet[Document]:
    """The visible documents matching the filters (not the free text)."""
    query = Document.filter(await visibility())
    errors: dict[str, str] = {}
    if filters.document_type is not None:
        type_id = await _reference_id(DocumentType, filters.document_type, "document_type", errors)
        query = query.filter(document_type_id=type_id)
    if filters.urgency is not None:
        urgency_id = await _reference_id(UrgencyLevel, filters.urgency, "urgency", errors)
        query = query.filter(priority_id=urgency_id)
    if filters.confidentiality is not None:
        level_id = await _reference_id(
            ConfidentialityLevel, filters.confidentiality, "confidentiality", errors
        )
        query = query.filter(confidentiality_id=level_id)
    if errors:
        summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise InvalidInput(f"Invalid search: {summary}", errors)
    if filters.direction is not None:
        query = query.filter(direction=filters.direction)
    if filters.unit is not None:
        query = query.filter(registered_unit_id=filters.unit)
    if filters.status is not None:
        query = query.filter(status=filters.status)
    if filters.date_field == "arrival":
        if filters.date_from is not None:
            query = query.filter(arrival_date__gte=_day_start(filters.date_from))
        if filters.date_to is not None:
            query = query.filter(arrival_date__lt=_day_start(filters.date_to + timedelta(1)))
    else:
        if filters.date_from is not None:
            query = query.filter(issued_date__gte=filters.date_from)
        if filters.date_to is not None:
            query = query.filter(issued_date__lte=filters.date_to)
    if filters.overdue:
        query = query.filter(due_date__lt=today).exclude(status__in=NOT_PENDING)
    return query


def _text_filter(terms: list[str]) -> Q:
    """Every term in the metadata or in a file's text (folded)."""
    condition = Q()
    for term in terms:
        folded = fold(term)
        in_files = DocumentText.filter(folded__contains=folded).values("document_id")
        condition &= Q(search_text__contains=folded) | Q(id__in=Subquery(in_files))
    return condition


def _rank_text(row: dict[str, Any]) -> str:
    """The metadata a match is ranked on (number/notation, type, subject, issuer, …)."""
    number = f"{row['code_number']}/{row['code_notation']}".strip("/")
    parts = [number, *(str(row[name] or "") for name in _RANK_FIELDS[2:])]
    return "\n".join(parts)


def _order(rows: list[dict[str, Any]], q: str) -> list[tuple[int, int]]:
    """``(id, rank)`` of ``rows``, best first. A stable sort on the rank alone keeps the
    database's order (urgent first, newest) within a rank."""
    ranker = Ranker(q)
    scored = [(int(row["id"]), ranker(_rank_text(row))) for row in rows]
    scored.sort(key=lambda item: -item[1])
    return scored


async def _ranked(query: QuerySet[Document], q: str) -> tuple[list[tuple[int, int]], bool]:
    """``(id, rank)`` of the matches, best first (at most :data:`MAX_MATCHES`: the most urgent
    and newest), and whether more matched. The ranking is CPU work on up to
    :data:`MAX_MATCHES` rows: it runs in a worker thread, off the event loop."""
    rows = await (
        query.order_by("-priority_weight", "-received_at", "-id")
        .limit(MAX_MATCHES + 1)
        .values("id", *_RANK_FIELDS)
    )
    capped = len(rows) > MAX_MATCHES
    return await asyncio.to_thread(_order, rows[:MAX_MATCHES], q), capped


async def search_documents(
    filters: SearchFilters,
    *,
    offset: int = 0,
    limit: int = DEFAULT_PAGE_SIZE,
    now: datetime | None = None,
) -> SearchPage:
    """One page of the visible documents matching ``filters`` (see the module docstring).

    ``offset`` is cut to :data:`MAX_MATCHES`, ``limit`` to 1 … :data:`MAX_PAGE_SIZE` for
    pages (exports pass ``limit=MAX_MATCHES`` through :func:`all_matches`). Raises
    :class:`InvalidInput` for an unknown reference code."""
    offset = max(0, min(offset, MAX_MATCHES))
    limit = max(1, min(limit, MAX_MATCHES))
    today = vietnam_today(now)
    query = await _filtered(filters, today)
    terms = search_terms(filters.q)
    if filters.q.strip() and not terms:
        # Only punctuation or operators: nothing to look for (never "everything").
        return SearchPage([], 0, False, offset, limit, no_terms=True)
    if terms:
        ranked, capped = await _ranked(query.filter(_text_filter(terms)), filters.q)
        chosen = ranked[offset : offset + limit]
        ids = [i for i, _score in chosen]
        found = {d.id: d for d in await Document.filter(id__in=ids)} if ids else {}
        hits = [
            SearchHit(found[i], score, is_overdue(found[i], today))
            for i, score in chosen
            if i in found
        ]
        return SearchPage(hits, len(ranked), capped, offset, limit)
    counted = await query.count()
    total, capped = min(counted, MAX_MATCHES), counted > MAX_MATCHES
    documents = list(
        await query.order_by("-priority_weight", "-received_at", "-id").offset(offset).limit(limit)
    )
    hits = [SearchHit(d, 0, is_overdue(d, today)) for d in documents]
    return SearchPage(hits, total, capped, offset, limit)


async def all_matches(filters: SearchFilters, *, now: datetime | None = None) -> SearchPage:
    """Every match, in the search order, up to :data:`MAX_MATCHES` (for exports)."""
    return await search_documents(filters, offset=0, limit=MAX_MATCHES, now=now)
