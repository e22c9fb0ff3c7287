"""The registry's JSON API in the OpenAPI document: every ``/api/v1/registry/`` route carries
``@api_doc``; the document validates and shows the request and response schemas; a tenant
without the plugin does not list it; and the real answers of every flow match the documented
response models (which refuse unknown fields, so JSON and documentation cannot drift)."""

from __future__ import annotations

import json

import httpx
import pytest
from incoming_support import PDF, blobs, metadata_json  # noqa: F401 (fixture)
from openapi_spec_validator import validate
from pydantic import TypeAdapter
from starlette.routing import BaseRoute, Mount, Route

from core.web.api.plugin_docs import ApiDoc, api_doc_of
from plugins.registry.routes import routes as registry_routes

BASE = "/api/v1/registry"
REF = "#/components/schemas/registry."


def api_routes(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, Route]]:
    """``(full path, route)`` of every route under ``/api/v1/registry/``, through mounts."""
    found: list[tuple[str, Route]] = []
    for route in routes:
        if isinstance(route, Mount):
            found += api_routes(list(route.routes), prefix + route.path)
        elif isinstance(route, Route) and (prefix + route.path).startswith(BASE + "/"):
            found.append((prefix + route.path, route))
    return found


def describe(path: str, route: Route) -> str:
    endpoint = route.endpoint
    methods = ",".join(sorted((route.methods or {"GET"}) - {"HEAD"}))
    where = f"{endpoint.__module__}.{getattr(endpoint, '__qualname__', endpoint)}"
    return f"{methods} {path} ({where})"


def test_every_registry_api_route_is_documented_with_api_doc():
    routes = api_routes(registry_routes)
    assert len(routes) >= 24  # the routes of this plugin's first flows, at least
    missing = [
        describe(path, route) for path, route in routes if api_doc_of(route.endpoint) is None
    ]
    assert not missing, (
        "These registry API routes lack @api_doc(...) (from core import api_doc; put it above "
        "or below the permission decorator, see docs/api.md):\n  " + "\n  ".join(missing)
    )


def documented(method: str, path: str) -> ApiDoc:
    """The ``@api_doc`` of ``method path`` (``path`` as routes.py spells it)."""
    for full, route in api_routes(registry_routes):
        if full == path and method in (route.methods or ()):
            doc = api_doc_of(route.endpoint)
            assert doc is not None
            return doc
    raise AssertionError(f"no route {method} {path}")


def conforms(response: httpx.Response, method: str, path: str) -> dict:
    """Assert ``response`` is the documented success: its status and, for JSON, its model."""
    doc = documented(method, path)
    assert response.status_code == doc.status, response.text
    if isinstance(doc.response, str) or doc.response is None:
        return {}
    data = response.json()
    TypeAdapter(doc.response).validate_json(response.content)
    return data


@pytest.fixture
async def document(api) -> dict:
    return (await api.get("/api/v1/openapi.json")).json()


