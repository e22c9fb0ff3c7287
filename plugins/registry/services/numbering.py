"""The numbering service: the system gives every number; callers cannot choose one.

* Numbers run per calendar year in Vietnam time (restart at 1 on 1 January) and per sequence;
  which registries share a sequence is the registry's ``numbering_scope``. Confidential
  documents (a confidentiality level above 0) use a sequence of their own.
* A sequence is a row that the allocating transaction locks with an UPDATE (row lock on
  PostgreSQL, the write lock on SQLite) until it ends: concurrent allocations queue and get
  consecutive numbers, and a transaction that rolls back gives its number back.
* Reservations (giữ số) take the next number for a document being signed; a reservation is
  later used (attached to a document) or released with a reason (:mod:`.reservations`).
  Released numbers stay in the register and are never given again.

Call these inside the caller's ``atomic()`` block (each opens a nested one); allocate before
writing other audited changes, so that every transaction takes the locks in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from core import Conflict, InvalidInput, NotFound, atomic, current_actor, publish, record_audit
from plugins.registry.events import NumberIssued, NumberReserved
from plugins.registry.models import (
    INCOMING,
    ISSUED,
    RESERVED,
    SCOPE_AGENCY,
    SCOPE_REGISTRY,
    SCOPE_TYPE,
    STATES,
    ConfidentialityLevel,
    DocumentType,
    NumberSequence,
    Registry,
    RegistryNumber,
)
from plugins.registry.notation import (
    MAX_CODE_NOTATION,
    format_number,
    number_year,
    render_notation,
    uses_unit,
    vietnam_date,
)
from plugins.registry.services.reference import active_item
from plugins.registry.services.registries import MAX_ID, accepts, get_registry
from plugins.registry.units import get_unit

MAX_NOTE = 1000


@dataclass(frozen=True)
class NumberRequest:
    """What a number is for. There is deliberately no field for the number itself."""

    document_type: str | None = None  # code of a document type of the tenant
    confidentiality: str | None = None  # code of a confidentiality level; None: not confidential
    drafting_unit_id: int | None = None  # the unit drafting the document: ``{unit}``
    note: str = ""


@dataclass(frozen=True)
class _Plan:
    registry: Registry
    document_type: DocumentType | None
    confidentiality: ConfidentialityLevel | None
    confidential: bool
    notation: str
    drafting_unit_id: int | None
    note: str


def sequence_key(registry: Registry, document_type: DocumentType | None) -> str:
    """The key of the sequence a registry's numbers come from (see NumberSequence)."""
    if registry.numbering_scope == SCOPE_AGENCY:
        return f"agency:{registry.unit_id}:{registry.direction}"
    if registry.numbering_scope == SCOPE_REGISTRY:
        return f"registry:{registry.id}"
    if registry.numbering_scope == SCOPE_TYPE:
        if document_type is None:
            raise InvalidInput(
                "This registry numbers per document type: name the document type.",
                {"document_type": "required"},
            )
        return f"type:{registry.unit_id}:{registry.direction}:{document_type.id}"
    raise Conflict(f"Registry {registry.id} has an unknown numbering scope.")


async def _plan(registry: Registry, request: NumberRequest) -> _Plan:
    """Check the request against the registry and work out the notation."""
    if not registry.is_active:
        raise Conflict(f"Registry {registry.id} is inactive and gives no numbers.")
    note = request.note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput("The note is too long.", {"note": f"at most {MAX_NOTE} characters"})
    document_type: DocumentType | None = None
    if request.document_type is not None:
        document_type = await active_item("document-types", request.document_type, "document_type")
        if not await accepts(registry, document_type):
            raise InvalidInput(
                f"Registry {registry.id} does not take {document_type.name} documents.",
                {"document_type": "not taken by this registry"},
            )
    elif registry.direction != INCOMING:
        raise InvalidInput(
            "An outgoing or internal number needs a document type.",
            {"document_type": "required"},
        )
    confidentiality: ConfidentialityLevel | None = None
    if request.confidentiality is not None:
        confidentiality = await active_item(
            "confidentiality-levels", request.confidentiality, "confidentiality"
        )
    notation = ""
    if registry.direction != INCOMING and document_type is not None:
        notation = await _notation(registry, document_type, request.drafting_unit_id)
    return _Plan(
        registry=registry,
        document_type=document_type,
        confidentiality=confidentiality,
        confidential=confidentiality is not None and confidentiality.level > 0,
        notation=notation,
        drafting_unit_id=request.drafting_unit_id,
        note=note,
    )


