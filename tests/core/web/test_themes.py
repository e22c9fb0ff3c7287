"""Tenant themes: templates resolve theme → plugin → core per request, assets are served."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from core.context import platform_scope
from core.tenancy.registry import get_registry
from core.tenancy.services import update_tenant
from core.web.templates import ThemedTemplates
from core.web.themes import (
    THEMES_DIR,
    ThemeInfo,
    assets_of,
    list_themes,
    resolve_theme,
    theme_static_mount,
)

EXAMPLE = "tinh-mau"
WELCOME = "province-welcome"
CSS_LINK = '/static/themes/tinh-mau/theme.css"'
LOGO = '/static/themes/tinh-mau/logo.svg"'


async def use_theme(slug: str, theme: str) -> None:
    with platform_scope():
        info = await update_tenant(slug, theme=theme)
    await get_registry().reload_tenant(info.id)


def test_installed_themes_are_listed_from_their_theme_toml():
    themes = {info.name: info for info in list_themes()}
    assert {"default", EXAMPLE} <= set(themes)
    assert themes[EXAMPLE] == ThemeInfo(EXAMPLE, "Tỉnh Mẫu", themes[EXAMPLE].description)
    assert "province" in themes[EXAMPLE].description
    assert themes["default"].title


def test_folders_without_theme_toml_or_with_unsafe_names_are_not_themes(tmp_path: Path):
    (tmp_path / "good" / "static").mkdir(parents=True)
    (tmp_path / "good" / "theme.toml").write_text('title = "Good"\n', encoding="utf-8")
    (tmp_path / "no-toml").mkdir()
    (tmp_path / "Bad_Name").mkdir()
    (tmp_path / "Bad_Name" / "theme.toml").write_text("", encoding="utf-8")
    assert list_themes(tmp_path) == [ThemeInfo("good", "Good", "")]
    assert assets_of("good", tmp_path).stylesheet is None


def test_a_missing_theme_and_the_platform_host_use_default(tenant):
    assert resolve_theme(None) == "default"
    assert resolve_theme(tenant) == "default"
    gone = type(tenant)(**{**tenant.__dict__, "theme": "removed-theme"})
    assert resolve_theme(gone) == "default"


async def test_default_theme_renders_the_core_login_page(anon: httpx.AsyncClient):
    page = (await anon.get("/")).text
    assert 'action="/login"' in page
    assert WELCOME not in page
    assert "/static/themes/default/theme.css" in page
    assert "brand-logo" not in page  # the default theme has no logo


async def test_switching_the_theme_renders_its_override_and_assets(
    app: Starlette, anon: httpx.AsyncClient, client, tenant, other_tenant
):
    await use_theme(tenant.slug, EXAMPLE)
    page = (await anon.get("/")).text
    # The override extends core:login.html, so the core's form is still there.
    assert WELCOME in page and "Cổng văn bản điện tử tỉnh Mẫu" in page
    assert 'action="/login"' in page and 'name="csrf_token"' in page
    assert CSS_LINK in page and LOGO in page
    # The language switch of the core layout is kept and the override is translated too.
    assert 'name="lang" value="en"' in page

    async with client(app, "beta.localhost") as beta:
        other = (await beta.get("/")).text
    assert WELCOME not in other and CSS_LINK not in other and 'action="/login"' in other

    async with client(app, "localhost") as platform:
        console = (await platform.get("/")).text
    assert WELCOME not in console and CSS_LINK not in console

    await use_theme(tenant.slug, "default")
    assert WELCOME not in (await anon.get("/")).text


async def test_a_page_missing_from_the_theme_falls_back_to_the_core(
    anon: httpx.AsyncClient, tenant
):
    await use_theme(tenant.slug, EXAMPLE)
    response = await anon.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    # core/error.html is not in the theme: the core's page, in the theme's layout.
    assert "text/html" in response.headers["content-type"]
    assert CSS_LINK in response.text and WELCOME not in response.text


def test_each_theme_has_its_own_environment_and_template_cache(congvan_host):
    templates = ThemedTemplates(congvan_host)
    default = templates.environment("default")
    example = templates.environment(EXAMPLE)
    assert default is not example and templates.environment(EXAMPLE) is example
    assert default.get_template("core/login.html").filename != (
        example.get_template("core/login.html").filename
    )
    assert str(THEMES_DIR / EXAMPLE) in str(example.get_template("core/login.html").filename)
    # core: always reaches the core's own file, whatever the theme.
    assert example.get_template("core:login.html").filename == (
        default.get_template("core/login.html").filename
    )
    assert default.filters["date"] is example.filters["date"]
    assert example.globals["theme"] == assets_of(EXAMPLE)


@pytest.fixture
async def static_client():
    app = Starlette(routes=[theme_static_mount()])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://alpha.localhost") as c:
        yield c


async def test_theme_static_files_are_served(static_client: httpx.AsyncClient):
    css = await static_client.get(f"/static/themes/{EXAMPLE}/theme.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "--accent" in css.text
    logo = await static_client.get(f"/static/themes/{EXAMPLE}/logo.svg")
    assert logo.status_code == 200 and logo.headers["content-type"].startswith("image/svg")


@pytest.mark.parametrize(
    "path",
    [
        f"/static/themes/{EXAMPLE}/../theme.toml",
        f"/static/themes/{EXAMPLE}/%2e%2e/theme.toml",
        f"/static/themes/{EXAMPLE}/..%2f..%2f..%2fpyproject.toml",
        f"/static/themes/{EXAMPLE}/%2e%2e/templates/core/login.html",
        "/static/themes/../../pyproject.toml",
        f"/static/themes/{EXAMPLE}/theme.toml",
        "/static/themes/nope/theme.css",
    ],
)
async def test_nothing_outside_a_themes_static_folder_is_served(
    static_client: httpx.AsyncClient, path: str
):
    response = await static_client.get(path)
    assert response.status_code == 404, response.text[:200]


async def test_theme_assets_pass_the_apps_middleware_on_any_host(app: Starlette, client):
    paths = {getattr(route, "path", "") for route in app.routes}
    assert "/static/themes" in paths
    for host in ("alpha.localhost", "localhost"):
        async with client(app, host) as c:
            css = await c.get(f"/static/themes/{EXAMPLE}/theme.css")
            assert css.status_code == 200 and "--accent" in css.text
            assert (await c.get(f"/static/themes/{EXAMPLE}/theme.toml")).status_code == 404
