"""The pure rules of numbers and notations (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from plugins.registry.notation import (
    abbreviation_problem,
    format_number,
    full_code,
    number_year,
    pattern_problem,
    render_notation,
    vietnam_date,
)


@pytest.mark.parametrize(
    ("number", "text"), [(1, "01"), (5, "05"), (9, "09"), (10, "10"), (15, "15"), (1234, "1234")]
)
def test_numbers_below_ten_get_a_leading_zero(number, text):
    assert format_number(number) == text


def test_there_is_no_number_zero():
    with pytest.raises(ValueError, match="start at 1"):
        format_number(0)


def test_notations_join_non_empty_groups_with_a_dash():
    assert render_notation("{type}-{agency}", type_abbr="QĐ", agency="UBND") == "QĐ-UBND"
    assert render_notation("{agency}-{unit}", type_abbr="", agency="UBND", unit="VX") == "UBND-VX"
    assert render_notation("{type}-{agency}", type_abbr="", agency="UBND") == "UBND"
    assert render_notation("{type}-{agency}-VP", type_abbr="TB", agency="BNV") == "TB-BNV-VP"
    assert full_code("15", "QĐ-UBND") == "15/QĐ-UBND"
    assert full_code("05", "") == "05"


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("{type}-{agency}", None),
        ("{agency}-{unit}", None),
        ("{type}-{agency}-TCCB", None),
        ("", "must not be empty"),
        ("{year}-{agency}", "unknown placeholder {year}"),
        ("{type} {agency}", "may not contain spaces"),
        ("{type}/{agency}", "may not contain spaces"),
        ("{type-{agency}", "may not contain spaces"),
    ],
)
def test_patterns_are_checked(pattern, problem):
    found = pattern_problem(pattern)
    assert found == problem if problem is None else found.startswith(problem)


def test_abbreviations_cannot_break_a_notation():
    assert abbreviation_problem("UBND") is None
    assert abbreviation_problem("QyĐ") is None
    assert abbreviation_problem("UB ND") is not None
    assert abbreviation_problem("UB/ND") is not None
    assert abbreviation_problem("UB-ND") is not None


def test_the_year_and_the_date_are_those_of_vietnam():
    assert number_year(datetime(2024, 12, 31, 16, 59, 59, tzinfo=UTC)) == 2024
    assert number_year(datetime(2024, 12, 31, 17, 0, 0, tzinfo=UTC)) == 2025
    # A naive time is taken as UTC; other offsets are converted.
    assert number_year(datetime(2024, 12, 31, 17, 0, 0)) == 2025
    new_york = timezone(timedelta(hours=-5))
    assert vietnam_date(datetime(2025, 1, 1, 0, 30, tzinfo=new_york)).isoformat() == "2025-01-01"
    assert vietnam_date(datetime(2024, 12, 31, 11, 0, tzinfo=new_york)).isoformat() == "2024-12-31"