async def _notation(registry: Registry, document_type: DocumentType, unit_id: int | None) -> str:
    pattern = document_type.notation_pattern or registry.notation_pattern
    unit_abbr = ""
    if unit_id is not None:
        if not 1 <= unit_id <= MAX_ID:
            raise NotFound(f"No unit with id {unit_id} in this tenant.")
        drafting = await get_unit(unit_id)
        agency = await get_unit(registry.unit_id)
        if not agency.contains(drafting):
            raise InvalidInput(
                f"Unit {unit_id} is not part of unit {registry.unit_id}, which keeps the registry.",
                {"drafting_unit_id": "outside the registry's unit"},
            )
        unit_abbr = drafting.abbreviation
    elif uses_unit(pattern):
        raise InvalidInput(
            f"The notation of {document_type.name} names the drafting unit ({pattern}).",
            {"drafting_unit_id": "required"},
        )
    notation = render_notation(
        pattern,
        type_abbr=document_type.abbreviation,
        agency=registry.agency_abbreviation,
        unit=unit_abbr,
    )
    if len(notation) > MAX_CODE_NOTATION:
        raise InvalidInput(
            f"The notation {notation!r} is longer than {MAX_CODE_NOTATION} characters.",
            {"document_type": "notation too long"},
        )
    return notation


async def next_in_sequence(key: str, year: int, confidential: bool) -> tuple[NumberSequence, int]:
    """Take the next number of a sequence, locking its row until the transaction ends.

    The UPDATE comes first: on PostgreSQL it waits for (and then sees) the row as concurrent
    allocations leave it; on SQLite it takes the database's write lock. A missing row is
    inserted with ON CONFLICT DO NOTHING, which waits for a concurrent insert of the same
    sequence instead of failing.
    """
    where = {"scope_key": key, "year": year, "confidential": confidential}
    updated = await NumberSequence.filter(**where).update(last_number=F("last_number") + 1)
    if not updated:
        await NumberSequence.bulk_create(
            [NumberSequence(last_number=0, **where)], ignore_conflicts=True
        )
        updated = await NumberSequence.filter(**where).update(last_number=F("last_number") + 1)
    if updated != 1:
        raise Conflict(f"The number sequence {key} of {year} could not be locked.")
    sequence = await NumberSequence.select_for_update().get(**where)
    return sequence, sequence.last_number


def _code_key(plan: _Plan, code_number: str) -> str | None:
    """Number + notation must be unique per agency, direction, year and confidentiality."""
    if plan.registry.direction == INCOMING:
        return None
    secrecy = "M" if plan.confidential else "T"
    registry = plan.registry
    return f"{registry.direction}:{registry.unit_id}:{secrecy}:{code_number}/{plan.notation}"


async def _take(plan: _Plan, state: str, moment: datetime) -> RegistryNumber:
    year = number_year(moment)
    key = sequence_key(plan.registry, plan.document_type)
    actor = current_actor().ref
    try:
        async with atomic():  # a savepoint: a duplicate gives the number back
            sequence, value = await next_in_sequence(key, year, plan.confidential)
            code_number = format_number(value)
            return await RegistryNumber.create(
                registry=plan.registry,
                sequence=sequence,
                year=year,
                confidential=plan.confidential,
                number=value,
                code_number=code_number,
                code_notation=plan.notation,
                code_key=_code_key(plan, code_number),
                state=state,
                document_type=plan.document_type,
                type_name=plan.document_type.name if plan.document_type else "",
                confidentiality=plan.confidentiality,
                drafting_unit_id=plan.drafting_unit_id,
                issued_date=vietnam_date(moment) if state == ISSUED else None,
                note=plan.note,
                reserved_at=moment if state == RESERVED else None,
                reserved_by=actor if state == RESERVED else "",
                used_at=moment if state == ISSUED else None,
                used_by=actor if state == ISSUED else "",
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            f"The number given by sequence {key} is already in the register of this agency "
            f"for {year}; check the numbering scopes of its registries.",
        ) from None


