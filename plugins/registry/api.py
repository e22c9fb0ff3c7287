"""JSON plumbing of the plugin's endpoints: bodies and query strings into pydantic models,
results into JSON, keyset cursors.

The core's declared-operation router (``ApiRouter``) is not part of the public ``core`` API, so
the plugin's endpoints are plain Starlette routes that follow the same conventions: bad JSON
→ 400, a body over 1 MiB → 413, invalid values and unknown query parameters → 422 with
``errors`` mapping each field to its message; every error is problem+json through the core's
error classes.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core import BadRequest, InvalidInput, PayloadTooLarge

M = TypeVar("M", bound=BaseModel)
MAX_JSON_BYTES = 1024 * 1024
MAX_ID = 2_147_483_647


def _invalid(exc: ValidationError, where: str) -> InvalidInput:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or where
        errors.setdefault(name, str(error["msg"]))
    summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
    return InvalidInput(f"Invalid {where}: {summary}", errors)


async def read_json(request: Request) -> Any:
    """The JSON body (``{}`` when empty)."""
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"A JSON body may be at most {MAX_JSON_BYTES} bytes.")
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "application/json")
    content_type = content_type.split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise BadRequest(f"Send the body as application/json, not {content_type!r}.")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise BadRequest("The request body is not UTF-8 encoded JSON.") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(
            f"The request body is not valid JSON: {exc.msg} at line {exc.lineno} "
            f"column {exc.colno}."
        ) from None
    except RecursionError:
        raise BadRequest("The request body nests JSON too deeply.") from None


async def parse_body(request: Request, model: type[M]) -> M:
    data = await read_json(request)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, "body") from None


def parse_query(request: Request, model: type[M]) -> M:
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise _invalid(exc, "query parameters") from None


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
    ):
        raise InvalidInput("Invalid cursor: not one this API gave.", {"cursor": "invalid cursor"})
    return value


def path_id(request: Request, name: str) -> int:
    """An integer path parameter (``{x:int}`` routes keep it within 9 digits)."""
    return int(request.path_params[name])
