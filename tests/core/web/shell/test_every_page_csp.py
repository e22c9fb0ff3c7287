"""Every page of the shell renders for its user and satisfies the content security policy: the
route table is walked, so a new page is checked without being listed here."""

from __future__ import annotations

from starlette.routing import Route

from core.testing_web import HTML, assert_csp_clean, sign_in_page

# Sample values for the path parameters of detail pages.
SAMPLES = {"name": "example", "key": "clerk"}


def page_paths(app, prefixes: tuple[str, ...], values: dict[str, str]) -> list[str]:
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        if not route.path.startswith(prefixes):
            continue
        path = route.path
        for name, value in values.items():
            path = path.replace("{" + name + "}", value).replace("{" + name + ":int}", value)
        assert "{" not in path, f"no sample value for {route.path}"
        paths.append(path)
    return sorted(set(paths))


async def test_every_tenant_page_renders_and_satisfies_the_csp(
    app, page_client, admin, tenant, in_tenant
):
    from core.units.services import create_unit

    unit = await in_tenant(tenant, lambda: create_unit("VP", "Văn phòng"))
    values = {**SAMPLES, "unit_id": str(unit.id), "user_id": str(admin.user_id)}
    paths = page_paths(app, ("/admin", "/account"), values)
    assert {"/admin/units", "/admin/users", "/admin/audit", "/account/tokens"} <= set(paths)
    c = await page_client(admin)
    for path in paths:
        response = await c.get(path, headers=HTML)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        assert_csp_clean(response)


async def test_every_console_page_renders_and_satisfies_the_csp(app, client, password, tenant):
    from core.platform.services import create_platform_admin

    await create_platform_admin("operator", password, "Nhà vận hành")
    paths = page_paths(app, ("/platform",), {"slug": tenant.slug})
    assert {"/platform/tenants", "/platform/jobs", "/platform/manifest"} <= set(paths)
    async with client(app, "localhost") as c:
        assert (await sign_in_page(c, "operator", password)).status_code == 303
        for path in paths:
            response = await c.get(path, headers=HTML)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            assert_csp_clean(response)