def _audit_view(entry: RegistryNumber) -> dict[str, Any]:
    return {
        "registry_id": entry.registry_id,
        "year": entry.year,
        "number": entry.number,
        "code": entry.code,
        "confidential": entry.confidential,
        "state": entry.state,
        "type_name": entry.type_name,
        "document_model": entry.document_model,
        "document_id": entry.document_id,
        "note": entry.note,
        "release_reason": entry.release_reason,
    }


async def allocate_number(
    registry_id: int,
    request: NumberRequest,
    *,
    document: tuple[str, int] | None = None,
    now: datetime | None = None,
) -> RegistryNumber:
    """Give the next number of ``registry_id`` (state ``issued``), optionally to ``document``
    (``("outgoing", 42)``: model name and id)."""
    moment = now or datetime.now(UTC)
    reference = document_ref(document) if document is not None else None
    async with atomic():
        registry = await get_registry(registry_id)
        plan = await _plan(registry, request)
        entry = await _take(plan, ISSUED, moment)
        if reference is not None:
            entry.document_model, entry.document_id = reference
            await entry.save(update_fields=["document_model", "document_id"])
        await record_change("registry.number.allocate", entry)
        await publish(NumberIssued(entry.id, registry.id, entry.code, entry.year))
    return entry


async def reserve_number(
    registry_id: int, request: NumberRequest, *, now: datetime | None = None
) -> RegistryNumber:
    """Reserve the next number of ``registry_id`` for a document being signed (giữ số)."""
    moment = now or datetime.now(UTC)
    async with atomic():
        registry = await get_registry(registry_id)
        plan = await _plan(registry, request)
        entry = await _take(plan, RESERVED, moment)
        await record_change("registry.number.reserve", entry)
        await publish(NumberReserved(entry.id, registry.id, entry.code, entry.year))
    return entry


async def get_number(number_id: int) -> RegistryNumber:
    entry = None
    if 1 <= number_id <= MAX_ID:
        entry = await RegistryNumber.get_or_none(id=number_id)
    if entry is None:
        raise NotFound(f"No registry number with id {number_id} in this tenant.")
    return entry


def document_ref(document: tuple[str, int]) -> tuple[str, int]:
    model, document_id = document
    model = model.strip()
    if not model or len(model) > 100 or not 1 <= document_id <= 2**63 - 1:
        raise InvalidInput("Invalid document reference.", {"document": "model name and id"})
    return model, document_id


async def record_change(action: str, entry: RegistryNumber) -> None:
    registry = await entry.registry
    await record_audit(
        action,
        object_type="registry.number",
        object_id=entry.id,
        after=_audit_view(entry),
        unit_id=registry.unit_id,
    )


async def list_numbers(
    registry_id: int,
    *,
    year: int | None = None,
    confidential: bool | None = None,
    state: str | None = None,
    after: tuple[bool, int, int] | None = None,
    limit: int | None = None,
) -> list[RegistryNumber]:
    """The register of a year: every number of the registry (issued, reserved, released) in
    order — normal numbers first, then confidential ones; ``after`` is a keyset position."""
    registry = await get_registry(registry_id)
    if state is not None and state not in STATES:
        raise InvalidInput(f"Unknown state {state!r}.", {"state": f"one of {', '.join(STATES)}"})
    query = RegistryNumber.filter(registry_id=registry.id, year=year or number_year())
    if confidential is not None:
        query = query.filter(confidential=confidential)
    if state is not None:
        query = query.filter(state=state)
    if after is not None:
        secret, number, last_id = after
        same = Q(confidential=secret) & (
            Q(number__gt=number) | (Q(number=number) & Q(id__gt=last_id))
        )
        query = query.filter(same | Q(confidential=True)) if not secret else query.filter(same)
    query = query.order_by("confidential", "number", "id")
    if limit is not None:
        query = query.limit(limit)
    return list(await query)
