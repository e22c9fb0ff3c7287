"""Declared JSON operations: method, path, models and permission in one decorator.

``ApiRouter.get/post/patch/delete`` turn a handler ``async def f(request, *, body, query,
**path_params)`` into a Starlette endpoint that checks the host side (tenant or platform: the
wrong side answers 404), then the declared permission, then parses the query and the JSON body
into the declared pydantic models (bad JSON → 400, invalid values → 422 with ``errors``), and
renders what the handler returns. The same records feed the OpenAPI document.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.errors import BadRequest, InvalidInput, NotFound, PayloadTooLarge
from core.web.permissions import PERMISSION_ATTR, permission_of

Side = Literal["tenant", "platform", "any"]
H = TypeVar("H", bound=Callable[..., Awaitable[Any]])
Guard = Callable[[Any], Any]

API_PREFIX = "/api/v1"
MAX_JSON_BYTES = 1024 * 1024
JSON = "application/json"
PROBLEM_ERRORS = {
    400: "Malformed request (bad JSON)",
    401: "Not signed in, or the token is unknown or expired",
    403: "The actor lacks the permission named in the problem",
    404: "No such object in this tenant",
    422: "Invalid input; `errors` maps each field to its message",
}


@dataclass(frozen=True)
class Operation:
    """One declared API operation, as the router and the OpenAPI document see it."""

    method: str
    path: str
    name: str
    summary: str
    description: str
    tag: str
    side: Side
    permission: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    endpoint: Callable[[Request], Awaitable[Response]] = field(repr=False)


class ApiRouter:
    """The operations of one API area (a tag in the OpenAPI document)."""

    def __init__(self, tag: str, *, side: Side = "tenant") -> None:
        self.tag = tag
        self.side = side
        self.operations: list[Operation] = []

    def get(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.operation("GET", path, **options)

    def post(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.operation("POST", path, **options)

    def patch(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.operation("PATCH", path, **options)

    def delete(self, path: str, **options: Any) -> Callable[[H], H]:
        return self.operation("DELETE", path, **options)

    def operation(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        permission: Guard,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        side: Side | None = None,
    ) -> Callable[[H], H]:
        """Declare ``handler`` as ``method path``; ``permission`` is ``requires(…)``, ``public``…"""

        def decorate(handler: H) -> H:
            op_side = side or self.side
            guarded = permission(_parsing(handler, body, query, response, status))
            declared = permission_of(guarded)
            if declared is None:
                raise TypeError(f"{method} {path}: permission= must be a permission decorator")
            full_path = API_PREFIX + path

            async def endpoint(request: Request) -> Response:
                if not _on_side(request, op_side):
                    raise NotFound(f"No endpoint at {method} {request.url.path} on this host.")
                response_obj: Response = await guarded(request)
                return response_obj

            endpoint.__name__ = handler.__name__
            endpoint.__doc__ = handler.__doc__
            setattr(endpoint, PERMISSION_ATTR, declared)
            self.operations.append(
                Operation(
                    method=method,
                    path=full_path,
                    name=handler.__name__,
                    summary=summary,
                    description=(handler.__doc__ or "").strip(),
                    tag=self.tag,
                    side=op_side,
                    permission=declared,
                    body=body,
                    query=query,
                    response=response,
                    status=status,
                    endpoint=endpoint,
                )
            )
            return handler

        return decorate

    def routes(self) -> list[Route]:
        return [
            Route(op.path, op.endpoint, methods=[op.method], name=f"api-{op.tag}-{op.name}")
            for op in self.operations
        ]


def _on_side(request: Request, side: Side) -> bool:
    if side == "any":
        return True
    platform = bool(request.scope.get("congvan.platform"))
    return platform if side == "platform" else not platform


def _parsing(
    handler: Callable[..., Awaitable[Any]],
    body: type[BaseModel] | None,
    query: type[BaseModel] | None,
    response: Any,
    status: int,
) -> Callable[[Request], Awaitable[Response]]:
    async def inner(request: Request) -> Response:
        kwargs: dict[str, Any] = dict(request.path_params)
        if query is not None:
            kwargs["query"] = parse_query(request, query)
        if body is not None:
            kwargs["body"] = await parse_body(request, body)
        result = await handler(request, **kwargs)
        return render(result, status, response)

    inner.__name__ = handler.__name__
    return inner


def parse_query(request: Request, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise invalid(exc, "query parameters") from None


async def read_json(request: Request) -> Any:
    """The JSON body (``{}`` when empty); 400 for malformed JSON, 413 above 1 MiB."""
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise PayloadTooLarge(
            f"A JSON body may be at most {MAX_JSON_BYTES} bytes; this one is {len(raw)}."
        )
    content_type = request.headers.get("content-type", JSON).split(";")[0].strip().lower()
    if raw.strip() and content_type != JSON and not content_type.endswith("+json"):
        raise BadRequest(f"Send the body as application/json, not {content_type!r}.")
    if not raw.strip():
        return {}
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


async def parse_body(request: Request, model: type[BaseModel]) -> BaseModel:
    data = await read_json(request)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc, "body") from None


def invalid(exc: ValidationError, where: str) -> InvalidInput:
    """A 422 whose ``errors`` maps each field (dotted path) to its message."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = ".".join(str(part) for part in error["loc"]) or where
        errors.setdefault(name, str(error["msg"]))
    summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
    return InvalidInput(f"Invalid {where}: {summary}", errors)


_adapters: dict[Any, TypeAdapter[Any]] = {}


def render(result: Any, status: int, declared: Any) -> Response:
    """A handler's result as a response: models and lists as JSON, ``None`` as 204."""
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status_code=204 if status == 200 else status)
    if isinstance(result, BaseModel):
        content = result.model_dump_json().encode()
    else:
        adapter = _adapters.get(declared)
        if adapter is None:
            adapter = _adapters[declared] = TypeAdapter(declared if declared else Any)
        content = adapter.dump_json(result)
    return Response(content, status_code=status, media_type=JSON)
