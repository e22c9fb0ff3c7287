"""Security headers on every response, pages that satisfy the CSP, and the vendored htmx."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from core.testing_web import CspAudit, assert_csp_clean
from core.web.middleware.security import (
    CONTENT_SECURITY_POLICY,
    HSTS,
    SecurityHeadersMiddleware,
)

HTML = {"accept": "text/html"}
HTMX_DIR = Path(__file__).parents[3] / "core" / "web" / "static" / "vendor" / "htmx"
EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}


def assert_security_headers(response: httpx.Response, *, hsts: bool = False) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{name} on {response.request.url}"
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    if hsts:
        assert response.headers["strict-transport-security"] == HSTS
    else:
        assert "strict-transport-security" not in response.headers


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


# ------------------------------------------------------------------ headers


async def test_headers_on_a_page(anon):
    response = await anon.get("/", headers=HTML)
    assert response.status_code == 200
    assert_security_headers(response)


async def test_headers_on_an_api_response_and_an_api_error(api, anon):
    ok = await api.get("/api/v1/me")
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("application/json")
    assert_security_headers(ok)
    refused = await anon.get("/api/v1/me")
    assert refused.status_code == 401
    assert_security_headers(refused)


async def test_headers_on_the_unknown_host_404(app, client):
    async with client(app, "nope.localhost") as c:
        as_json = await c.get("/api/v1/me")
        as_page = await c.get("/", headers=HTML)
    assert as_json.status_code == 404
    assert as_page.status_code == 404
    assert_security_headers(as_json)
    assert_security_headers(as_page)


async def test_headers_on_a_413_from_the_body_limit(build_app, web_settings, client, admin):
    app = build_app(settings=web_settings.model_copy(update={"max_request_bytes": 1024}))
    async with app.router.lifespan_context(app), client(app, "alpha.localhost", admin.token) as c:
        response = await c.post("/api/v1/units", json={"code": "X", "name": "x" * 5000})
    assert response.status_code == 413
    assert_security_headers(response)


async def test_hsts_only_with_secure_cookies(build_app, web_settings, client, anon):
    assert "strict-transport-security" not in (await anon.get("/")).headers
    app = build_app(settings=web_settings.model_copy(update={"secure_cookies": True}))
    async with app.router.lifespan_context(app), client(app, "alpha.localhost") as c:
        page = await c.get("/", headers=HTML)
        missing = await c.get("/nothing-here")
    assert_security_headers(page, hsts=True)
    assert_security_headers(missing, hsts=True)


async def test_headers_the_endpoint_set_are_kept():
    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-security-policy", b"default-src 'none'"),
            (b"x-frame-options", b"SAMEORIGIN"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"ok"})

    app = SecurityHeadersMiddleware(endpoint, hsts=True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://x") as c:
        response = await c.get("/")
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["strict-transport-security"] == HSTS


# ------------------------------------------------------------------ pages satisfy the CSP


async def test_login_page_on_a_tenant_host_satisfies_the_csp(anon):
    response = await anon.get("/", headers=HTML)
    assert "Đăng nhập" in response.text
    assert_csp_clean(response)


async def test_home_page_signed_in_satisfies_the_csp(app, client, admin, password):
    async with client(app, "alpha.localhost") as c:
        page = await c.get("/", headers=HTML)
        form = {"username": "admin", "password": password, "csrf_token": csrf_of(page.text)}
        assert (await c.post("/login", data=form, headers=HTML)).status_code == 303
        home = await c.get("/", headers=HTML)
    assert "Đăng xuất" in home.text
    assert_csp_clean(home)


async def test_error_pages_satisfy_the_csp(anon, app, client):
    missing = await anon.get("/nothing-here", headers=HTML)
    assert missing.status_code == 404
    assert_csp_clean(missing)
    async with client(app, "nope.localhost") as c:
        unknown_host = await c.get("/", headers=HTML)
    assert unknown_host.status_code == 404
    assert_csp_clean(unknown_host)


async def test_platform_login_satisfies_the_csp(app, client):
    async with client(app, "localhost") as c:
        response = await c.get("/", headers=HTML)
    assert response.status_code == 200
    assert_csp_clean(response)


async def test_example_plugin_page_satisfies_the_csp(api):
    response = await api.get("/example/", headers=HTML)
    assert response.status_code == 200
    assert_csp_clean(response)


@pytest.mark.parametrize(
    "bad",
    [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<p style="color:red">x</p>',
        '<button onclick="go()">x</button>',
        '<a href="javascript:go()">x</a>',
    ],
)
def test_the_csp_audit_catches_violations(bad):
    audit = CspAudit()
    audit.feed(f"<html><body>{bad}</body></html>")
    assert audit.problems, bad


# ------------------------------------------------------------------ vendored htmx


def test_htmx_version_file_matches_the_vendored_file():
    fields = dict(
        line.split(": ", 1) for line in (HTMX_DIR / "VERSION").read_text().splitlines() if line
    )
    digest = hashlib.sha256((HTMX_DIR / "htmx.min.js").read_bytes()).hexdigest()
    assert fields["sha256"] == digest
    assert fields["version"].startswith("2.")
    assert fields["source"].startswith(f"npm htmx.org@{fields['version']}")
    assert (HTMX_DIR / "LICENSE").read_text().strip()


async def test_htmx_is_served_as_javascript(anon, app, client):
    response = await anon.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] in (
        "text/javascript",
        "application/javascript",
    )
    assert response.content == (HTMX_DIR / "htmx.min.js").read_bytes()
    assert_security_headers(response)
    async with client(app, "localhost") as c:  # the platform console can use it too
        assert (await c.get("/static/vendor/htmx/htmx.min.js")).status_code == 200
    assert (await anon.get("/static/vendor/htmx/VERSION")).status_code == 200
