"""The registers of ND30 Phụ lục IV, built from a registry's numbers of one year.

* ``incoming`` — Sổ đăng ký văn bản đến (an incoming registry): arrival date and number,
  issuing organisation, number/notation, date, type and subject, the receiving unit or person
  (the lead, chủ trì) and the day it was forwarded, a blank receipt-signature column, notes.
* ``outgoing`` — Sổ đăng ký văn bản đi (an outgoing or internal registry): number/notation,
  date, type and subject, signer, recipients, unit keeping the file copy, copies, date sent,
  received-by, notes. Recipients, the keeping unit, copies and the date sent come from the
  outgoing document (``services/registers_outgoing.py``); a number without a document (a
  reservation) leaves those cells blank.
* ``processing`` — Sổ theo dõi giải quyết văn bản đến (an incoming registry): arrival number;
  type, number/notation, date and issuer; the lead; its deadline; progress (the document's
  status, ``overdue`` past the deadline); the number/notation of the reply; notes.

Every number of the year appears — reserved ones and released ones too, marked in the notes —
so the sequence has no gaps. A row whose document (or confidential number) the actor may not
see keeps its number and says "(văn bản mật)" in place of the subject, nothing else.

Reading a register needs ``registry.registries.view`` in the registry's unit (a register is
an export of the registry); :func:`record_print` writes the audit event of each export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core import N_, InvalidInput, check_permission, record_audit
from core import gettext as _gettext
from plugins.registry.actions import REGISTRIES_VIEW
from plugins.registry.models import INCOMING, INTERNAL, OUTGOING, RELEASED, RESERVED, Registry
from plugins.registry.models_assignments import ASSIGNED, COMPLETED, PROCESSING
from plugins.registry.models_documents import REGISTERED, Document
from plugins.registry.notation import full_code, number_year, vietnam_date
from plugins.registry.services.registers_data import (
    Entry,
    Lead,
    confidentiality_names,
    documents_by_id,
    leads,
    load_entries,
    visible_ids,
)
from plugins.registry.services.registers_outgoing import OutgoingFacts, outgoing_facts
from plugins.registry.services.registries import get_registry
from plugins.registry.units import find_unit

KIND_INCOMING = "incoming"
KIND_OUTGOING = "outgoing"
KIND_PROCESSING = "processing"
KINDS = (KIND_INCOMING, KIND_OUTGOING, KIND_PROCESSING)
KINDS_OF = {
    INCOMING: (KIND_INCOMING, KIND_PROCESSING),
    OUTGOING: (KIND_OUTGOING,),
    INTERNAL: (KIND_OUTGOING,),
}
MIN_YEAR = 2000
FORMATS = ("json", "pdf")


def _(message: str) -> str:
    return str(_gettext(message))


TITLES = {
    KIND_INCOMING: N_("Sổ đăng ký văn bản đến"),
    KIND_OUTGOING: N_("Sổ đăng ký văn bản đi"),
    KIND_PROCESSING: N_("Sổ theo dõi giải quyết văn bản đến"),
}
MASKED = N_("(văn bản mật)")
STATUS_LABELS = {
    REGISTERED: N_("Chưa phân công"),
    ASSIGNED: N_("Đã phân công"),
    PROCESSING: N_("Đang giải quyết"),
    COMPLETED: N_("Đã giải quyết"),
    "cancelled": N_("Đã hủy (văn bản bị thu hồi)"),  # an internal copy whose original was recalled
}


@dataclass
class Register:
    """A register of one registry and year: its rows (JSON values, dates as ISO strings)."""

    kind: str
    registry: Registry
    agency_name: str
    year: int
    rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return _(TITLES[self.kind])

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "registry_id": self.registry.id,
            "registry_name": self.registry.name,
            "direction": self.registry.direction,
            "unit_id": self.registry.unit_id,
            "agency_name": self.agency_name,
            "year": self.year,
            "rows": self.rows,
        }


# ------------------------------------------------------------------------------ checks


def check_year(year: int | None, *, now: datetime | None = None) -> int:
    """``year`` (default: this year in Vietnam time) if within 2000 … next year; else 422."""
    current = number_year(now)
    if year is None:
        return current
    if not MIN_YEAR <= year <= current + 1:
        raise InvalidInput(
            f"The year {year} is outside {MIN_YEAR}–{current + 1}.",
            {"year": f"between {MIN_YEAR} and {current + 1}"},
        )
    return year


def check_kind(registry: Registry, kind: str) -> None:
    """422 for an unknown kind, or one that does not fit the registry's direction."""
    if kind not in KINDS:
        raise InvalidInput(f"Unknown register {kind!r}.", {"kind": f"one of {', '.join(KINDS)}"})
    allowed = KINDS_OF.get(registry.direction, ())
    if kind not in allowed:
        raise InvalidInput(
            f"An {registry.direction} registry has no {kind} register; it has "
            f"{', '.join(allowed) or 'none'}.",
            {"kind": f"an {registry.direction} registry has {', '.join(allowed)}"},
        )


