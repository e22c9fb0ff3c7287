"""Documented shapes of the search API (``@api_doc``); the values are checked by
:func:`plugins.registry.services.search_filters.parse_filters`, the same rules for the API, the
page, saved searches and exports."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from plugins.registry.schemas import Strict

DirectionCode = Literal["incoming", "outgoing", "internal"]


class SearchFiltersIn(Strict):
    """Free text ``q`` (diacritics optional; every term must match) and the filters."""

    q: str | None = Field(None, max_length=1000, description="words to find (any diacritics)")
    direction: DirectionCode | None = None
    document_type: str | None = Field(None, description="document type code")
    unit: int | None = Field(None, ge=1, description="unit of the registry")
    date_field: Literal["issued", "arrival"] = "issued"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str | None = None
    overdue: bool = False
    urgency: str | None = Field(None, description="urgency code")
    confidentiality: str | None = Field(None, description="confidentiality code")


class SearchQueryIn(SearchFiltersIn):
    """The filters, and the page: ``offset`` (≤ 5000) and ``limit`` (1 … 100)."""

    offset: int = Field(0, ge=0, le=5000)
    limit: int = Field(20, ge=1, le=100)


class ExportQueryIn(SearchFiltersIn):
    """The filters of the export (the same as the search's)."""


class SearchResultOut(Strict):
    id: int
    direction: str
    direction_label: str
    code: str
    issued_date: dt.date
    type_name: str
    subject: str
    organ_name: str
    signer: str
    arrival_number: int | None
    arrival_date: dt.date | None
    urgency: str
    urgent: bool
    confidentiality: str
    confidential: bool
    due_date: dt.date | None
    status: str
    status_label: str
    overdue: bool
    rank: int
    registered_unit_id: int


class SearchPageOut(Strict):
    """``total`` counts the matches up to 5000 (``capped`` when more matched);
    ``no_terms`` when ``q`` held nothing searchable (only punctuation or operators)."""

    items: list[SearchResultOut]
    total: int
    capped: bool
    offset: int
    limit: int
    next_offset: int | None
    no_terms: bool


class SavedSearchIn(Strict):
    """``params``: the parameters of ``GET /search`` (``q`` and the filters, not the page)."""

    name: str = Field(..., max_length=200)
    params: dict[str, str | int | bool | None] = Field(default_factory=dict)


class SavedSearchOut(Strict):
    id: int
    name: str
    params: dict[str, str]
    created_at: dt.datetime


class SavedSearchRunOut(Strict):
    saved_search: SavedSearchOut
    results: SearchPageOut


class PageIn(Strict):
    offset: int = Field(0, ge=0, le=5000)
    limit: int = Field(20, ge=1, le=100)
