"""JSON plumbing of the plugin's endpoints: their routes, bodies and query strings into
pydantic models, results into JSON, keyset cursors.

The core's declared-operation router (``ApiRouter``) is not part of the public ``core`` API, so
the plugin's endpoints are plain Starlette routes that follow the same conventions (the body is
read with the core's ``read_json``): bad JSON → 400, a body over 1 MiB → 413, invalid values
and unknown query parameters → 422 with ``errors`` mapping each field to its message; every
error is problem+json through the core's error classes.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import BadRequest, InvalidInput, read_json
from plugins.registry.models import MAX_ID as MAX_ID
from plugins.registry.services.incoming_files import MAX_FILES as MAX_UPLOAD_FILES

M = TypeVar("M", bound=BaseModel)
PREFIX = "/api/v1/registry"


def api_route(method: str, path: str, endpoint: Any) -> Route:
    """The JSON route ``method`` ``/api/v1/registry<path>`` (the ``routes_*`` modules)."""
    return Route(PREFIX + path, endpoint, methods=[method])


def invalid(exc: ValidationError, where: str) -> InvalidInput:
    """A 422 whose ``errors`` maps each field (dotted path) to its message."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or where
        errors.setdefault(name, str(error["msg"]))
    summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
    return InvalidInput(f"Invalid {where}: {summary}", errors)


async def parse_body(request: Request, model: type[M]) -> M:
    data = await read_json(request)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc, "body") from None


def parse_query(request: Request, model: type[M]) -> M:
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise invalid(exc, "query parameters") from None


def respond(data: Any, status: int = 200) -> Response:
    """``data`` (a pydantic model, or plain JSON values) as a JSON response."""
    if isinstance(data, BaseModel):
        return Response(data.model_dump_json(), status_code=status, media_type="application/json")
    return JSONResponse(data, status_code=status)


def encode_cursor(position: list[Any]) -> str:
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, shape: tuple[type, ...]) -> list[Any]:
    """The keyset position of ``cursor`` (values of the types in ``shape``); 422 on the field
    ``cursor`` for one this API did not give."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        value = None
    if (
        not isinstance(value, list)
        or len(value) != len(shape)
        or any(type(v) is not t for v, t in zip(value, shape, strict=True))
        # Ids, numbers and weights are 32-bit in the database: a forged larger one is no cursor.
        or any(type(v) is int and not -MAX_ID - 1 <= v <= MAX_ID for v in value)
    ):
        raise InvalidInput("Invalid cursor: not one this API gave.", {"cursor": "invalid cursor"})
    return value


def path_id(request: Request, name: str) -> int:
    """An integer path parameter (``{x:int}`` routes keep it within 9 digits)."""
    return int(request.path_params[name])


def validate(model: type[M], data: Any, where: str) -> M:
    """``data`` as ``model``; 422 naming each invalid field (``where`` names the whole)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc, where) from None


async def read_multipart(request: Request, parts: str) -> FormData:
    """The multipart form of an upload (files spooled to disk by Starlette); 400 naming the
    expected ``parts`` for any other content type."""
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("multipart/form-data"):
        raise BadRequest(f"Send multipart/form-data: a 'metadata' part (JSON) and {parts}.")
    return await request.form(max_files=MAX_UPLOAD_FILES + 1, max_fields=5)


def metadata_json(form: FormData) -> dict[str, Any]:
    """The JSON object of the form's ``metadata`` part (422 when missing or not an object)."""
    raw = form.get("metadata")
    if raw is None:
        raise InvalidInput("The 'metadata' part is missing.", {"metadata": "required"})
    if not isinstance(raw, str):
        raise InvalidInput("'metadata' must be a JSON text part.", {"metadata": "a JSON object"})
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise InvalidInput("'metadata' is not valid JSON.", {"metadata": "a JSON object"}) from None
    if not isinstance(data, dict):
        raise InvalidInput("'metadata' must be a JSON object.", {"metadata": "a JSON object"})
    return data
