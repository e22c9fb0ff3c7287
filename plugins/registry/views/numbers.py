"""Numbers of a registry: the register of a year, allocation, reservation and release."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import api_doc, requires
from plugins.registry.actions import NUMBERS_ALLOCATE, NUMBERS_RESERVE, REGISTRIES_VIEW
from plugins.registry.api import (
    decode_cursor,
    encode_cursor,
    parse_body,
    parse_query,
    path_id,
    respond,
)
from plugins.registry.models import RegistryNumber
from plugins.registry.schemas import NumberCreate, NumberQuery, ReleaseBody
from plugins.registry.schemas_responses import NumberOut, NumberPageOut
from plugins.registry.services import numbering, registries, reservations
from plugins.registry.views.registries import registry_unit


async def number_unit(request: Request) -> int:
    """The unit of the registry holding the number ``{number_id}`` (404 for an unknown one)."""
    entry = await numbering.get_number(path_id(request, "number_id"))
    return (await registries.get_registry(entry.registry_id)).unit_id


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def number_dicts(entries: list[RegistryNumber]) -> list[dict[str, Any]]:
    if entries:
        await RegistryNumber.fetch_for_list(entries, "document_type", "confidentiality")
    return [
        {
            "id": e.id,
            "registry_id": e.registry_id,
            "year": e.year,
            "number": e.number,
            "code_number": e.code_number,
            "code_notation": e.code_notation,
            "code": e.code,
            "confidential": e.confidential,
            "state": e.state,
            "document_type": e.document_type.code if e.document_type else None,
            "type_name": e.type_name,
            "confidentiality": e.confidentiality.code if e.confidentiality else None,
            "drafting_unit_id": e.drafting_unit_id,
            "issued_date": _iso(e.issued_date),
            "note": e.note,
            "reserved_at": _iso(e.reserved_at),
            "reserved_by": e.reserved_by,
            "used_at": _iso(e.used_at),
            "used_by": e.used_by,
            "released_at": _iso(e.released_at),
            "released_by": e.released_by,
            "release_reason": e.release_reason,
            "document_model": e.document_model,
            "document_id": e.document_id,
            "created_at": _iso(e.created_at),
        }
        for e in entries
    ]


def _request(body: NumberCreate) -> numbering.NumberRequest:
    return numbering.NumberRequest(
        document_type=body.document_type,
        confidentiality=body.confidentiality,
        drafting_unit_id=body.drafting_unit_id,
        note=body.note,
    )


@api_doc(
    "The register of a year: issued, reserved and released numbers",
    query=NumberQuery,
    response=NumberPageOut,
)
@requires(REGISTRIES_VIEW, unit=registry_unit)
async def list_numbers(request: Request) -> Response:
    """The register of a year (?year=, default this year in Vietnam time): issued, reserved
    and released numbers in order, normal ones first, then confidential ones."""
    query = parse_query(request, NumberQuery)
    after = None
    if query.cursor is not None:
        secret, number, last_id = decode_cursor(query.cursor, (bool, int, int))
        after = (secret, number, last_id)
    entries = await numbering.list_numbers(
        path_id(request, "registry_id"),
        year=query.year,
        confidential=query.confidential,
        state=query.state,
        after=after,
        limit=query.limit + 1,
    )
    page = entries[: query.limit]
    cursor = None
    if len(entries) > query.limit:
        last = page[-1]
        cursor = encode_cursor([last.confidential, last.number, last.id])
    return respond({"items": await number_dicts(page), "next_cursor": cursor})


@api_doc(
    "Allocate the next number", body=NumberCreate, response=NumberOut, status=201, errors=[409]
)
@requires(NUMBERS_ALLOCATE, unit=registry_unit)
async def allocate_number(request: Request) -> Response:
    """Give the next number of the registry (for a document registered by hand)."""
    body = await parse_body(request, NumberCreate)
    entry = await numbering.allocate_number(path_id(request, "registry_id"), _request(body))
    return respond((await number_dicts([entry]))[0], status=201)


@api_doc("Reserve the next number", body=NumberCreate, response=NumberOut, status=201, errors=[409])
@requires(NUMBERS_RESERVE, unit=registry_unit)
async def reserve_number(request: Request) -> Response:
    """Reserve the next number of the registry for a document being signed (giữ số)."""
    body = await parse_body(request, NumberCreate)
    entry = await numbering.reserve_number(path_id(request, "registry_id"), _request(body))
    return respond((await number_dicts([entry]))[0], status=201)


@api_doc("Release a reserved number", body=ReleaseBody, response=NumberOut, errors=[409])
@requires(NUMBERS_RESERVE, unit=number_unit)
async def release_reservation(request: Request) -> Response:
    """Release a reserved number with a reason; it stays in the register, never reused."""
    body = await parse_body(request, ReleaseBody)
    entry = await reservations.release_reservation(path_id(request, "number_id"), body.reason)
    return respond((await number_dicts([entry]))[0])
