"""OrganId (mã định danh) of an agency, in both forms the national exchange axis uses.

* QCVN 102 form: 13 characters ``DDD.CC.BB.Lnn``, the most significant level on the right,
  e.g. ``000.00.00.G22`` (Government Office), ``000.00.00.H41``, ``002.00.20.H13``.
* QĐ 20/2020/QĐ-TTg form: up to 35 characters, groups of ``[0-9A-Z]`` joined by ``.``, level 1
  first, e.g. ``H37.02.02``. Received packages also carry shortened codes such as
  ``28.22.H17``, which fit this form.

The code tables themselves are data (the axis directory returns both codes), never code.
Values are trimmed and upper-cased before checking; an empty value means "none".
"""

from __future__ import annotations

import re

from core.errors import InvalidInput

QCVN102_PATTERN = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
V2_PATTERN = re.compile(r"^[0-9A-Z]+(?:\.[0-9A-Z]+)*$")
V2_MAX_LENGTH = 35


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    return value or None


def is_organ_id(value: str) -> bool:
    """Whether ``value`` is an OrganId in the QCVN 102 form (``000.00.00.H41``)."""
    return QCVN102_PATTERN.fullmatch(value) is not None


def is_organ_id_v2(value: str) -> bool:
    """Whether ``value`` is an OrganId in the QĐ 20/2020 form (``H37.02.02``)."""
    return len(value) <= V2_MAX_LENGTH and V2_PATTERN.fullmatch(value) is not None


def clean_organ_id(value: str | None) -> str | None:
    """The normalised QCVN 102 OrganId, ``None`` when empty; raises InvalidInput when malformed."""
    cleaned = _clean(value)
    if cleaned is not None and not is_organ_id(cleaned):
        raise InvalidInput(
            f"OrganId {value!r} is not in the QCVN 102 form DDD.CC.BB.Lnn (e.g. 000.00.00.H41).",
            {"organ_id": "expected 13 characters like 000.00.00.H41"},
        )
    return cleaned


def clean_organ_id_v2(value: str | None) -> str | None:
    """The normalised QĐ 20/2020 OrganId, ``None`` when empty; InvalidInput when malformed."""
    cleaned = _clean(value)
    if cleaned is not None and not is_organ_id_v2(cleaned):
        raise InvalidInput(
            f"OrganId {value!r} is not in the QĐ 20/2020 form: up to {V2_MAX_LENGTH} characters, "
            "groups of digits and capital letters joined by '.' (e.g. H37.02.02).",
            {"organ_id_v2": "expected groups of [0-9A-Z] joined by '.', like H37.02.02"},
        )
    return cleaned
