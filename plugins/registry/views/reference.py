"""``/api/v1/registry/reference/{kind}``: reference data of the tenant."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from core import api_doc, requires
from plugins.registry.actions import REFERENCE_MANAGE, REFERENCE_VIEW
from plugins.registry.api import parse_body, parse_query, respond
from plugins.registry.schemas import ReferenceCreate, ReferencePatch, ReferenceQuery
from plugins.registry.schemas_responses import ReferenceItemOut, ReferenceListOut
from plugins.registry.services import reference


@api_doc("List reference data of a kind", query=ReferenceQuery, response=ReferenceListOut)
@requires(REFERENCE_VIEW, anywhere=True)
async def list_reference(request: Request) -> Response:
    """List one kind of reference data (document-types, copy-forms, urgency-levels,
    confidentiality-levels, retention-periods) in display order."""
    kind = reference.get_kind(request.path_params["kind"])
    query = parse_query(request, ReferenceQuery)
    items = await reference.list_items(kind.key, include_inactive=query.include_inactive)
    return respond({"kind": kind.key, "items": [reference.as_dict(kind, i) for i in items]})


@api_doc(
    "Add a reference item",
    body=ReferenceCreate,
    response=ReferenceItemOut,
    status=201,
    errors=[409],
)
@requires(REFERENCE_MANAGE)
async def create_reference(request: Request) -> Response:
    """Add a reference item (a specialised document type, say); the code is its stable key."""
    kind = reference.get_kind(request.path_params["kind"])
    body = await parse_body(request, ReferenceCreate)
    values = body.model_dump(exclude_unset=True)
    code = values.pop("code")
    item = await reference.create_item(kind.key, code, **values)
    return respond(reference.as_dict(kind, item), status=201)


@api_doc("Change a reference item", body=ReferencePatch, response=ReferenceItemOut)
@requires(REFERENCE_MANAGE)
async def update_reference(request: Request) -> Response:
    """Change a reference item: name, order, active flag and the kind's own fields."""
    kind = reference.get_kind(request.path_params["kind"])
    body = await parse_body(request, ReferencePatch)
    item = await reference.update_item(
        kind.key, request.path_params["code"], **body.model_dump(exclude_unset=True)
    )
    return respond(reference.as_dict(kind, item))
