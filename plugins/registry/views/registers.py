"""``/api/v1/registry/registries/{id}/registers/{kind}``: a register of a year as PDF or JSON.

The route needs ``registry.registers.print`` in the registry's unit (the registry is looked
up first: another tenant's id is 404); the service adds ``registry.registries.view`` there and
hides what the caller may not see. Each export is audited (``registry.register.print``).
"""

from __future__ import annotations

import contextvars
from typing import Literal

from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from core import api_doc, requires
from plugins.registry.actions import REGISTERS_PRINT
from plugins.registry.api import parse_query, path_id, respond
from plugins.registry.downloads import attachment_disposition
from plugins.registry.schemas import Strict
from plugins.registry.services import registers
from plugins.registry.services.registers_pdf import register_filename, register_pdf
from plugins.registry.views.registries import registry_unit


class RegisterQuery(Strict):
    """``year`` (default: this year, Vietnam time; 2000 … next year) and ``format``."""

    year: int | None = Field(None, ge=1, le=9999)
    format: Literal["json", "pdf"] = "json"


@api_doc(
    "Print a register of a registry (ND30 Phụ lục IV)",
    query=RegisterQuery,
    response="application/pdf",
    errors=(503,),
    description=(
        "The incoming, outgoing or processing-tracking register of the registry for a year: "
        "every number (reserved and released ones marked), confidential rows masked for "
        "callers who may not see them. `format=pdf` answers a PDF attachment; `format=json` "
        "(the default) the rows. 422 for a kind that does not fit the registry's direction or "
        "a year outside 2000 … next year; 503 when the server lacks the PDF fonts."
    ),
)
@requires(REGISTERS_PRINT, unit=registry_unit)
async def print_register(request: Request) -> Response:
    """A register of the registry for a year, as a PDF book or JSON rows."""
    query = parse_query(request, RegisterQuery)
    register = await registers.build_register(
        path_id(request, "registry_id"), str(request.path_params["kind"]), query.year
    )
    if query.format == "json":
        await registers.record_print(register, "json")
        return respond(register.as_dict())
    # reportlab is synchronous and CPU-bound: render off the event loop, in this request's
    # context (language, tenant) so the labels come out in the caller's language.
    context = contextvars.copy_context()
    content = await run_in_threadpool(context.run, register_pdf, register)
    await registers.record_print(register, "pdf")
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": attachment_disposition(register_filename(register)),
            "Cache-Control": "no-store",
        },
    )
