"""The API operation decorator, on a tiny app built inline (no database)."""

from __future__ import annotations

import logging

import httpx
import pytest
from pydantic import BaseModel, ConfigDict, Field
from starlette.applications import Starlette
from starlette.middleware import Middleware

from core.web.api.openapi import openapi_document
from core.web.api.operations import ApiRouter
from core.web.api.pagination import Page, PageQuery
from core.web.middleware.errors import ErrorMiddleware
from core.web.permissions import authenticated, public


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=20)
    pages: int = Field(1, ge=1)


class NoteOut(BaseModel):
    id: int
    title: str


router = ApiRouter("notes")


@router.post(
    "/notes", summary="Create", permission=public, body=NoteIn, response=NoteOut, status=201
)
async def create(request, body: NoteIn) -> NoteOut:
    return NoteOut(id=1, title=body.title)


@router.get("/notes", summary="List", permission=public, query=PageQuery, response=Page[NoteOut])
async def listing(request, query: PageQuery) -> Page[NoteOut]:
    return Page[NoteOut](items=[NoteOut(id=1, title="a")][: query.limit])


@router.delete("/notes/{note_id:int}", summary="Delete", permission=authenticated, status=204)
async def delete(request, note_id: int) -> None:
    return None


@router.get("/boom", summary="Fails", permission=public)
async def boom(request) -> None:
    raise RuntimeError("secret connection string postgres://user:pw@db")


@router.get("/console", summary="Platform only", permission=public, side="platform")
async def console(request) -> dict[str, str]:
    return {"side": "platform"}


def tiny_app() -> Starlette:
    return Starlette(routes=router.routes(), middleware=[Middleware(ErrorMiddleware)])


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=tiny_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t.localhost") as c:
        yield c


async def test_a_valid_body_is_parsed_and_the_model_rendered(client):
    response = await client.post("/api/v1/notes", json={"title": "Công văn"})
    assert response.status_code == 201
    assert response.json() == {"id": 1, "title": "Công văn"}


async def test_malformed_json_is_a_400_problem(client):
    response = await client.post(
        "/api/v1/notes", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("The request body is not valid JSON")


async def test_a_non_json_body_is_refused(client):
    response = await client.post("/api/v1/notes", data={"title": "x"})
    assert response.status_code == 400
    assert "application/json" in response.json()["detail"]


async def test_invalid_values_are_a_422_naming_each_field(client):
    response = await client.post("/api/v1/notes", json={"title": "", "pages": 0, "extra": 1})
    assert response.status_code == 422
    problem = response.json()
    assert set(problem["errors"]) == {"title", "pages", "extra"}
    assert "title" in problem["detail"]
    assert problem["type"].endswith("/invalid-input")


async def test_a_json_array_instead_of_an_object_is_a_422(client):
    response = await client.post("/api/v1/notes", json=["title"])
    assert response.status_code == 422
    assert "body" in response.json()["errors"]


async def test_query_parameters_are_validated(client):
    response = await client.get("/api/v1/notes", params={"limit": "0", "sort": "x"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"limit", "sort"}
    ok = await client.get("/api/v1/notes", params={"limit": "1"})
    assert ok.json() == {"items": [{"id": 1, "title": "a"}], "next_cursor": None}


async def test_anonymous_call_to_an_authenticated_operation_is_401(client):
    response = await client.delete("/api/v1/notes/3")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_unexpected_error_is_a_500_without_internals(client, caplog):
    with caplog.at_level(logging.ERROR, logger="congvan.web"):
        response = await client.get("/api/v1/boom")
    assert response.status_code == 500
    problem = response.json()
    assert "postgres" not in response.text
    assert problem["reference"] in problem["detail"]
    assert any(problem["reference"] in r.getMessage() for r in caplog.records)
    assert any(r.exc_info for r in caplog.records)


async def test_platform_operations_are_404_on_a_tenant_host(client):
    response = await client.get("/api/v1/console")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_a_handler_without_a_permission_decorator_is_refused():
    bad = ApiRouter("bad")
    with pytest.raises(TypeError, match="permission"):

        @bad.get("/x", summary="x", permission=lambda fn: fn)
        async def handler(request) -> None: ...


def test_the_openapi_document_lists_models_and_permissions():
    doc = openapi_document(router.operations, title="t", version="1")
    assert doc["openapi"].startswith("3.1")
    create_op = doc["paths"]["/api/v1/notes"]["post"]
    assert create_op["x-permission"] == "public"
    assert create_op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/NoteIn"
    }
    assert "201" in create_op["responses"]
    assert "422" in create_op["responses"]
    delete_op = doc["paths"]["/api/v1/notes/{note_id}"]["delete"]
    assert delete_op["x-permission"] == "authenticated"
    assert delete_op["parameters"][0] == {
        "name": "note_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    assert "204" in delete_op["responses"]
    listing_op = doc["paths"]["/api/v1/notes"]["get"]
    assert {p["name"] for p in listing_op["parameters"]} == {"cursor", "limit"}
    schemas = doc["components"]["schemas"]
    assert {"NoteIn", "NoteOut", "Problem"} <= set(schemas)
    assert any(name.startswith("Page") for name in schemas)
