"""The app factory: ``create_app(settings)`` → a Starlette app with the kernel's routes.

Serve it with ``uvicorn core.web.app:create_app --factory`` (settings from ``CONGVAN_*``).

Lifespan: open the runtime (database, plugins, tenant registry, change bus) → plugins'
``startup`` hooks → the job runtime (embedded dispatcher and workers, or a sender); on exit the
reverse. Middleware, outermost first: metrics → security headers → locale → error boundary →
request size limit → tenant (host) → auth → router. Routes: probes, the kernel pages, the JSON
API under ``/api/v1``, every installed plugin's routes (gated per tenant) and the static folders.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from core.i18n import LocaleMiddleware
from core.plugins.manager import PluginHost, call_async
from core.runtime import Runtime, prepare_host, start_runtime, stop_runtime
from core.settings import Settings, get_settings
from core.tenancy.registry import TenantRegistry
from core.web import themes
from core.web.account import routes as account_routes
from core.web.admin import admin_routes
from core.web.api.routers import api_routes
from core.web.console import console_routes
from core.web.health import probe_routes
from core.web.metrics import HttpMetrics
from core.web.middleware.auth import AuthMiddleware
from core.web.middleware.body_limit import BodyLimitMiddleware
from core.web.middleware.errors import ErrorMiddleware
from core.web.middleware.metrics import MetricsMiddleware
from core.web.middleware.security import SecurityHeadersMiddleware
from core.web.middleware.tenancy import TenancyMiddleware
from core.web.pages import page_routes
from core.web.plugin_routes import gated, static_mounts
from core.web.problems import error_response, from_http_exception
from core.web.sessions import SessionCodec
from core.web.templates import build_templates
from core.web.themes import theme_static_mount

RuntimeFactory = Callable[[Settings, PluginHost], AbstractAsyncContextManager[Runtime]]


@asynccontextmanager
async def default_runtime(settings: Settings, host: PluginHost) -> AsyncIterator[Runtime]:
    """Open the database and the tenant registry for this process; close them on exit."""
    runtime = await start_runtime(settings, host=host)
    try:
        yield runtime
    finally:
        await stop_runtime(runtime)


def create_app(
    settings: Settings | None = None,
    *,
    host: PluginHost | None = None,
    runtime: RuntimeFactory | None = None,
    jobs: bool = True,
) -> Starlette:
    """Build the web app.

    ``runtime`` replaces how the lifespan opens the runtime (tests attach to a database that is
    already open); ``jobs=False`` leaves the job runtime out of the lifespan.
    """
    settings = settings or get_settings()
    host = prepare_host(host)
    themes.configure(settings.themes_dir)
    metrics = HttpMetrics()
    sessions = SessionCodec(settings)
    plugin_pairs = [
        (name, route)
        for name, routes in host.call_each("register_routes").items()
        for route in routes or ()
    ]
    routes: list[BaseRoute] = [
        *probe_routes(),
        *page_routes(),
        *account_routes(),
        *admin_routes(),
        *console_routes(),
        *api_routes(),
        *(gated(route, name, host) for name, route in plugin_pairs),
        *static_mounts(host),
        theme_static_mount(),
    ]
    holder: dict[str, Starlette] = {}

    def registry() -> TenantRegistry:
        state = holder["app"].state
        if not hasattr(state, "runtime"):
            raise RuntimeError("the app's lifespan has not run: no tenant registry is loaded")
        tenant_registry: TenantRegistry = state.runtime.registry
        return tenant_registry

    app = Starlette(
        routes=routes,
        lifespan=_lifespan(settings, host, runtime or default_runtime, jobs),
        exception_handlers={HTTPException: _http_error},
        middleware=[
            Middleware(MetricsMiddleware, metrics=metrics),
            Middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies),
            Middleware(LocaleMiddleware),
            Middleware(ErrorMiddleware),
            Middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes),
            Middleware(TenancyMiddleware, registry=registry),
            Middleware(AuthMiddleware, sessions=sessions),
        ],
    )
    holder["app"] = app
    app.state.settings = settings
    app.state.host = host
    app.state.metrics = metrics
    app.state.sessions = sessions
    app.state.templates = build_templates(host)
    app.state.plugin_routes = plugin_pairs
    app.state.openapi_cache = {}
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request.scope, from_http_exception(exc, request.scope))


def _lifespan(
    settings: Settings, host: PluginHost, factory: RuntimeFactory, jobs: bool
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        from core.jobs.runtime import job_runtime_from_settings
        from core.storage.factory import store_from_settings

        async with factory(settings, host) as runtime:
            app.state.runtime = runtime
            app.state.store = store_from_settings(settings)
            job_runtime: Any = job_runtime_from_settings(settings) if jobs else None
            app.state.jobs = job_runtime
            try:
                await call_async(host.pm.hook.startup(app=app))
                if job_runtime is not None:
                    await job_runtime.start()
                yield
            finally:
                if job_runtime is not None:
                    await job_runtime.stop()
                await call_async(host.pm.hook.shutdown(app=app))
                await app.state.store.close()

    return lifespan
