"""``@api_doc``: a plugin endpoint described for the OpenAPI document, unchanged in behaviour,
in any order with the permission decorators; the builder's entries for documented and
undocumented plugin routes; each plugin's models under its own name."""

from __future__ import annotations

import httpx
import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel, Field, create_model
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import api_doc, authenticated, public, requires
from core.web.api.openapi import openapi_document
from core.web.api.plugin_docs import api_doc_of
from core.web.permissions import permission_of

REF = "#/components/schemas/"


class Item(BaseModel):
    name: str = Field(min_length=1)


class ItemQuery(BaseModel):
    limit: int = Field(10, ge=1, le=50)
    kind: str | None = None


class Page(BaseModel):
    items: list[Item]


# The second plugin's model, named like the first plugin's ``Item``.
BetaItem = create_model("Item", title=(str, ...))


@api_doc("List items", query=ItemQuery, response=Page)
@requires("alpha.items.view")
async def list_items(request: Request) -> Response:
    """All items.

    In display order."""
    return JSONResponse({"items": []})


@requires("alpha.items.manage")
@api_doc("Create an item", body=Item, response=Item, status=201, errors=[409])
async def create_item(request: Request) -> Response:
    """Create an item (409 for a taken name)."""
    return JSONResponse({"name": "x"}, status_code=201)


@api_doc(
    "Upload an item's file",
    multipart={"metadata": Item, "file": "the file", "note": "free text"},
    files=["file"],
    response=Item,
)
@authenticated
async def upload(request: Request) -> Response:
    """Upload."""
    return JSONResponse({"name": "x"})


@api_doc("Download an item's file", response="application/pdf", description="The PDF.")
@public
async def download(request: Request) -> Response:
    return Response(b"%PDF", media_type="application/pdf")


@api_doc("Delete an item", status=204)
@requires("alpha.items.manage")
async def delete_item(request: Request) -> Response:
    return Response(status_code=204)


@authenticated
async def undocumented(request: Request) -> Response:
    """Something not described yet."""
    return JSONResponse({})


@api_doc("List the second plugin's items", response=list[BetaItem])
@authenticated
async def list_b(request: Request) -> Response:
    return JSONResponse([])


@api_doc("The second plugin's list too", response=list[BetaItem])
@authenticated
async def list_items_b(request: Request) -> Response:
    return JSONResponse([])


ROUTES = [
    ("alpha", Route("/api/v1/alpha/items", list_items, methods=["GET"])),
    ("alpha", Route("/api/v1/alpha/items", create_item, methods=["POST"])),
    ("alpha", Route("/api/v1/alpha/items/{item_id:int}/file", upload, methods=["POST"])),
    ("alpha", Route("/api/v1/alpha/items/{item_id:int}/file", download, methods=["GET"])),
    ("alpha", Route("/api/v1/alpha/items/{item_id:int}", delete_item, methods=["DELETE"])),
    ("alpha", Route("/api/v1/alpha/other/{code}", undocumented, methods=["GET", "POST"])),
    ("beta", Route("/api/v1/beta/items", list_b, methods=["GET"])),
    # the same endpoint name as alpha's: the operation ids must still differ
    ("beta", Route("/api/v1/beta/items/all", list_items_b, methods=["GET"], name="list_items")),
]


@pytest.fixture(scope="module")
def doc() -> dict:
    return openapi_document([], title="t", version="1", plugin_routes=ROUTES)


def test_api_doc_keeps_the_permission_in_either_order_and_the_behaviour():
    for endpoint, action in [(list_items, "alpha.items.view"), (create_item, "alpha.items.manage")]:
        assert permission_of(endpoint) == action
        assert api_doc_of(endpoint) is not None
    assert api_doc_of(list_items).summary == "List items"
    assert api_doc_of(create_item).status == 201
    assert api_doc_of(undocumented) is None
    assert permission_of(download) == "public"


async def test_a_documented_endpoint_answers_as_before():
    app = Starlette(routes=[Route("/d", download), Route("/x", delete_item, methods=["DELETE"])])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        answer = await c.get("/d")
        assert (answer.status_code, answer.content) == (200, b"%PDF")
        # requires() still guards the call: no actor in context → not signed in.
        with pytest.raises(Exception, match="Sign in"):
            await c.delete("/x")