# ------------------------------------------------------------------------------ rows


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value: datetime | None) -> date | None:
    return vietnam_date(value) if value is not None else None


def _notes(entry: Entry, secrecy: dict[int, str]) -> str:
    """The number's state (reserved, released with the reason), confidentiality, its note."""
    n, doc = entry.number, entry.document
    parts: list[str] = []
    if n.state == RESERVED:
        parts.append(_("Đang giữ số"))
    elif n.state == RELEASED:
        parts.append(_("Đã hủy giữ số, không dùng lại"))
        if entry.visible and n.release_reason:
            parts.append(_("lý do: {reason}").format(reason=n.release_reason))
    if n.confidential:
        level = doc.confidentiality_id if doc is not None else n.confidentiality_id
        name = secrecy.get(level or 0, "") if entry.visible else ""
        parts.append(_("Độ mật: {level}").format(level=name) if name else _("Số văn bản mật"))
    if entry.visible and n.note:
        parts.append(n.note)
    return "; ".join(parts)


def _base(entry: Entry, secrecy: dict[int, str]) -> dict[str, Any]:
    n = entry.number
    return {
        "number_id": n.id,
        "number": n.number,
        "code_number": n.code_number,
        "confidential": n.confidential,
        "state": n.state,
        "masked": not entry.visible,
        "document_id": entry.document.id if entry.document and entry.visible else None,
        "note": _notes(entry, secrecy),
    }


def _incoming_row(entry: Entry, lead: Lead | None, secrecy: dict[int, str]) -> dict[str, Any]:
    doc = entry.document if entry.visible else None
    row = _base(entry, secrecy)
    # A number without a document (held, released, given by hand) dates from when it was taken.
    n = entry.number
    arrival = entry.document.arrival_date if entry.document is not None else None
    row.update(
        arrival_date=_iso(_day(arrival or n.used_at or n.reserved_at)),
        arrival_number=entry.number.code_number,
        organ_name=doc.organ_name if doc else "",
        code=full_code(doc.code_number, doc.code_notation) if doc else "",
        issued_date=_iso(doc.issued_date) if doc else None,
        type_name=doc.type_name if doc else "",
        subject=doc.subject if doc else ("" if entry.visible else _(MASKED)),
        recipient=lead.name if doc and lead else "",
        forwarded_date=_iso(_day(lead.assignment.assigned_at)) if doc and lead else None,
        received_by="",  # signed by hand in the printed book
    )
    return row


def _outgoing_row(
    entry: Entry, secrecy: dict[int, str], facts: OutgoingFacts | None
) -> dict[str, Any]:
    n = entry.number
    doc = entry.document if entry.visible else None
    facts = facts if doc is not None else None
    row = _base(entry, secrecy)
    issued = doc.issued_date if doc else (n.issued_date if entry.visible else None)
    type_name = doc.type_name if doc else (n.type_name if entry.visible else "")
    row.update(
        code=n.code,
        issued_date=_iso(issued),
        type_name=type_name,
        subject=doc.subject if doc else ("" if entry.visible else _(MASKED)),
        signer=doc.signer_full_name if doc else "",
        recipients=facts.recipients if facts else "",
        keeping_unit=facts.keeping_unit if facts else "",
        copies=facts.copies if facts else None,
        sent_date=_iso(facts.sent_date) if facts else None,
        received_by="",
    )
    return row


