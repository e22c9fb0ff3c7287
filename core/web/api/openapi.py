"""The OpenAPI 3.1 document, generated from the declared operations and plugin routes.

Each operation lists its permission as ``x-permission`` (an action such as
``core.units.manage``, or ``public``, ``authenticated``, ``platform``). The tenant host
documents the tenant API and the routes of the tenant's enabled plugins; the platform host
documents the platform API.

A plugin route described with ``@api_doc`` gets the same kind of entry as a core operation
(parameters, body and response schemas, problem responses); its models go to the components
under the plugin's name (``registry.RegistryOut``), so two plugins' models never clash. A
plugin route without ``@api_doc`` is listed with its permission and summary only.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Route

from core.web.api.operations import PROBLEM_ERRORS, Operation
from core.web.api.plugin_docs import ApiDoc, api_doc_of
from core.web.permissions import AUTHENTICATED, PLATFORM, PUBLIC, permission_of

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
_PARAM_TYPES = {"int": {"type": "integer"}, "float": {"type": "number"}}
_MORE_ERRORS = {
    409: "Conflict with the object's current state; the problem's detail says which",
    413: "The body or one of its files is too large",
}

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
    """The document for ``operations`` and ``plugin_routes`` (``(plugin name, route)``)."""
    ops = list(operations)
    schemas, refs = _schemas(ops)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        path, params = _path(op.path)
        entry = _operation(op, params, refs, schemas)
        paths.setdefault(path, {})[op.method.lower()] = entry
    by_plugin: dict[str, list[Route]] = {}
    for plugin, route in plugin_routes:
        if isinstance(route, Route):
            by_plugin.setdefault(plugin, []).append(route)
    used_ids = {entry["operationId"] for methods in paths.values() for entry in methods.values()}
    for plugin, routes in by_plugin.items():
        docs = [doc for doc in map(api_doc_of, (r.endpoint for r in routes)) if doc is not None]
        plugin_refs = _plugin_schemas(plugin, docs, schemas)
        for route in routes:
            _plugin_operation(paths, plugin, route, plugin_refs, schemas, used_ids)
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
    return _schema_set(((op.body, op.query), op.response) for op in ops)


def _schema_set(
    contracts: Iterable[tuple[Iterable[Any], Any]],
) -> tuple[dict[str, Any], dict[Any, dict[str, Any]]]:
    """The schemas of ``(input models, response)`` pairs: inputs in validation mode, the
    response (a model or another type pydantic describes; a media type string or ``None`` has
    none) in serialization mode. Returns the component schemas by name and the refs by
    ``(model or type, mode)``."""
    models: list[tuple[type[BaseModel], Any]] = []
    others: list[Any] = []
    for inputs, response in contracts:
        for model in inputs:
            if model is not None and (model, "validation") not in models:
                models.append((model, "validation"))
        if _is_model(response):
            if (response, "serialization") not in models:
                models.append((response, "serialization"))
        elif response is not None and not isinstance(response, str) and response not in others:
            others.append(response)
    mapping, top = models_json_schema(models, ref_template=REF) if models else ({}, {})
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
    entry.update(_contract(op, op.permission, op.description, params, refs, schemas))
    return entry


def _contract(
    doc: Operation | ApiDoc,
    permission: str,
    description: str | None,
    params: list[dict[str, Any]],
    refs: dict[Any, dict[str, Any]],
    schemas: dict[str, Any],
) -> dict[str, Any]:
    """What a core operation or a plugin route's ``@api_doc`` describes: summary,
    description, parameters, body, security and responses."""
    entry: dict[str, Any] = {"summary": doc.summary}
    if description:
        entry["description"] = description
    if doc.query is not None:
        params = params + _query_params(schemas, refs[(doc.query, "validation")])
    if params:
        entry["parameters"] = params
    body: dict[str, Any] = {}
    if doc.body is not None:
        body["application/json"] = {"schema": refs[(doc.body, "validation")]}
    if isinstance(doc, ApiDoc) and doc.multipart is not None:
        body["multipart/form-data"] = _multipart(doc, refs)
    if body:
        entry["requestBody"] = {"required": True, "content": body}
    entry["security"] = _security(permission)
    content: dict[str, Any] | None = None
    if isinstance(doc.response, str):
        content = {doc.response: {"schema": {"type": "string", "format": "binary"}}}
    elif doc.response is not None:
        content = {"application/json": {"schema": refs[(doc.response, "serialization")]}}
    extra = doc.errors if isinstance(doc, ApiDoc) else ()
    errors = _error_statuses(permission, body=bool(body), query=doc.query is not None, extra=extra)
    entry["responses"] = _responses(doc.summary, doc.status, content, errors)
    return entry


def _responses(
    summary: str, status: int, content: dict[str, Any] | None, errors: Iterable[int]
) -> dict[str, Any]:
    """The success response (``content`` ``None``: no content, 204 unless ``status`` says
    otherwise) and a problem+json response for each of ``errors``."""
    responses: dict[str, Any] = {}
    if content is None:
        responses["204" if status == 200 else str(status)] = {"description": "No content"}
    else:
        responses[str(status)] = {"description": summary, "content": content}
    for error in errors:
        described = PROBLEM_ERRORS.get(error) or _MORE_ERRORS.get(error)
        responses[str(error)] = {
            "description": described or HTTPStatus(error).phrase,
            "content": {
                "application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}
            },
        }
    return responses


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


def _error_statuses(
    permission: str, *, body: bool, query: bool, extra: Iterable[int] = ()
) -> list[int]:
    """The problem statuses an operation may answer: ``extra`` and the ones its input and
    permission imply."""
    statuses = set(extra)
    if body:
        statuses.add(400)
    if permission != PUBLIC:
        statuses.add(401)
    if permission not in (PUBLIC, AUTHENTICATED, PLATFORM):
        statuses.add(403)
    statuses.add(404)
    if body or query:
        statuses.add(422)
    return sorted(statuses)


def _plugin_schemas(
    plugin: str, docs: list[ApiDoc], schemas: dict[str, Any]
) -> dict[Any, dict[str, Any]]:
    """Add the schemas of ``docs`` to ``schemas`` as ``<plugin>.<Name>``; their refs by
    ``(model or type, mode)``."""
    local, refs = _schema_set(
        ((doc.body, doc.query, *_json_parts(doc)), doc.response) for doc in docs
    )
    names = {name: f"{plugin}.{name}" for name in local}
    schemas.update({names[name]: _renamed(schema, names) for name, schema in local.items()})
    return {key: _renamed(ref, names) for key, ref in refs.items()}


def _json_parts(doc: ApiDoc) -> list[type[BaseModel]]:
    """The models of the JSON text parts of ``doc``'s multipart body."""
    return [part for part in (doc.multipart or {}).values() if not isinstance(part, str)]


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """``node`` with every ``$ref`` to a component in ``names`` pointing at its new name."""
    if isinstance(node, dict):
        out = {key: _renamed(value, names) for key, value in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF.format(model="")):
            name = ref.rsplit("/", 1)[-1]
            out["$ref"] = REF.format(model=names.get(name, name))
        return out
    if isinstance(node, list):
        return [_renamed(item, names) for item in node]
    return node