def test_files_must_name_multipart_fields():
    with pytest.raises(TypeError, match="'file'"):
        api_doc("x", multipart={"text": "t"}, files=["file"])


def test_the_document_validates(doc):
    validate(doc)


def test_a_documented_route_has_parameters_body_response_and_problems(doc):
    listing = doc["paths"]["/api/v1/alpha/items"]["get"]
    assert listing["summary"] == "List items"
    assert listing["description"] == "All items.\n\nIn display order."
    assert listing["tags"] == ["alpha"]
    assert listing["x-permission"] == "alpha.items.view"
    assert [p["name"] for p in listing["parameters"]] == ["limit", "kind"]
    limit = listing["parameters"][0]
    assert (limit["in"], limit["required"], limit["schema"]["maximum"]) == ("query", False, 50)
    ok = listing["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": REF + "alpha.Page"}
    assert set(listing["responses"]) == {"200", "401", "403", "404", "422"}
    problem = listing["responses"]["403"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": REF + "Problem"}

    create = doc["paths"]["/api/v1/alpha/items"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": REF + "alpha.Item"}
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == body
    assert set(create["responses"]) == {"201", "400", "401", "403", "404", "409", "422"}
    assert "Conflict" in create["responses"]["409"]["description"]


def test_multipart_bodies_binary_answers_and_no_content(doc):
    file_path = doc["paths"]["/api/v1/alpha/items/{item_id}/file"]
    upload_op = file_path["post"]
    assert upload_op["parameters"] == [
        {"name": "item_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    media = upload_op["requestBody"]["content"]["multipart/form-data"]
    props = media["schema"]["properties"]
    assert props["file"] == {"type": "string", "format": "binary", "description": "the file"}
    assert props["note"] == {"type": "string", "description": "free text"}
    assert props["metadata"]["$ref"] == REF + "alpha.Item"
    assert media["encoding"] == {"metadata": {"contentType": "application/json"}}
    assert media["schema"]["required"] == ["metadata"]
    # authenticated: 401 but no 403 (no action to lack)
    assert "403" not in upload_op["responses"] and "401" in upload_op["responses"]

    down = file_path["get"]
    assert down["description"] == "The PDF."
    assert down["security"] == []
    assert down["responses"]["200"]["content"] == {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}
    }
    assert set(down["responses"]) == {"200", "404"}

    delete = doc["paths"]["/api/v1/alpha/items/{item_id}"]["delete"]
    assert delete["responses"]["204"] == {"description": "No content"}
    assert "requestBody" not in delete


def test_an_undocumented_route_keeps_its_short_entry(doc):
    other = doc["paths"]["/api/v1/alpha/other/{code}"]
    assert set(other) == {"get", "post"}
    assert other["get"]["summary"] == "Something not described yet."
    assert other["get"]["responses"] == {"200": {"description": "Success"}}
    assert other["get"]["parameters"][0]["schema"] == {"type": "string"}
    assert other["get"]["x-permission"] == "authenticated"


def test_each_plugin_has_its_own_model_names(doc):
    schemas = doc["components"]["schemas"]
    assert set(schemas["alpha.Item"]["properties"]) == {"name"}
    assert set(schemas["beta.Item"]["properties"]) == {"title"}
    listing = doc["paths"]["/api/v1/beta/items"]["get"]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": REF + "beta.Item"},
    }
    ids = [op["operationId"] for methods in doc["paths"].values() for op in methods.values()]
    assert len(ids) == len(set(ids))
    assert "Item" not in schemas


async def test_a_tenant_without_a_plugin_gets_a_valid_document_without_it(anon):
    """alpha of the core fixtures enables only the example plugin."""
    doc = (await anon.get("/api/v1/openapi.json")).json()
    validate(doc)
    assert not [p for p in doc["paths"] if p.startswith("/api/v1/registry")]
    assert not [name for name in doc["components"]["schemas"] if name.startswith("registry.")]
    assert "/api/v1/example/notes" in doc["paths"]