def _processing_row(
    entry: Entry,
    lead: Lead | None,
    reply: tuple[Document, bool] | None,
    secrecy: dict[int, str],
    today: date,
) -> dict[str, Any]:
    doc = entry.document if entry.visible else None
    row = _base(entry, secrecy)
    assignment = lead.assignment if doc and lead else None
    deadline = assignment.deadline if assignment else None
    status = doc.status if doc else ""
    reply_code = ""
    if reply is not None and doc is not None:
        document, seen = reply
        reply_code = full_code(document.code_number, document.code_notation) if seen else _(MASKED)
    row.update(
        arrival_number=entry.number.code_number,
        type_name=doc.type_name if doc else ("" if entry.visible else _(MASKED)),
        code=full_code(doc.code_number, doc.code_notation) if doc else "",
        issued_date=_iso(doc.issued_date) if doc else None,
        organ_name=doc.organ_name if doc else "",
        handler=lead.name if doc and lead else "",
        deadline=_iso(deadline),
        status=status,
        progress=_(STATUS_LABELS[status]) if status in STATUS_LABELS else "",
        completed_date=_iso(_day(assignment.done_at))
        if assignment and status == COMPLETED
        else None,
        overdue=bool(deadline and status != COMPLETED and deadline < today),
        reply_code=reply_code,
    )
    return row


async def _replies(lead_of: dict[int, Lead]) -> dict[int, tuple[Document, bool]]:
    """Document id → (its reply document, whether the actor may see the reply)."""
    wanted = {
        doc_id: lead.assignment.reply_document_id
        for doc_id, lead in lead_of.items()
        if lead.assignment.reply_document_id is not None
    }
    found = await documents_by_id(sorted(set(wanted.values())))
    seen = await visible_ids(sorted(found))
    return {d: (found[r], r in seen) for d, r in wanted.items() if r in found}


# ------------------------------------------------------------------------------ API


async def build_register(
    registry_id: int, kind: str, year: int | None = None, *, now: datetime | None = None
) -> Register:
    """The ``kind`` register of ``registry_id`` for ``year`` (default: this year).

    404 for a registry of another tenant, 403 without ``registry.registries.view`` in its
    unit, 422 for a kind that does not fit the registry or a year outside 2000 … next year.
    """
    registry = await get_registry(registry_id)
    await check_permission(REGISTRIES_VIEW, unit_id=registry.unit_id)
    check_kind(registry, kind)
    the_year = check_year(year, now=now)
    unit = await find_unit(registry.unit_id)
    register = Register(kind, registry, unit.name if unit else "", the_year)
    entries = await load_entries(registry, the_year)
    secrecy = await confidentiality_names()
    if kind == KIND_OUTGOING:
        facts = await outgoing_facts([e.document.id for e in entries if e.document and e.visible])
        register.rows = [
            _outgoing_row(e, secrecy, facts.get(e.document.id) if e.document else None)
            for e in entries
        ]
        return register
    lead_of = await leads([e.document.id for e in entries if e.document and e.visible])
    if kind == KIND_INCOMING:
        register.rows = [
            _incoming_row(e, lead_of.get(e.document.id) if e.document else None, secrecy)
            for e in entries
        ]
        return register
    replies = await _replies(lead_of)
    today = vietnam_date(now)
    register.rows = [
        _processing_row(
            e,
            lead_of.get(e.document.id) if e.document else None,
            replies.get(e.document.id) if e.document else None,
            secrecy,
            today,
        )
        for e in entries
    ]
    return register


async def record_print(register: Register, fmt: str) -> None:
    """The audit event of one export (``registry.register.print``): registry, kind, year."""
    await record_audit(
        "registry.register.print",
        object_type="registry.registry",
        object_id=register.registry.id,
        after={
            "registry_id": register.registry.id,
            "kind": register.kind,
            "year": register.year,
            "format": fmt,
            "rows": len(register.rows),
        },
        unit_id=register.registry.unit_id,
    )
