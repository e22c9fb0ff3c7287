"""Records (hồ sơ): open, read, list, close and reopen; who may see and change one.

Rules (ND30 Điều 28–31, DOMAIN.md §2.8):

* A handler opens a record in an agency unit's records list of the year: the caller needs
  ``registry.records.manage`` in the handler unit (the agency itself when none is named), and
  the handler unit must lie inside the agency. The system gives the number: per agency and
  calendar year (Vietnam time), from 1, printed ``01`` (the sequence ``record:<unit>`` of
  ``NumberSequence``, taken and locked as document numbers are — ``services/numbering.py`` —
  so concurrent opens get distinct numbers; the unique ``(unit, year, number)`` is the safety
  net).
* Who sees a record: its creator, and holders of ``registry.registries.view`` in its agency
  unit (clerks, leaders). Another tenant's id is 404; an invisible one 403 naming that action.
* Who changes it (add and remove documents, close): someone who sees it and is its creator or
  holds ``registry.records.manage`` in the agency unit.
* A closed record takes no changes (409). Reopening is for holders of
  ``registry.records.reopen`` in the agency unit (leader, clerk by default), with a reason.

Every change is in the audit trail (``registry.record.<change>``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from core import (
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
    atomic,
    check_permission,
    current_actor,
    has_permission,
    record_audit,
)
from plugins.registry.actions import RECORDS_MANAGE, RECORDS_REOPEN, REGISTRIES_VIEW
from plugins.registry.models import RetentionPeriod
from plugins.registry.models_records import RECORD_CLOSED, RECORD_OPEN, Record, RecordItem
from plugins.registry.notation import format_number, number_year
from plugins.registry.services.numbering import next_in_sequence
from plugins.registry.services.reference import active_item
from plugins.registry.services.registers_data import unit_names, user_names
from plugins.registry.services.registries import MAX_ID
from plugins.registry.units import UnitRef, get_unit

MAX_TITLE = 500
MAX_DESCRIPTION = 500
MAX_REASON = 1000
NOTHING = Q(id=0)


@dataclass(frozen=True)
class RecordView:
    """A record with the names a list or a page shows."""

    record: Record
    retention_code: str
    retention_name: str
    retention_years: int | None
    unit_name: str
    handler_unit_name: str
    creator_name: str
    item_count: int

    def as_dict(self) -> dict[str, Any]:
        r = self.record
        return {
            "id": r.id,
            "unit_id": r.unit_id,
            "unit_name": self.unit_name,
            "year": r.year,
            "number": r.number,
            "code": r.code,
            "title": r.title,
            "retention": self.retention_code,
            "retention_name": self.retention_name,
            "retention_years": self.retention_years,
            "creator_id": r.creator_id,
            "creator_name": self.creator_name,
            "handler_unit_id": r.handler_unit_id,
            "handler_unit_name": self.handler_unit_name,
            "status": r.status,
            "opened_at": r.opened_at.isoformat(),
            "closed_at": r.closed_at.isoformat() if r.closed_at else None,
            "description": r.description,
            "item_count": self.item_count,
        }


def user_id_of_actor() -> int | None:
    actor = current_actor()
    return actor.id if actor.kind == "user" else None


async def allowed(action: str, unit_id: int) -> bool:
    try:
        return await has_permission(action, unit_id=unit_id)
    except NotFound:  # the unit is gone from the tree
        return False


# ------------------------------------------------------------------------------- access


Ask = Callable[[str, int], Awaitable[bool]]


async def can_view(record: Record, *, ask: Ask = allowed) -> bool:
    actor = current_actor()
    if actor.kind == "system":
        return True
    if actor.kind != "user" or actor.id is None:
        return False
    if record.creator_id == actor.id:
        return True
    return await ask(REGISTRIES_VIEW, record.unit_id)


async def can_manage(record: Record, *, ask: Ask = allowed) -> bool:
    """Whether the actor may add and remove documents of ``record`` and close it."""
    if not await can_view(record, ask=ask):
        return False
    actor = current_actor()
    if actor.kind == "system" or (actor.kind == "user" and record.creator_id == actor.id):
        return True
    return await ask(RECORDS_MANAGE, record.unit_id)


async def manageable(found: list[Record]) -> list[Record]:
    """The records of ``found`` the actor may change (:func:`can_manage`), asking each right
    once per unit however many records the unit has."""
    known: dict[tuple[str, int], bool] = {}

    async def ask(action: str, unit_id: int) -> bool:
        if (action, unit_id) not in known:
            known[action, unit_id] = await allowed(action, unit_id)
        return known[action, unit_id]

    return [r for r in found if await can_manage(r, ask=ask)]


async def get_record(record_id: int) -> Record:
    """The record ``record_id`` of the tenant (404), if the actor may see it (403)."""
    record = None
    if 1 <= record_id <= MAX_ID:
        record = await Record.get_or_none(id=record_id)
    if record is None:
        raise NotFound(f"No record with id {record_id} in this tenant.")
    if not await can_view(record):
        raise PermissionDenied(
            REGISTRIES_VIEW, f"Missing permission: {REGISTRIES_VIEW} in unit {record.unit_id}"
        )
    return record


async def get_managed_record(record_id: int, *, lock: bool = False) -> Record:
    """:func:`get_record` for a change (403 naming ``registry.records.manage`` otherwise).

    With ``lock`` the row is locked until the transaction ends (call it inside ``atomic()``):
    changes of one record queue, so item positions stay consecutive."""
    record = await get_record(record_id)
    if not await can_manage(record):
        raise PermissionDenied(
            RECORDS_MANAGE, f"Missing permission: {RECORDS_MANAGE} in unit {record.unit_id}"
        )
    return await _locked(record) if lock else record


async def _locked(record: Record) -> Record:
    """``record`` read again with its row locked until the transaction ends (inside
    ``atomic()``). An UPDATE takes the row lock on PostgreSQL and the write lock on SQLite."""
    await Record.filter(id=record.id).update(updated_at=datetime.now(UTC))
    return await Record.select_for_update().get(id=record.id)


def check_open(record: Record) -> None:
    if record.status != RECORD_OPEN:
        raise Conflict(
            f"Record {record.code}/{record.year} is closed; reopen it first.",
            errors={"record": "closed"},
        )


# ------------------------------------------------------------------------------- views


async def views(records: list[Record]) -> list[RecordView]:
    """The records with their names and item counts (a few queries for the whole list)."""
    if not records:
        return []
    periods = {
        p.id: p for p in await RetentionPeriod.filter(id__in={r.retention_id for r in records})
    }
    units = await unit_names({r.unit_id for r in records} | {r.handler_unit_id for r in records})
    creators = await user_names({r.creator_id for r in records if r.creator_id is not None})
    counted: list[Any] = list(
        await RecordItem.filter(record_id__in=[r.id for r in records])
        .annotate(count=Count("id"))
        .group_by("record_id")
        .values_list("record_id", "count")
    )
    counts = {int(record_id): int(count) for record_id, count in counted}
    result = []
    for record in records:
        retention = periods[record.retention_id]
        result.append(
            RecordView(
                record=record,
                retention_code=retention.code,
                retention_name=retention.name,
                retention_years=retention.years,
                unit_name=units.get(record.unit_id, ""),
                handler_unit_name=units.get(record.handler_unit_id, ""),
                creator_name=creators.get(record.creator_id or 0, ""),
                item_count=counts.get(record.id, 0),
            )
        )
    return result


async def view(record: Record) -> RecordView:
    return (await views([record]))[0]


# ------------------------------------------------------------------------------- open


def _text(value: str, field: str, limit: int, *, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise InvalidInput(f"The {field} is required.", {field: "required"})
    if len(text) > limit:
        raise InvalidInput(f"The {field} is too long.", {field: f"at most {limit} characters"})
    return text


async def _units(unit_id: int, handler_unit_id: int | None) -> tuple[UnitRef, UnitRef]:
    if not 1 <= unit_id <= MAX_ID:
        raise NotFound(f"No unit with id {unit_id} in this tenant.")
    agency = await get_unit(unit_id)
    handler = agency
    if handler_unit_id is not None and handler_unit_id != unit_id:
        if not 1 <= handler_unit_id <= MAX_ID:
            raise NotFound(f"No unit with id {handler_unit_id} in this tenant.")
        handler = await get_unit(handler_unit_id)
        if not agency.contains(handler):
            raise InvalidInput(
                f"Unit {handler.id} is not part of unit {agency.id}, which keeps the records list.",
                {"handler_unit_id": "outside the agency unit"},
            )
    if not agency.is_active or not handler.is_active:
        raise InvalidInput("The unit is inactive.", {"unit_id": "the unit is inactive"})
    return agency, handler


async def open_record(
    unit_id: int,
    title: str,
    retention: str,
    *,
    handler_unit_id: int | None = None,
    description: str = "",
    now: datetime | None = None,
) -> Record:
    """Open a record in the records list of ``unit_id`` for the year of ``now``."""
    agency, handler = await _units(unit_id, handler_unit_id)
    await check_permission(RECORDS_MANAGE, unit_id=handler.id)
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field, raw, limit, required in (
        ("title", title, MAX_TITLE, True),
        ("description", description, MAX_DESCRIPTION, False),
    ):
        try:
            values[field] = _text(raw, field, limit, required=required)
        except InvalidInput as exc:
            errors.update(exc.errors)
    period: RetentionPeriod | None = None
    try:
        period = await active_item("retention-periods", retention, "retention")
    except InvalidInput as exc:
        errors.update(exc.errors or {"retention": "unknown retention period"})
    if errors or period is None:
        summary = "; ".join(f"{k}: {v}" for k, v in errors.items())
        raise InvalidInput(f"Invalid record: {summary}", errors)
    moment = now or datetime.now(UTC)
    year = number_year(moment)
    async with atomic():
        _sequence, number = await next_in_sequence(f"record:{agency.id}", year, False)
        record = await Record.create(
            unit_id=agency.id,
            year=year,
            number=number,
            code=format_number(number),
            title=values["title"],
            retention=period,
            creator_id=user_id_of_actor(),
            handler_unit_id=handler.id,
            status=RECORD_OPEN,
            opened_at=moment,
            description=values["description"],
        )
        await audit(record, "opened", after=snapshot(record))
    return record


def snapshot(record: Record) -> dict[str, Any]:
    return {
        "code": record.code,
        "year": record.year,
        "title": record.title,
        "retention_id": record.retention_id,
        "handler_unit_id": record.handler_unit_id,
        "status": record.status,
        "description": record.description,
    }


async def audit(record: Record, change: str, **values: Any) -> None:
    """``registry.record.<change>`` in the audit trail, in the record's agency unit."""
    await record_audit(
        f"registry.record.{change}",
        object_type="registry.record",
        object_id=record.id,
        before=values.get("before"),
        after=values.get("after"),
        unit_id=record.unit_id,
    )


