"""The documents of a record: add, remove, list in order, find ones to add.

* Adding needs a change right on the record (``services.records.get_managed_record``), an open
  record (409 when closed), a document the actor may see (``check_visible``: 403 naming the
  action) and one not yet in the record (409). The item takes the next position (1, 2, …);
  the record's row is locked meanwhile so concurrent adds get distinct positions.
* Removing (open records only) closes the gap: later items move up one position.
* The items list shows only documents the actor may see; ``hidden`` counts the others, which
  the record still holds.

Each add is the step ``filed`` on the document's timeline, each removal ``unfiled``; both are
in the audit trail as ``registry.record.document_added`` / ``document_removed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q

from core import Conflict, NotFound, atomic
from plugins.registry.models_documents import Document
from plugins.registry.models_records import Record, RecordItem
from plugins.registry.searchtext import fold, search_terms
from plugins.registry.services.documents import check_visible, visibility
from plugins.registry.services.records import (
    audit,
    check_open,
    get_managed_record,
    user_id_of_actor,
)
from plugins.registry.services.registries import MAX_ID
from plugins.registry.services.timeline import STEP_FILED, record_step

STEP_UNFILED = "unfiled"  # removed from a record
MAX_CANDIDATES = 20


@dataclass(frozen=True)
class Item:
    item: RecordItem
    document: Document


@dataclass(frozen=True)
class Items:
    """The items the actor may see, in position order, and how many others there are."""

    items: list[Item]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


def document_code(document: Document) -> str:
    """``15/QĐ-UBND`` (the number alone without a notation)."""
    if document.code_notation:
        return f"{document.code_number}/{document.code_notation}"
    return document.code_number


def _summary(record: Record) -> str:
    return f"{record.code}/{record.year} — {record.title}"


def _already_filed(document: Document, record: Record) -> Conflict:
    return Conflict(
        f"Document {document.id} is already in record {record.code}.",
        errors={"document_id": "already in the record"},
    )


async def _document(document_id: int) -> Document:
    document = None
    if 1 <= document_id <= MAX_ID:
        document = await Document.get_or_none(id=document_id)
    if document is None:
        raise NotFound(f"No document with id {document_id} in this tenant.")
    return document


async def add_document(
    record_id: int, document_id: int, *, now: datetime | None = None
) -> RecordItem:
    """File the document in the record, at the next position."""
    moment = now or datetime.now(UTC)
    async with atomic():
        record = await get_managed_record(record_id, lock=True)
        document = await _document(document_id)
        await check_visible(document)
        check_open(record)
        if await RecordItem.filter(record_id=record.id, document_id=document.id).exists():
            raise _already_filed(document, record)
        position = await RecordItem.filter(record_id=record.id).count() + 1
        try:
            async with atomic():
                item = await RecordItem.create(
                    record_id=record.id,
                    document_id=document.id,
                    position=position,
                    added_by=user_id_of_actor(),
                    added_at=moment,
                )
        except IntegrityError:
            raise _already_filed(document, record) from None
        detail = {"record_id": record.id, "record_code": record.code, "year": record.year}
        await record_step(
            document,
            STEP_FILED,
            summary=_summary(record),
            detail={**detail, "position": position},
            audit=False,
            now=moment,
        )
        await audit(
            record,
            "document_added",
            after={"document_id": document.id, "position": position},
        )
    return item


async def remove_document(record_id: int, document_id: int) -> None:
    """Take the document out of an open record; later items move up one position."""
    async with atomic():
        record = await get_managed_record(record_id, lock=True)
        item = None
        if 1 <= document_id <= MAX_ID:
            item = await RecordItem.get_or_none(record_id=record.id, document_id=document_id)
        if item is None:
            raise NotFound(f"Document {document_id} is not in record {record.code}.")
        document = await Document.get(id=item.document_id)
        await check_visible(document)
        check_open(record)
        position = item.position
        await item.delete()
        await RecordItem.filter(record_id=record.id, position__gt=position).update(
            position=F("position") - 1
        )
        await record_step(
            document,
            STEP_UNFILED,
            summary=_summary(record),
            detail={"record_id": record.id, "record_code": record.code, "year": record.year},
            audit=False,
        )
        await audit(
            record,
            "document_removed",
            before={"document_id": document.id, "position": position},
        )


async def record_items(record: Record) -> Items:
    """The items of ``record`` (the caller checked it is visible) the actor may see."""
    rows = list(await RecordItem.filter(record_id=record.id).order_by("position", "id"))
    ids = [r.document_id for r in rows]
    visible = {}
    if ids:
        documents = await Document.filter(await visibility(), id__in=ids)
        visible = {d.id: d for d in documents}
    items = [Item(r, visible[r.document_id]) for r in rows if r.document_id in visible]
    return Items(items, len(rows))


async def records_of_document(document: Document) -> list[Record]:
    """The records holding ``document`` (for its detail page), by year and number."""
    rows: list[Any] = list(
        await RecordItem.filter(document_id=document.id).values_list("record_id", flat=True)
    )
    ids = [int(i) for i in rows]
    if not ids:
        return []
    return list(await Record.filter(id__in=ids).order_by("year", "unit_id", "number"))


async def candidates(record: Record, query: str, *, limit: int = 10) -> list[Document]:
    """Visible documents not in ``record`` whose number, notation or subject match every
    term of ``query`` (diacritics optional), newest first."""
    terms = search_terms(query)
    if not terms:
        return []
    filed: list[Any] = list(
        await RecordItem.filter(record_id=record.id).values_list("document_id", flat=True)
    )
    taken = [int(i) for i in filed]
    found = Document.filter(await visibility())
    for term in terms:
        found = found.filter(
            Q(search_text__contains=fold(term))
            | Q(subject__icontains=term)
            | Q(code_notation__icontains=term)
            | Q(code_number=term)
        )
    if taken:
        found = found.exclude(id__in=taken)
    found = found.order_by("-issued_date", "-id").limit(min(limit, MAX_CANDIDATES))
    return list(await found)