async def test_the_document_validates_and_shows_the_registry_schemas(document):
    validate(document)
    paths, schemas = document["paths"], document["components"]["schemas"]

    create = paths[f"{BASE}/registries"]["post"]
    assert create["tags"] == ["registry"]
    assert create["x-permission"] == "registry.registries.manage"
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": REF + "RegistryCreate"}
    assert {"unit_id", "direction", "name"} <= set(schemas["registry.RegistryCreate"]["required"])
    ok = create["responses"]["201"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": REF + "RegistryOut"}
    assert {"201", "400", "401", "403", "404", "409", "422"} == set(create["responses"])

    listing = paths[f"{BASE}/registries"]["get"]
    names = [p["name"] for p in listing["parameters"]]
    assert names == ["limit", "cursor", "unit_id", "direction", "include_inactive"]
    page = schemas["registry.RegistryPageOut"]["properties"]
    assert page["items"]["items"] == {"$ref": REF + "RegistryOut"}

    one = paths[f"{BASE}/registries/{{registry_id}}"]
    assert one["get"]["parameters"][0]["schema"] == {"type": "integer"}
    assert one["delete"]["responses"]["204"] == {"description": "No content"}
    assert one["patch"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "RegistryPatch"
    }

    reserve = paths[f"{BASE}/registries/{{registry_id}}/reservations"]["post"]
    assert reserve["x-permission"] == "registry.numbers.reserve"
    assert reserve["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "NumberOut"
    }

    receive = paths[f"{BASE}/incoming"]["post"]
    media = receive["requestBody"]["content"]["multipart/form-data"]
    parts = media["schema"]["properties"]
    assert parts["metadata"]["$ref"] == REF + "IncomingCreate"
    assert parts["main"]["format"] == parts["attachments"]["format"] == "binary"
    assert media["encoding"]["metadata"] == {"contentType": "application/json"}
    assert receive["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "IncomingResultOut"
    }
    assert "409" in receive["responses"] and "413" in receive["responses"]

    download = paths[f"{BASE}/incoming/{{document_id}}/files/{{file_id}}"]["get"]
    assert download["responses"]["200"]["content"] == {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
    }
    assert [p["name"] for p in download["parameters"]] == ["document_id", "file_id"]

    opinion = paths[f"{BASE}/assignments/{{assignment_id}}/opinions"]["post"]["requestBody"]
    assert set(opinion["content"]) == {"application/json", "multipart/form-data"}
    assert opinion["content"]["multipart/form-data"]["schema"]["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "an optional attached file",
    }
    inbox = paths[f"{BASE}/inbox"]["get"]
    assert inbox["x-permission"] == "authenticated"
    assert inbox["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": REF + "InboxOut"
    }


async def test_every_registry_api_operation_in_the_document_has_schemas(document):
    """No registry API entry is left as the short, schema-less entry of undocumented routes."""
    for path, methods in document["paths"].items():
        if not path.startswith(BASE + "/"):
            continue
        for method, op in methods.items():
            where = f"{method.upper()} {path}"
            assert op["x-plugin"] == "registry", where
            responses = op["responses"]
            assert "404" in responses, where
            success = [code for code in responses if code.startswith("2")]
            assert len(success) == 1, where
            if success != ["204"]:
                assert responses[success[0]].get("content"), where


async def test_a_tenant_without_the_registry_does_not_list_it(api, other_api, document):
    assert any(p.startswith(BASE) for p in document["paths"])
    r = await other_api.patch("/api/v1/plugins/registry", json={"enabled": False})
    assert r.status_code == 200, r.text
    beta = (await other_api.get("/api/v1/openapi.json")).json()
    validate(beta)
    assert not [p for p in beta["paths"] if p.startswith(BASE)]
    assert not [n for n in beta["components"]["schemas"] if n.startswith("registry.")]
    # alpha still has it (documents are cached per set of enabled plugins)
    again = (await api.get("/api/v1/openapi.json")).json()
    assert f"{BASE}/registries" in again["paths"]


# ------------------------------------------------------------------ real answers vs documents


@pytest.fixture
async def people(app, tenant, tree, account, client):
    """hung leads UBND (and its clerk work); lan (VP) and tu (VX) are specialists."""
    made = {}
    for name, role, unit, below in [
        ("hung", "leader", tree.ubnd, True),
        ("clerk", "clerk", tree.ubnd, True),
        ("lan", "specialist", tree.vp, False),
        ("tu", "specialist", tree.vx, False),
    ]:
        person = await account(tenant, name, role=role, unit_id=unit, descendants=below)
        c = client(app, "alpha.localhost", person.token)
        c.user_id = person.user_id
        made[name] = c
    yield made
    for c in made.values():
        await c.aclose()


async def test_reference_registries_and_numbers_answer_as_documented(any_db, api, people, tree):
    kinds = f"{BASE}/reference/{{kind}}"
    r = await api.get(f"{BASE}/reference/urgency-levels")
    assert conforms(r, "GET", kinds)["items"]
    r = await api.post(
        f"{BASE}/reference/document-types",
        json={"code": "rieng", "name": "Riêng", "abbreviation": "R"},
    )
    conforms(r, "POST", kinds)
    r = await api.patch(f"{BASE}/reference/document-types/rieng", json={"sort_order": 5})
    conforms(r, "PATCH", f"{kinds}/{{code}}")

    r = await api.post(
        f"{BASE}/registries",
        json={"unit_id": tree.ubnd, "direction": "outgoing", "name": "Sổ văn bản đi"},
    )
    registry = conforms(r, "POST", f"{BASE}/registries")
    one = f"{BASE}/registries/{{registry_id:int}}"
    url = f"{BASE}/registries/{registry['id']}"
    conforms(await api.get(f"{BASE}/registries", params={"limit": 1}), "GET", f"{BASE}/registries")
    conforms(await api.get(url), "GET", one)
    conforms(await api.patch(url, json={"description": "Mô tả"}), "PATCH", one)

    clerk = people["clerk"]
    r = await clerk.post(f"{url}/reservations", json={"document_type": "quyet_dinh"})
    held = conforms(r, "POST", f"{one}/reservations")
    r = await clerk.post(f"{BASE}/reservations/{held['id']}/release", json={"reason": "Hủy"})
    conforms(r, "POST", f"{BASE}/reservations/{{number_id:int}}/release")
    r = await clerk.post(
        f"{url}/numbers", json={"document_type": "cong_van", "drafting_unit_id": tree.vx}
    )
    conforms(r, "POST", f"{one}/numbers")
    r = await clerk.get(f"{url}/numbers", params={"limit": 1})
    page = conforms(r, "GET", f"{one}/numbers")
    assert page["next_cursor"] is not None

    r = await api.post(
        f"{BASE}/registries", json={"unit_id": tree.vp, "direction": "internal", "name": "Nội bộ"}
    )
    spare = conforms(r, "POST", f"{BASE}/registries")
    conforms(await api.delete(f"{BASE}/registries/{spare['id']}"), "DELETE", one)


async def test_the_incoming_flow_answers_as_documented(any_db, api, people, tree, blobs):  # noqa: F811
    r = await api.post(
        f"{BASE}/registries",
        json={"unit_id": tree.ubnd, "direction": "incoming", "name": "Sổ văn bản đến"},
    )
    registry_id = r.json()["id"]
    clerk, hung, lan, tu = people["clerk"], people["hung"], people["lan"], people["tu"]
    parts = [("main", ("Công văn 15.pdf", PDF, "application/pdf"))]

    def metadata(**more):
        return {"metadata": json.dumps({"registry_id": registry_id, **metadata_json(**more)})}

    r = await clerk.post(f"{BASE}/incoming", data=metadata(), files=parts)
    document = conforms(r, "POST", f"{BASE}/incoming")
    r = await clerk.post(
        f"{BASE}/incoming/refusals",
        data=metadata(code_number="99", reason="Sai nơi nhận"),
        files=parts,
    )
    conforms(r, "POST", f"{BASE}/incoming/refusals")
    conforms(await clerk.get(f"{BASE}/incoming"), "GET", f"{BASE}/incoming")
    one = f"{BASE}/incoming/{{document_id:int}}"
    detail = conforms(await clerk.get(f"{BASE}/incoming/{document['id']}"), "GET", one)
    file_id = detail["files"][0]["id"]
    r = await clerk.get(f"{BASE}/incoming/{document['id']}/files/{file_id}")
    conforms(r, "GET", f"{one}/files/{{file_id:int}}")
    assert r.content == PDF

    r = await hung.post(
        f"{BASE}/incoming/{document['id']}/assignments",
        json={"lead": {"user_id": lan.user_id}, "cohandlers": [{"user_id": tu.user_id}]},
    )
    made = conforms(r, "POST", f"{one}/assignments")["assignments"]
    lead, co = made[0]["id"], made[1]["id"]
    inbox = conforms(await tu.get(f"{BASE}/inbox"), "GET", f"{BASE}/inbox")
    assert [item["id"] for item in inbox["items"]] == [co]
    opinions = f"{BASE}/assignments/{{assignment_id:int}}/opinions"
    r = await tu.post(f"{BASE}/assignments/{co}/opinions", json={"text": "Thống nhất."})
    conforms(r, "POST", opinions)
    r = await lan.post(
        f"{BASE}/assignments/{lead}/opinions",
        data={"text": "Dự thảo."},
        files={"file": ("ý kiến.pdf", PDF, "application/pdf")},
    )
    assert conforms(r, "POST", opinions)["filename"] == "ý kiến.pdf"
    r = await tu.post(f"{BASE}/assignments/{co}/done")
    conforms(r, "POST", f"{BASE}/assignments/{{assignment_id:int}}/done")
    r = await lan.post(f"{BASE}/incoming/{document['id']}/complete", json={})
    conforms(r, "POST", f"{one}/complete")
    following = conforms(await hung.get(f"{BASE}/following"), "GET", f"{BASE}/following")
    assert [d["id"] for d in following["items"]] == [document["id"]]


def test_conforms_catches_an_undocumented_field():
    """The drift check itself: a field the model does not list fails validation."""
    doc = documented("POST", f"{BASE}/assignments/{{assignment_id:int}}/done")
    answer = {
        "id": 1,
        "document_id": 1,
        "parent_assignment_id": None,
        "role": "lead",
        "status": "done",
        "user_id": 1,
        "unit_id": None,
        "scope_unit_id": 1,
        "deadline": None,
        "direction": "",
        "assigned_by": 1,
        "assigned_at": "2025-03-12T02:00:00+00:00",
        "done_at": None,
        "reply_document_id": None,
    }
    TypeAdapter(doc.response).validate_python(answer)
    with pytest.raises(ValueError, match="extra"):
        TypeAdapter(doc.response).validate_python({**answer, "secret": 1})
