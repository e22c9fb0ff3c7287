"""The query and filters of a document search, checked once for the API, the page, saved
searches and exports.

:func:`parse_filters` takes plain string values (a query string, a form, a saved search's
JSON) and returns :class:`SearchFilters`, or raises :class:`core.InvalidInput` naming every
bad field at once. Empty values mean "no filter". :meth:`SearchFilters.as_params` is the
reverse (what a saved search stores, what a link carries).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from core import InvalidInput
from plugins.registry.models import DIRECTIONS
from plugins.registry.models import MAX_ID as MAX_ID
from plugins.registry.searchtext import MAX_QUERY_CHARS

DATE_FIELDS = ("issued", "arrival")
FILTER_NAMES = (
    "q",
    "direction",
    "document_type",
    "unit",
    "date_field",
    "date_from",
    "date_to",
    "status",
    "overdue",
    "urgency",
    "confidentiality",
)
MAX_CODE = 50
TRUE_VALUES = ("1", "true", "on", "yes")
FALSE_VALUES = ("", "0", "false", "off", "no")


@dataclass(frozen=True)
class SearchFilters:
    """A checked search: ``q`` (free text, may be empty) and the filters (``None``: any).

    ``document_type``, ``urgency`` and ``confidentiality`` are reference codes; ``unit`` the
    unit of the registry; the date range applies to ``date_field`` (``issued``: the date on
    the document, ``arrival``: the arrival date, Vietnam days), both ends included."""

    q: str = ""
    direction: str | None = None
    document_type: str | None = None
    unit: int | None = None
    date_field: str = "issued"
    date_from: date | None = None
    date_to: date | None = None
    status: str | None = None
    overdue: bool = False
    urgency: str | None = None
    confidentiality: str | None = None

    def as_params(self) -> dict[str, str]:
        """The non-empty values as strings (JSON of a saved search, a query string)."""
        params: dict[str, str] = {}
        for name, value in asdict(self).items():
            if value is None or value == "" or value is False:
                continue
            if name == "date_field" and value == "issued":
                continue
            params[name] = "1" if value is True else str(value)
        return params


def _day(raw: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value).strip()


def parse_filters(params: Mapping[str, Any], *, extra: tuple[str, ...] = ()) -> SearchFilters:
    """The filters of ``params``; :class:`InvalidInput` (every bad field named) otherwise.

    Names outside :data:`FILTER_NAMES` and ``extra`` are refused (a typo must not silently
    widen a search)."""
    errors: dict[str, str] = {}
    for name in params:
        if name not in FILTER_NAMES and name not in extra:
            errors[str(name)] = "unknown parameter"
    values = {name: _text(params, name) for name in FILTER_NAMES}
    q = values["q"]
    if len(q) > MAX_QUERY_CHARS:
        errors["q"] = f"at most {MAX_QUERY_CHARS} characters"
    direction = values["direction"] or None
    if direction is not None and direction not in DIRECTIONS:
        errors["direction"] = f"one of {', '.join(DIRECTIONS)}"
    for name in ("document_type", "urgency", "confidentiality", "status"):
        if len(values[name]) > MAX_CODE:
            errors[name] = f"at most {MAX_CODE} characters"
    unit: int | None = None
    if values["unit"]:
        raw = values["unit"]
        if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
            unit = int(raw)
        else:
            errors["unit"] = "a unit id"
    date_field = values["date_field"] or "issued"
    if date_field not in DATE_FIELDS:
        errors["date_field"] = f"one of {', '.join(DATE_FIELDS)}"
    days: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        days[name] = _day(values[name]) if values[name] else None
        if values[name] and days[name] is None:
            errors[name] = "a date (yyyy-mm-dd or dd/mm/yyyy)"
    if days["date_from"] and days["date_to"] and days["date_from"] > days["date_to"]:
        errors["date_to"] = "not before date_from"
    overdue = values["overdue"].lower()
    if overdue not in TRUE_VALUES and overdue not in FALSE_VALUES:
        errors["overdue"] = "true or false"
    if errors:
        summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise InvalidInput(f"Invalid search: {summary}", errors)
    return SearchFilters(
        q=q,
        direction=direction,
        document_type=values["document_type"] or None,
        unit=unit,
        date_field=date_field,
        date_from=days["date_from"],
        date_to=days["date_to"],
        status=values["status"] or None,
        overdue=overdue in TRUE_VALUES,
        urgency=values["urgency"] or None,
        confidentiality=values["confidentiality"] or None,
    )
