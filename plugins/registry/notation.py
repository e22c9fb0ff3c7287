"""Pure rules of numbers and notations (ND30 Điều 15, Phụ lục I): no database here.

* Numbers run per calendar year in Vietnam time and are shown with a leading zero below 10
  (``05``).
* A notation joins groups with ``-``: ``{type}-{agency}`` gives ``QĐ-UBND``; Công văn uses
  ``{agency}-{unit}`` (``UBND-VX``). A group that comes out empty is left out, so a type
  without an abbreviation (Thư công) gives ``UBND``, never ``-UBND``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

PLACEHOLDERS = ("type", "agency", "unit")
MAX_CODE_NUMBER = 11  # ND30 CodeNumber
MAX_CODE_NOTATION = 30  # ND30 CodeNotation
_PLACEHOLDER = re.compile(r"{([^{}]*)}")
# Notation text: no spaces and no "/" (which separates the number from the notation).
_BAD_NOTATION_CHARS = re.compile(r"[\s/{}]")


def _vietnam_zone() -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except Exception:  # no tz database on the host: Vietnam keeps UTC+7 all year
        return timezone(timedelta(hours=7), "ICT")


VIETNAM = _vietnam_zone()


def moment_of(now: datetime | None = None) -> datetime:
    """``now`` (default: the current time) as an aware time; a naive value is taken as UTC."""
    moment = now if now is not None else datetime.now(UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def vietnam_time(now: datetime | None = None) -> datetime:
    """``now`` (default: the current time) in Vietnam time; a naive value is taken as UTC."""
    return moment_of(now).astimezone(VIETNAM)


def vietnam_date(now: datetime | None = None) -> date:
    return vietnam_time(now).date()


def number_year(now: datetime | None = None) -> int:
    """The numbering year: numbers restart at 1 on 1 January, Vietnam time."""
    return vietnam_time(now).year


def format_number(number: int) -> str:
    """``5`` → ``05``, ``15`` → ``15``, ``120`` → ``120``."""
    if number < 1:
        raise ValueError(f"document numbers start at 1, not {number}")
    return f"{number:02d}"


def pattern_problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a usable notation pattern, or ``None`` when it is."""
    if not pattern.strip():
        return "must not be empty"
    names = _PLACEHOLDER.findall(pattern)
    unknown = [name for name in names if name not in PLACEHOLDERS]
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        return f"unknown placeholder {{{unknown[0]}}}; use {known}"
    literal = _PLACEHOLDER.sub("", pattern)
    if _BAD_NOTATION_CHARS.search(literal):
        return "may not contain spaces, '/', or unbalanced braces"
    return None


def abbreviation_problem(value: str) -> str | None:
    """Why ``value`` cannot stand in a notation (``UBND``, ``QĐ``), or ``None``."""
    if _BAD_NOTATION_CHARS.search(value):
        return "may not contain spaces or '/'"
    if "-" in value:
        return "may not contain '-', which separates the groups of a notation"
    return None


def uses_unit(pattern: str) -> bool:
    return "{unit}" in pattern


def render_notation(pattern: str, *, type_abbr: str, agency: str, unit: str = "") -> str:
    """The notation ``pattern`` gives; empty groups are left out."""
    values = {"type": type_abbr, "agency": agency, "unit": unit}
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], pattern)
    return "-".join(group for group in text.split("-") if group)


def full_code(code_number: str, code_notation: str) -> str:
    """``15/QĐ-UBND`` (ND30 presentation without the leading ``Số:``)."""
    return f"{code_number}/{code_notation}" if code_notation else code_number