def _plugin_operation(
    paths: dict[str, dict[str, Any]],
    plugin: str,
    route: Route,
    refs: dict[Any, dict[str, Any]],
    schemas: dict[str, Any],
    used_ids: set[str],
) -> None:
    permission = permission_of(route.endpoint) or "undeclared"
    doc = api_doc_of(route.endpoint)
    path, params = _path(route.path)
    docstring = inspect.cleandoc(route.endpoint.__doc__ or "")
    for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
        operation_id = f"{plugin}.{route.name}.{method.lower()}"
        while operation_id in used_ids:  # two plugin modules may name endpoints alike
            operation_id += "_"
        used_ids.add(operation_id)
        entry: dict[str, Any] = {
            "operationId": operation_id,
            "summary": (docstring or route.name or path).splitlines()[0],
            "tags": [plugin],
            "x-permission": permission,
            "x-plugin": plugin,
        }
        if doc is None:
            entry["security"] = _security(permission)
            entry["responses"] = {"200": {"description": "Success"}}
            if params:
                entry["parameters"] = params
        else:
            description = doc.description if doc.description is not None else docstring
            entry.update(_contract(doc, permission, description, params, refs, schemas))
        paths.setdefault(path, {})[method.lower()] = entry


def _multipart(doc: ApiDoc, refs: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    encoding: dict[str, Any] = {}
    required: list[str] = []
    for name, part in (doc.multipart or {}).items():
        if isinstance(part, str):
            kind = {"type": "string", "format": "binary"} if name in doc.files else {}
            properties[name] = {"type": "string", **kind, "description": part}
        else:
            properties[name] = {
                **refs[(part, "validation")],
                "description": f"A JSON text part ({part.__name__})",
            }
            encoding[name] = {"contentType": "application/json"}
            required.append(name)  # the JSON part carries the required values
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    media: dict[str, Any] = {"schema": schema}
    if encoding:
        media["encoding"] = encoding
    return media
