"""Every route of the app declares who may call it (requires / authenticated / public /
platform_admin); static mounts are public by declaration."""

from __future__ import annotations

from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route, Router
from starlette.staticfiles import StaticFiles

from core import PluginInfo, hookimpl
from core.plugins.manager import build_host
from core.settings import load_settings
from core.web.app import create_app
from core.web.permissions import permission_of, public, undeclared_routes


def test_every_route_of_every_installed_plugin_declares_a_permission(tmp_path):
    host = build_host(entry_points_too=True)
    app = create_app(load_settings(var_dir=tmp_path), host=host)
    assert undeclared_routes(app.routes) == []
    paths = {getattr(r, "path", "") for r in app.routes}
    assert {"/api/v1/units", "/api/v1/example/notes", "/static/core", "/healthz"} <= paths


def test_api_operations_declare_what_the_openapi_document_shows():
    from core.web.api.routers import operations

    for op in operations():
        assert permission_of(op.endpoint) == op.permission
        assert op.permission not in ("", None)


async def undeclared(request):
    return PlainTextResponse("oops")


@public
async def declared(request):
    return PlainTextResponse("ok")


def test_the_walk_finds_undeclared_endpoints_inside_mounts(tmp_path):
    routes = [
        Route("/ok", declared),
        Mount("/nested", app=Router(routes=[Route("/bad", undeclared, methods=["POST"])])),
        Mount("/files", app=StaticFiles(directory=tmp_path)),
        Mount("/public-files", app=public(StaticFiles(directory=tmp_path))),
    ]
    assert undeclared_routes(routes) == ["POST /nested/bad", "MOUNT /files"]


class SloppyPlugin:
    @staticmethod
    @hookimpl
    def plugin_info() -> PluginInfo:
        return PluginInfo(name="sloppy", version="0", title="Sloppy")

    @staticmethod
    @hookimpl
    def register_routes() -> list[Route]:
        return [Route("/api/v1/sloppy/open", undeclared)]


def test_a_plugin_route_without_a_declaration_is_caught(register_plugin, congvan_host, tmp_path):
    register_plugin(SloppyPlugin())
    app = create_app(load_settings(var_dir=tmp_path), host=congvan_host)
    assert undeclared_routes(app.routes) == ["GET,HEAD /api/v1/sloppy/open"]
