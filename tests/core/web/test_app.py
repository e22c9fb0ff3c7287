"""The app as a whole: hosts, probes, lifespan, static files, errors, size limit."""

from __future__ import annotations

import pytest

from core.context import platform_scope
from core.tenancy.models import Tenant


async def test_unknown_host_is_a_404_problem(app, client):
    async with client(app, "nobody.localhost") as c:
        response = await c.get("/api/v1/units")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "nobody.localhost" in response.json()["detail"]


async def test_unknown_host_asked_by_a_browser_gets_a_page(app, client):
    async with client(app, "nobody.localhost") as c:
        response = await c.get("/", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    # The shell's error page (stylesheet, translated text), not a bare fallback.
    assert "/static/core/core.css" in response.text
    assert "Không có đơn vị sử dụng nào ở địa chỉ này." in response.text


async def test_a_suspended_tenants_page_says_so(app, client, tenant):
    from core.tenancy.services import suspend_tenant

    await suspend_tenant(tenant.slug)
    async with client(app, "alpha.localhost") as c:
        response = await c.get("/", headers={"accept": "text/html", "accept-language": "en"})
    assert response.status_code == 403
    assert "This tenant is suspended." in response.text
    assert "/static/core/core.css" in response.text


async def test_suspended_tenant_is_403(app, client, tenant):
    from core.tenancy.services import suspend_tenant

    await suspend_tenant(tenant.slug)
    async with client(app, "alpha.localhost") as c:
        response = await c.get("/api/v1/units")
    assert response.status_code == 403
    assert response.json()["type"].endswith("/tenant-suspended")
    async with client(app, "10.0.0.7") as c:  # the instance itself stays healthy
        assert (await c.get("/healthz")).status_code == 200


async def test_healthz_and_readyz_answer_on_any_host(app, client):
    async with client(app, "10.1.2.3:8000") as c:
        health = await c.get("/healthz")
        ready = await c.get("/readyz")
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {
        "database": {"status": "ok"},
        "broker": {"status": "ok"},
        "storage": {"status": "ok"},
    }


async def test_readyz_names_the_failing_check(build_app, client, web_settings, redis_url):
    broken = web_settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    app = build_app(settings=broken)
    async with app.router.lifespan_context(app), client(app, "10.0.0.7") as c:
        response = await c.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["broker"]["status"] == "fail"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["detail"] == "Not ready: broker failing."
    working = web_settings.model_copy(update={"broker_url": redis_url})
    app = build_app(settings=working)
    async with app.router.lifespan_context(app), client(app, "10.0.0.7") as c:
        assert (await c.get("/readyz")).status_code == 200


async def test_readyz_reports_unusable_storage(build_app, client, web_settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    broken = web_settings.model_copy(update={"storage_url": f"file://{blocker}/files"})
    app = build_app(settings=broken)
    async with app.router.lifespan_context(app), client(app, "10.0.0.7") as c:
        response = await c.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "fail"
    assert "CONGVAN_STORAGE_URL" in response.json()["checks"]["storage"]["error"]


async def test_metrics_count_per_tenant_by_route_template(app, api, other_api, client):
    await api.get("/api/v1/units/999")
    await other_api.get("/api/v1/units")
    async with client(app, "127.0.0.1:8000") as c:
        text = (await c.get("/metrics")).text
    assert (
        'congvan_http_requests_total{method="GET",route="/api/v1/units/{unit_id}",'
        'status="404",tenant="alpha"} 1.0'
    ) in text
    assert 'route="/api/v1/units",status="200",tenant="beta"' in text
    assert "/api/v1/units/999" not in text


async def test_instance_probes_are_hidden_on_public_hosts(app, client):
    async with client(app, "nosuch.localhost") as c:  # a made-up tenant subdomain
        assert (await c.get("/metrics")).status_code == 404
        assert (await c.get("/readyz")).status_code == 404
    for host in ("alpha.localhost", "localhost"):
        async with client(app, host) as c:
            assert (await c.get("/healthz")).status_code == 200
            assert (await c.get("/metrics")).status_code == 404, host
            assert (await c.get("/readyz")).status_code == 404, host


async def test_lifespan_runs_plugin_hooks_around_the_runtime(build_app, tenant):
    from plugins.example.plugin import lifecycle

    app = build_app()
    before = list(lifecycle)
    async with app.router.lifespan_context(app):
        assert lifecycle[len(before) :] == ["startup"]
        assert app.state.runtime.registry.by_slug("alpha") is not None
    assert lifecycle[len(before) :] == ["startup", "shutdown"]


async def test_lifespan_starts_and_stops_the_embedded_job_runtime(build_app):
    app = build_app(jobs=True)
    async with app.router.lifespan_context(app):
        assert app.state.jobs.running
    assert not app.state.jobs.running


async def test_static_files_of_core_and_plugins(app, anon):
    core_css = await anon.get("/static/core/core.css")
    assert core_css.status_code == 200
    assert "text/css" in core_css.headers["content-type"]
    assert (await anon.get("/static/example/example.css")).status_code == 200
    assert (await anon.get("/static/core/../../app.py")).status_code == 404


async def test_oversize_request_is_a_413_problem(build_app, client, web_settings, admin):
    small = web_settings.model_copy(update={"max_request_bytes": 2048})
    app = build_app(settings=small)
    async with app.router.lifespan_context(app), client(app, "alpha.localhost", admin.token) as c:
        response = await c.post("/api/v1/units", json={"code": "X", "name": "x" * 5000})
    assert response.status_code == 413
    assert "2048 bytes" in response.json()["detail"]


async def test_unknown_path_and_wrong_method_are_problems(api):
    missing = await api.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "No page or endpoint at GET /api/v1/nothing-here."
    wrong = await api.put("/api/v1/units")
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == "application/problem+json"


@pytest.mark.filterwarnings("ignore::starlette.exceptions.StarletteDeprecationWarning")
@pytest.mark.filterwarnings("ignore::tortoise.warnings.TortoiseLoopSwitchWarning")
def test_the_app_serves_through_testclient_in_its_own_thread(build_app, admin, tenant):
    """TestClient runs the lifespan and requests on another thread and event loop: the ORM
    must be reachable from there (tortoise's global fallback), as under uvicorn."""
    from starlette.testclient import TestClient

    app = build_app()
    with TestClient(app, base_url="http://alpha.localhost") as c:
        assert c.get("/healthz").status_code == 200
        response = c.get("/api/v1/me", headers={"Authorization": f"Bearer {admin.token}"})
        assert response.status_code == 200, response.text
        assert response.json()["username"] == "admin"
        page = c.get("/", headers={"accept": "text/html"})
        assert tenant.name in page.text
        assert "Đăng nhập" in page.text


async def test_tenant_registry_sees_tenants_created_later(app, client):
    with platform_scope():
        await Tenant.create(slug="gamma", name="Gamma")
    app.state.runtime.registry._last_full_reload = 0.0  # as if the last reload was long ago
    async with client(app, "gamma.localhost") as c:
        assert (await c.get("/api/v1/openapi.json")).status_code == 200


async def test_browsers_get_an_error_page(anon):
    response = await anon.get("/no/such/page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "No page or endpoint at GET /no/such/page." in response.text
    assert "Về trang chủ" in response.text
    api_path = await anon.get("/api/v1/nothing", headers={"accept": "text/html"})
    assert api_path.headers["content-type"] == "application/problem+json"
