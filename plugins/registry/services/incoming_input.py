"""What a caller hands over to receive an incoming document, and its validation.

:class:`IncomingMetadata` holds the ND30 metadata *as printed on the received document*; it has
deliberately no field for the arrival number or the arrival date, which the system assigns.
:func:`check_metadata` checks every field at once and raises one :class:`core.InvalidInput`
whose ``errors`` map each wrong field to a short message.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core import InvalidInput
from plugins.registry.models import (
    ConfidentialityLevel,
    DocumentType,
    ReferenceItem,
    Registry,
    UrgencyLevel,
)
from plugins.registry.notation import vietnam_date
from plugins.registry.searchtext import fold, fold_fields
from plugins.registry.services.registries import accepts

MAX_PAGES = 100_000
MAX_REASON = 1000
# ND30 OrganId: the QCVN 102 form (000.00.00.H41) or the QĐ 20/2020 form (H37.02.02).
_ORGAN_ID = re.compile(r"[0-9A-Z]+(\.[0-9A-Z]+)*")
_SPACES = re.compile(r"\s+")

# Text fields: name → (max length, required). Lengths are those of ND30 Phụ lục VI.
TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "organ_name": (200, True),
    "code_number": (11, True),
    "code_notation": (30, True),
    "subject": (500, True),
    "signer_full_name": (50, True),
    "signer_position": (100, False),
    "organ_id": (35, False),
    "document_identifier": (100, False),
    "description": (500, False),
}


@dataclass(frozen=True)
class IncomingMetadata:
    """The metadata of a received document. Codes name the tenant's reference data
    (``document_type="cong_van"``, ``priority="khan"``, ``confidentiality="thuong"``)."""

    organ_name: str = ""
    code_number: str = ""
    code_notation: str = ""
    document_type: str = ""
    issued_date: date | None = None
    subject: str = ""
    signer_full_name: str = ""
    signer_position: str = ""
    priority: str = ""
    confidentiality: str = ""
    page_amount: int | None = None
    due_date: date | None = None
    organ_id: str = ""
    document_identifier: str = ""
    description: str = ""


@dataclass(frozen=True)
class CheckedMetadata:
    """Metadata that passed :func:`check_metadata`: clean values and the reference rows."""

    values: dict[str, Any]
    document_type: DocumentType
    priority: UrgencyLevel
    confidentiality: ConfidentialityLevel
    identity_key: str  # normalised (number, notation, issuer, year), hashed
    identifier: str | None  # the external document identifier, if any

    @property
    def confidential(self) -> bool:
        return self.confidentiality.level > 0

    def search_text(self) -> str:
        v = self.values
        return fold_fields(
            f"{v['code_number']}/{v['code_notation']}",
            v["type_name"],
            v["subject"],
            v["organ_name"],
            v["signer_position"],
            v["signer_full_name"],
            v["description"],
            v["document_identifier"] or "",
        )


def clean_text(value: object) -> str:
    """NFC, whitespace collapsed, stripped (one-line fields)."""
    if not isinstance(value, str):
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def identity_key(code_number: str, code_notation: str, organ_name: str, year: int) -> str:
    """The normalised identity of a document for duplicate warnings: ``05`` and ``5``,
    ``QĐ-UBND`` and ``qd - ubnd``, ``Sở Tư pháp`` and ``SO TU PHAP`` are the same."""
    number = fold(code_number).replace(" ", "")
    if number.isdigit():
        number = number.lstrip("0") or "0"
    notation = fold(code_notation).replace(" ", "")
    organ = fold(organ_name)
    raw = f"{number}\x1f{notation}\x1f{organ}\x1f{year}"
    return hashlib.sha256(raw.encode()).hexdigest()


async def _reference(
    model: type[ReferenceItem], code: str, name: str, errors: dict[str, str]
) -> Any:
    code = code.strip() if isinstance(code, str) else ""
    if not code:
        errors[name] = "required"
        return None
    item = await model.get_or_none(code=code)
    if item is None:
        errors[name] = "unknown code"
        return None
    if not item.is_active:
        errors[name] = "inactive"
        return None
    return item


@dataclass(frozen=True)
class References:
    """The reference rows a document names by code."""

    document_type: DocumentType
    priority: UrgencyLevel
    confidentiality: ConfidentialityLevel


async def check_references(
    registry: Registry,
    document_type: str,
    priority: str,
    confidentiality: str,
    errors: dict[str, str],
) -> References | None:
    """The active reference rows of the three codes (the type taken by ``registry``); ``None``
    when one is wrong (``errors`` names it)."""
    doc_type = await _reference(DocumentType, document_type, "document_type", errors)
    if doc_type is not None and not await accepts(registry, doc_type):
        errors["document_type"] = "not taken by this registry"
        doc_type = None
    urgency = await _reference(UrgencyLevel, priority, "priority", errors)
    secrecy = await _reference(ConfidentialityLevel, confidentiality, "confidentiality", errors)
    if doc_type is None or urgency is None or secrecy is None:
        return None
    return References(doc_type, urgency, secrecy)


def check_texts(
    source: object, fields: dict[str, tuple[int, bool]], errors: dict[str, str]
) -> dict[str, str]:
    """The one-line text fields of ``source`` (``fields``: name → (max length, required)),
    cleaned; each wrong one goes to ``errors``."""
    values: dict[str, str] = {}
    for name, (limit, required) in fields.items():
        value = clean_text(getattr(source, name))
        if required and not value:
            errors[name] = "required"
        elif len(value) > limit:
            errors[name] = f"at most {limit} characters"
        values[name] = value
    return values


def check_count(value: object, name: str, top: int, errors: dict[str, str]) -> int:
    """A whole number from 1 to ``top`` (a count: pages, copies); 0 when wrong."""
    if value is None:
        errors[name] = "required"
    elif isinstance(value, bool) or not isinstance(value, int):
        errors[name] = "a whole number"
    elif not 1 <= value <= top:
        errors[name] = f"between 1 and {top}"
    else:
        return value
    return 0


def _texts(metadata: IncomingMetadata, errors: dict[str, str]) -> dict[str, str]:
    values = check_texts(metadata, TEXT_FIELDS, errors)
    if values["code_number"] and "/" in values["code_number"]:
        errors["code_number"] = "the number alone, without '/' and the notation"
    organ_id = values["organ_id"].upper()
    if organ_id and "organ_id" not in errors and not _ORGAN_ID.fullmatch(organ_id):
        errors["organ_id"] = "letters and digits in groups joined by '.' (000.00.00.H41)"
    values["organ_id"] = organ_id
    return values


def _dates(metadata: IncomingMetadata, moment: datetime, errors: dict[str, str]) -> None:
    today = vietnam_date(moment)
    issued = metadata.issued_date
    if issued is None:
        errors["issued_date"] = "required"
    elif not isinstance(issued, date) or isinstance(issued, datetime):
        errors["issued_date"] = "a date"
    elif issued > today:
        errors["issued_date"] = "in the future (Vietnam time)"
    due = metadata.due_date
    if due is not None:
        if not isinstance(due, date) or isinstance(due, datetime):
            errors["due_date"] = "a date"
        elif due < today:
            errors["due_date"] = "before the arrival date"
        elif isinstance(issued, date) and due < issued:
            errors["due_date"] = "before the issued date"


async def check_metadata(
    registry: Registry, metadata: IncomingMetadata, moment: datetime
) -> CheckedMetadata:
    """Every field of ``metadata`` checked at once (``moment``: the arrival time)."""
    errors: dict[str, str] = {}
    texts = _texts(metadata, errors)
    _dates(metadata, moment, errors)
    pages = check_count(metadata.page_amount, "page_amount", MAX_PAGES, errors)
    refs = await check_references(
        registry, metadata.document_type, metadata.priority, metadata.confidentiality, errors
    )
    if errors:
        summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise InvalidInput(f"Invalid incoming document: {summary}", errors)
    assert metadata.issued_date is not None
    assert refs is not None
    identifier = texts.pop("document_identifier") or None
    values: dict[str, Any] = {
        **texts,
        "document_identifier": identifier,
        "type_name": refs.document_type.name,
        "issued_date": metadata.issued_date,
        "due_date": metadata.due_date,
        "page_amount": pages,
        "priority_weight": refs.priority.weight,
        "confidentiality_level": refs.confidentiality.level,
    }
    key = identity_key(
        texts["code_number"], texts["code_notation"], texts["organ_name"], metadata.issued_date.year
    )
    return CheckedMetadata(
        values, refs.document_type, refs.priority, refs.confidentiality, key, identifier
    )


def check_reason(reason: object, missing: str = "Give a reason.") -> str:
    """A required free-text reason (refusal, return, recall): 422 with ``missing`` when it is
    empty, or when it is longer than :data:`MAX_REASON`."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput(missing, {"reason": "required"})
    if len(text) > MAX_REASON:
        raise InvalidInput(
            "The reason is too long.", {"reason": f"at most {MAX_REASON} characters"}
        )
    return text