# ------------------------------------------------------------------------------- close, reopen


async def close_record(record_id: int, *, now: datetime | None = None) -> Record:
    """Close an open record (the work ended); 409 when it is closed already."""
    async with atomic():
        record = await get_managed_record(record_id, lock=True)
        check_open(record)
        record.status = RECORD_CLOSED
        record.closed_at = now or datetime.now(UTC)
        await record.save(update_fields=["status", "closed_at", "updated_at"])
        await audit(record, "closed", after={"closed_at": record.closed_at.isoformat()})
    return record


async def reopen_record(record_id: int, reason: str) -> Record:
    """Reopen a closed record (``registry.records.reopen`` in the agency unit, a reason)."""
    record = await get_record(record_id)
    await check_permission(RECORDS_REOPEN, unit_id=record.unit_id)
    text = _text(reason, "reason", MAX_REASON, required=True)
    async with atomic():
        record = await _locked(record)
        if record.status != RECORD_CLOSED:
            raise Conflict(
                f"Record {record.code}/{record.year} is open.", errors={"record": "open"}
            )
        before = {"closed_at": record.closed_at.isoformat() if record.closed_at else None}
        record.status = RECORD_OPEN
        record.closed_at = None
        await record.save(update_fields=["status", "closed_at", "updated_at"])
        await audit(record, "reopened", before=before, after={"reason": text})
    return record
