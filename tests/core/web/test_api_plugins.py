"""/api/v1/plugins and the per-tenant gate on plugin routes (enable at run time, no restart)."""

from __future__ import annotations

import pytest


async def test_list_shows_installed_plugins_with_state_and_schema(api):
    items = {p["name"]: p for p in (await api.get("/api/v1/plugins")).json()["items"]}
    example = items["example"]
    assert example["enabled"] is True
    assert example["essential"] is False
    assert example["settings"]["max_notes"] == 100
    assert "max_notes" in example["settings_schema"]["properties"]


async def test_plugin_routes_follow_enablement_without_restart(api):
    assert (await api.get("/api/v1/example/notes")).status_code == 200
    off = await api.patch("/api/v1/plugins/example", json={"enabled": False})
    assert off.status_code == 200, off.text
    assert off.json()["enabled"] is False
    gone = await api.get("/api/v1/example/notes")
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert "not enabled for this tenant" in gone.json()["detail"]
    on = await api.patch("/api/v1/plugins/example", json={"enabled": True})
    assert on.json()["enabled"] is True
    assert (await api.get("/api/v1/example/notes")).status_code == 200


async def test_disabling_in_one_tenant_leaves_the_other_alone(api, other_api):
    await api.patch("/api/v1/plugins/example", json={"enabled": False})
    assert (await api.get("/api/v1/example/notes")).status_code == 404
    assert (await other_api.get("/api/v1/example/notes")).status_code == 200
    listed = {p["name"]: p for p in (await other_api.get("/api/v1/plugins")).json()["items"]}
    assert listed["example"]["enabled"] is True


async def test_settings_are_validated_and_a_bad_value_changes_nothing(api):
    bad = await api.patch("/api/v1/plugins/example", json={"settings": {"max_notes": 0}})
    assert bad.status_code == 422
    assert "max_notes" in bad.json()["errors"]
    good = await api.patch("/api/v1/plugins/example", json={"settings": {"greeting": "Chào"}})
    assert good.status_code == 200
    assert good.json()["settings"]["greeting"] == "Chào"
    notes = (await api.get("/api/v1/example/notes")).json()
    assert notes["greeting"] == "Chào"
    after = {p["name"]: p for p in (await api.get("/api/v1/plugins")).json()["items"]}
    assert after["example"]["settings"]["max_notes"] == 100


async def test_unknown_plugin_is_404(api):
    response = await api.patch("/api/v1/plugins/nope", json={"enabled": True})
    assert response.status_code == 404
    assert "'nope'" in response.json()["detail"]


async def test_plugin_routes_are_404_on_the_platform_host(app, client):
    async with client(app, "localhost") as c:
        response = await c.get("/api/v1/example/notes")
    assert response.status_code == 404


async def test_managing_plugins_needs_the_permission(app, client, tenant, account):
    clerk = await account(tenant, "clerk", role="clerk")
    async with client(app, "alpha.localhost", clerk.token) as c:
        response = await c.patch("/api/v1/plugins/example", json={"enabled": False})
        assert response.status_code == 403
        assert response.json()["permission"] == "core.plugins.manage"
        assert (await c.get("/api/v1/example/notes")).status_code == 200


async def test_plugin_settings_stay_per_tenant(api, other_api):
    await api.patch("/api/v1/plugins/example", json={"settings": {"greeting": "Alpha"}})
    theirs = (await other_api.get("/api/v1/example/notes")).json()
    assert theirs["greeting"] == "Xin chào"


async def test_a_disabled_plugins_websocket_is_closed_not_crashed(congvan_host, tenant):
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocket, WebSocketDisconnect

    from core.web.plugin_routes import gated

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    route = gated(WebSocketRoute("/ws", echo), "example", congvan_host)

    class WithTenant:
        def __init__(self, app, info):
            self.app, self.info = app, info

        async def __call__(self, scope, receive, send):
            scope["congvan.tenant"] = self.info
            await self.app(scope, receive, send)

    disabled = tenant.__class__(**{**tenant.__dict__, "enabled_plugins": frozenset()})
    for info, allowed in ((tenant, True), (disabled, False)):
        app = WithTenant(Starlette(routes=[route]), info)
        with TestClient(app) as client:
            if allowed:
                with client.websocket_connect("/ws") as ws:
                    assert ws.receive_text() == "hi"
            else:
                with (
                    pytest.raises(WebSocketDisconnect) as closed,
                    client.websocket_connect("/ws") as ws,
                ):
                    ws.receive_text()
                assert closed.value.code == 4404
