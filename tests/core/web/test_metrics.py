"""Request metrics: bounded labels, one registry per app (tiny apps built inline)."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route, Router

from core.context import TenantInfo
from core.web.metrics import HttpMetrics
from core.web.middleware.metrics import MetricsMiddleware


async def ok(request):
    return PlainTextResponse("ok")


class FakeTenancy:
    """Marks requests the way TenantMiddleware does, from a test header."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            slug = dict(scope["headers"]).get(b"x-tenant", b"").decode()
            if slug == "platform":
                scope["congvan.platform"] = True
            elif slug:
                scope["congvan.tenant"] = TenantInfo(id=1, slug=slug, name=slug)
        await self.app(scope, receive, send)


def app_with(metrics: HttpMetrics) -> Starlette:
    inner = Router(routes=[Route("/items/{item_id:int}", ok)])
    return Starlette(
        routes=[Route("/units/{unit_id:int}", ok), Mount("/plugin", app=inner)],
        middleware=[Middleware(MetricsMiddleware, metrics=metrics), Middleware(FakeTenancy)],
    )


def sample(metrics: HttpMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


async def test_requests_are_counted_by_route_template_not_raw_path():
    metrics = HttpMetrics()
    transport = httpx.ASGITransport(app=app_with(metrics))
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        for unit_id in (1, 2, 3):
            await client.get(f"/units/{unit_id}", headers={"x-tenant": "alpha"})
        await client.get("/plugin/items/9", headers={"x-tenant": "beta"})
        await client.get("/nowhere/42")
        await client.get("/units/1", headers={"x-tenant": "platform"})
    labels = {"tenant": "alpha", "method": "GET", "route": "/units/{unit_id}", "status": "200"}
    assert sample(metrics, "congvan_http_requests_total", **labels) == 3
    assert sample(metrics, "congvan_http_request_duration_seconds_count", **labels) == 3
    mounted = {
        "tenant": "beta",
        "method": "GET",
        "route": "/plugin/items/{item_id}",
        "status": "200",
    }
    assert sample(metrics, "congvan_http_requests_total", **mounted) == 1
    unmatched = {"tenant": "unknown", "method": "GET", "route": "<unmatched>", "status": "404"}
    assert sample(metrics, "congvan_http_requests_total", **unmatched) == 1
    platform = {"tenant": "platform", "method": "GET", "route": "/units/{unit_id}", "status": "200"}
    assert sample(metrics, "congvan_http_requests_total", **platform) == 1
    text = metrics.exposition().decode()
    assert "/units/1" not in text.replace("/units/{unit_id}", "")


async def test_each_app_has_its_own_registry():
    first, second = HttpMetrics(), HttpMetrics()
    transport = httpx.ASGITransport(app=app_with(first))
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        await client.get("/units/1", headers={"x-tenant": "alpha"})
    labels = {"tenant": "alpha", "method": "GET", "route": "/units/{unit_id}", "status": "200"}
    assert sample(first, "congvan_http_requests_total", **labels) == 1
    assert sample(second, "congvan_http_requests_total", **labels) is None


async def test_odd_methods_are_one_label():
    metrics = HttpMetrics()
    transport = httpx.ASGITransport(app=app_with(metrics))
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
        await client.request("BREW", "/units/1")
    assert 'method="OTHER"' in metrics.exposition().decode()
