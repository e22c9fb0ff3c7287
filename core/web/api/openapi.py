"""The OpenAPI 3.1 document, generated from the declared operations and plugin routes.

Each operation lists its permission as ``x-permission`` (an action such as
``core.units.manage``, or ``public``, ``authenticated``, ``platform``). The tenant host
documents the tenant API and the routes of the tenant's enabled plugins; the platform host
documents the platform API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Route

from core.web.api.operations import PROBLEM_ERRORS, Operation
from core.web.permissions import AUTHENTICATED, PLATFORM, PUBLIC, permission_of

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_PARAM_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` maps fields to messages on 422.",
    "type": "object",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["type", "title", "status", "detail"],
}


def openapi_document(
    operations: Iterable[Operation],
    *,
    title: str,
    version: str,
    plugin_routes: Iterable[tuple[str, BaseRoute]] = (),
) -> dict[str, Any]:
    """The document for ``operations`` plus undocumented-schema entries for plugin routes."""
    ops = list(operations)
    schemas, refs = _schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        path, params = _path(op.path)
        entry = _operation(op, params, refs, schemas)
        paths.setdefault(path, {})[op.method.lower()] = entry
    for plugin, route in plugin_routes:
        if isinstance(route, Route):
            _plugin_operation(paths, plugin, route)
    schemas["Problem"] = PROBLEM_SCHEMA
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "congvan_session"},
            },
        },
    }


def _schemas(ops: list[Operation]) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    models: list[tuple[type[BaseModel], Any]] = []
    others: list[Any] = []
    for op in ops:
        for model in (op.body, op.query):
            if model is not None and (model, "validation") not in models:
                models.append((model, "validation"))
        if _is_model(op.response):
            if (op.response, "serialization") not in models:
                models.append((op.response, "serialization"))
        elif op.response is not None and op.response not in others:
            others.append(op.response)
    mapping, top = models_json_schema(models, ref_template=REF)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    refs: dict[Any, dict[str, Any]] = dict(mapping)
    for other in others:
        schema = TypeAdapter(other).json_schema(ref_template=REF, mode="serialization")
        schemas.update(schema.pop("$defs", {}))
        refs[(other, "serialization")] = schema
    return schemas, refs


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _path(path: str) -> tuple[str, list[dict[str, Any]]]:
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": _PARAM_TYPES.get(kind or "", {"type": "string"}),
        }
        for name, kind in _PARAM.findall(path)
    ]
    return _PARAM.sub(r"{\1}", path), params


def _operation(
    op: Operation,
    params: list[dict[str, Any]],
    refs: dict[Any, dict[str, Any]],
    schemas: dict[str, Any],
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "operationId": f"{op.tag}.{op.name}",
        "summary": op.summary,
        "tags": [op.tag],
        "x-permission": op.permission,
    }
    if op.description:
        entry["description"] = op.description
    if op.query is not None:
        params = params + _query_params(schemas, refs[(op.query, "validation")])
    if params:
        entry["parameters"] = params
    if op.body is not None:
        entry["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    entry["security"] = _security(op.permission)
    responses: dict[str, Any] = {}
    if op.response is None:
        responses["204" if op.status == 200 else str(op.status)] = {"description": "No content"}
    else:
        responses[str(op.status)] = {
            "description": op.summary,
            "content": {"application/json": {"schema": refs[(op.response, "serialization")]}},
        }
    for status in _error_statuses(op):
        responses[str(status)] = {
            "description": PROBLEM_ERRORS[status],
            "content": {
                "application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}
            },
        }
    entry["responses"] = responses
    return entry


def _query_params(schemas: dict[str, Any], ref: dict[str, Any]) -> list[dict[str, Any]]:
    name = ref["$ref"].rsplit("/", 1)[-1]
    schema = schemas[name]
    required = set(schema.get("required", ()))
    params = []
    for field_name, prop in schema.get("properties", {}).items():
        param: dict[str, Any] = {
            "name": field_name,
            "in": "query",
            "required": field_name in required,
            "schema": {k: v for k, v in prop.items() if k != "description"},
        }
        if "description" in prop:
            param["description"] = prop["description"]
        params.append(param)
    return params


def _security(permission: str) -> list[dict[str, list[str]]]:
    if permission == PUBLIC:
        return []
    return [{"bearerToken": []}, {"sessionCookie": []}]


def _error_statuses(op: Operation) -> list[int]:
    statuses = []
    if op.body is not None:
        statuses.append(400)
    if op.permission != PUBLIC:
        statuses.append(401)
    if op.permission not in (PUBLIC, AUTHENTICATED, PLATFORM):
        statuses.append(403)
    statuses.append(404)
    if op.body is not None or op.query is not None:
        statuses.append(422)
    return statuses


def _plugin_operation(paths: dict[str, dict[str, Any]], plugin: str, route: Route) -> None:
    permission = permission_of(route.endpoint) or "undeclared"
    path, params = _path(route.path)
    for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
        entry: dict[str, Any] = {
            "operationId": f"{plugin}.{route.name}.{method.lower()}",
            "summary": (route.endpoint.__doc__ or route.name or path).strip().splitlines()[0],
            "tags": [plugin],
            "x-permission": permission,
            "x-plugin": plugin,
            "security": _security(permission),
            "responses": {"200": {"description": "Success"}},
        }
        if params:
            entry["parameters"] = params
        paths.setdefault(path, {})[method.lower()] = entry
