"""GET /api/v1/openapi.json: generated from the declared operations, per host side."""

from __future__ import annotations


async def test_tenant_document_lists_operations_models_and_permissions(anon):
    response = await anon.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"] == "3.1.0"
    paths = doc["paths"]
    assert paths["/api/v1/units"]["get"]["x-permission"] == "core.units.view"
    assert paths["/api/v1/units/{unit_id}"]["patch"]["x-permission"] == "core.units.manage"
    assert paths["/api/v1/auth/token"]["post"]["x-permission"] == "public"
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
    assert paths["/api/v1/me"]["get"]["x-permission"] == "authenticated"
    assert paths["/api/v1/audit"]["get"]["x-permission"] == "core.audit.view"
    create = paths["/api/v1/units"]["post"]
    schema_name = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_name == "#/components/schemas/UnitCreate"
    assert "code" in doc["components"]["schemas"]["UnitCreate"]["required"]
    assert not any(p.startswith("/api/v1/platform") for p in paths)
    notes = paths["/api/v1/example/notes"]
    assert notes["get"]["x-permission"] == "example.notes.view"
    assert notes["post"]["x-plugin"] == "example"
    for path, methods in paths.items():
        for method, op in methods.items():
            assert op.get("x-permission"), f"{method.upper()} {path} has no x-permission"


async def test_every_ref_in_the_document_resolves(anon):
    doc = (await anon.get("/api/v1/openapi.json")).json()
    schemas = doc["components"]["schemas"]

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for ref in refs(doc):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[-1] in schemas, ref


async def test_a_disabled_plugin_is_not_documented(api):
    await api.patch("/api/v1/plugins/example", json={"enabled": False})
    paths = (await api.get("/api/v1/openapi.json")).json()["paths"]
    assert "/api/v1/example/notes" not in paths


async def test_platform_document_lists_the_platform_api(app, client):
    async with client(app, "localhost") as c:
        doc = (await c.get("/api/v1/openapi.json")).json()
    paths = doc["paths"]
    assert paths["/api/v1/platform/tenants"]["get"]["x-permission"] == "platform"
    assert "/api/v1/auth/token" in paths
    assert "/api/v1/units" not in paths
    assert "/api/v1/example/notes" not in paths
