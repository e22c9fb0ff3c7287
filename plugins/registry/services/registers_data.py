"""What the registers are built from: a registry's numbers of a year, the documents that hold
them, what the actor may see of them, and the leads of the incoming documents.

A register is the registry's numbers (issued, reserved and released: a number is never
skipped), in the order of :func:`plugins.registry.services.numbering.list_numbers` — normal
numbers first, then the confidential sequence — each joined with its document when one exists.
A document holds a number through ``Document.registry_number`` (incoming documents, and any
slice that links that way) or is named by the number (``RegistryNumber.document_id``; accepted
only for a document of the same registry with the same number, so a reference to another
table can never join the wrong row).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from core import fetch_tenant_rows, has_permission
from plugins.registry.actions import CONFIDENTIAL_VIEW
from plugins.registry.models import ConfidentialityLevel, Registry, RegistryNumber
from plugins.registry.models_assignments import REPLACED, ROLE_LEAD, Assignment
from plugins.registry.models_documents import Document
from plugins.registry.services.documents import visibility

CHUNK = 500  # ids per IN (...): well under SQLite's limit on bound variables
T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """One number of the register, its document (if any) and whether the actor may see it.

    ``visible`` is false for a document outside the actor's :func:`visibility` and for a
    confidential number without a document when the actor lacks ``registry.confidential.view``
    in the registry's unit: such a row shows only its number.
    """

    number: RegistryNumber
    document: Document | None
    visible: bool


@dataclass(frozen=True)
class Lead:
    """The top-level lead (chủ trì) of a document, with the assignee's display name."""

    assignment: Assignment
    name: str


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


async def visible_ids(ids: Sequence[int]) -> set[int]:
    """Which of the documents ``ids`` the current actor may see (the one visibility rule)."""
    if not ids:
        return set()
    rule = await visibility()
    seen: set[int] = set()
    for part in chunks(list(ids)):
        rows: list[Any] = list(
            await Document.filter(rule, id__in=list(part)).values_list("id", flat=True)
        )
        seen.update(int(r) for r in rows)
    return seen


async def _documents(registry: Registry, numbers: list[RegistryNumber]) -> dict[int, Document]:
    """Number id → its document."""
    found: dict[int, Document] = {}
    ids = [n.id for n in numbers]
    for part in chunks(ids):
        for doc in await Document.filter(registry_number_id__in=list(part)):
            if doc.registry_number_id is not None:
                found[doc.registry_number_id] = doc
    named = {int(n.document_id): n for n in numbers if n.id not in found and n.document_id}
    for part in chunks(list(named)):
        for doc in await Document.filter(id__in=list(part), registry_id=registry.id):
            number = named[doc.id]
            if doc.code_number == number.code_number or doc.arrival_number == number.number:
                found[number.id] = doc
    return found


async def load_entries(registry: Registry, year: int) -> list[Entry]:
    """Every number of ``registry`` in ``year`` with its document, in register order."""
    numbers = list(
        await RegistryNumber.filter(registry_id=registry.id, year=year).order_by(
            "confidential", "number", "id"
        )
    )
    documents = await _documents(registry, numbers)
    seen = await visible_ids([d.id for d in documents.values()])
    secret_ok: bool | None = None
    entries: list[Entry] = []
    for number in numbers:
        doc = documents.get(number.id)
        if doc is not None:
            visible = doc.id in seen
        elif number.confidential:
            if secret_ok is None:
                secret_ok = await has_permission(CONFIDENTIAL_VIEW, unit_id=registry.unit_id)
            visible = secret_ok
        else:
            visible = True
        entries.append(Entry(number, doc, visible))
    return entries


async def confidentiality_names() -> dict[int, str]:
    rows = await ConfidentialityLevel.all().values_list("id", "name")
    return {int(i): str(n) for i, n in rows}


async def _names(table: str, column: str, ids: set[int]) -> dict[int, str]:
    """``id → name`` from a core table of the tenant (users: full name, else username)."""
    names: dict[int, str] = {}
    for part in chunks(sorted(ids)):
        marks = ", ".join(f"${i}" for i in range(2, len(part) + 2))
        rows = await fetch_tenant_rows(
            f"SELECT id, {column} FROM {table} WHERE {{tenant}} AND id IN ({marks})", list(part)
        )
        for row in rows:
            values = [str(row[c.strip()] or "") for c in column.split(",") if c.strip() != "id"]
            names[int(row["id"])] = next((v for v in values if v), "")
    return names


async def unit_names(ids: set[int]) -> dict[int, str]:
    """``id → name`` of the tenant's units ``ids`` (a few queries, whatever their number)."""
    return await _names("core_unit", "name", ids) if ids else {}


async def user_names(ids: set[int]) -> dict[int, str]:
    """``id → full name`` (else username) of the tenant's users ``ids``."""
    return await _names("core_user", "full_name, username", ids) if ids else {}


async def leads(document_ids: Sequence[int]) -> dict[int, Lead]:
    """Document id → its current top-level lead (the last one given that was not replaced)."""
    found: dict[int, Assignment] = {}
    for part in chunks(list(document_ids)):
        rows = (
            await Assignment.filter(
                document_id__in=list(part), role=ROLE_LEAD, parent_id__isnull=True
            )
            .exclude(status=REPLACED)
            .order_by("id")
        )
        for assignment in rows:
            found[assignment.document_id] = assignment
    users = {a.assignee_user_id for a in found.values() if a.assignee_user_id is not None}
    units = {a.assignee_unit_id for a in found.values() if a.assignee_unit_id is not None}
    people = await user_names(users)
    offices = await unit_names(units)
    result: dict[int, Lead] = {}
    for doc_id, a in found.items():
        if a.assignee_user_id is not None:
            name = people.get(a.assignee_user_id, "")
        else:
            name = offices.get(a.assignee_unit_id or 0, "")
        result[doc_id] = Lead(a, name)
    return result


async def documents_by_id(ids: Sequence[int]) -> dict[int, Document]:
    found: dict[int, Document] = {}
    for part in chunks(list(ids)):
        for doc in await Document.filter(id__in=list(part)):
            found[doc.id] = doc
    return found
