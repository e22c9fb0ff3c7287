"""The console's tenant pages on the base domain: list, create (and the new admin signs in on
the new host), details, suspend / resume; errors, stale and repeated forms; who may see them."""

from __future__ import annotations

import re

from core.testing_web import HTML, PASSWORD, client_for, hidden_fields, sign_in_page, submit_form
from core.web.sessions import SESSION_COOKIE

LIST = "/platform/tenants"


def new_tenant(**changes: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "slug": "gamma",
        "name": "Tỉnh Gamma",
        "domains": "vanban.gamma.gov.vn, qlvb.gamma.gov.vn",
        "theme": "default",
        "plugins": ["example"],
        "admin_username": "quantri",
        "admin_full_name": "Trần Quản Trị",
        "admin_password": PASSWORD,
    }
    data.update(changes)
    return data


async def slugs() -> list[str]:
    from core.tenancy.models import Tenant

    return sorted(await Tenant.all().values_list("slug", flat=True))


def field_error(page: str, name: str) -> str:
    match = re.search(rf'data-field-error="{name}">([^<]*)<', page)
    assert match, f"no error next to {name!r}"
    return match.group(1)


async def test_the_list_shows_every_tenant_with_its_counts(operator, admin, tenant):
    page = await operator.get(LIST, headers=HTML)
    assert page.status_code == 200
    rows = dict(re.findall(r'<tr data-tenant="([^"]+)"[^>]*>(.*?)</tr>', page.text, flags=re.S))
    assert sorted(rows) == ["alpha", "beta"]
    assert tenant.name in rows["alpha"]
    assert "alpha.localhost" in rows["alpha"]
    assert "Đang hoạt động" in rows["alpha"]
    assert "<td>1</td>" in rows["alpha"]  # alpha's admin; beta has nobody yet
    assert "<td>0</td>" in rows["beta"]
    assert '<span class="tag">example</span>' in rows["alpha"]
    assert 'data-menu="platform.tenants" aria-current="page"' in page.text


async def test_creating_a_tenant_then_its_admin_signs_in_on_its_host(operator, app):
    from core.tenancy.services import get_tenant

    created = await submit_form(operator, LIST, LIST, new_tenant())
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/platform/tenants/gamma"
    detail = await operator.get(created.headers["location"], headers=HTML)
    assert "Đã tạo đơn vị sử dụng Tỉnh Gamma" in detail.text
    assert "http://gamma.localhost/login" in detail.text  # where its admin signs in
    assert 'data-status="active"' in detail.text
    info = await get_tenant("gamma")
    assert (info.name, info.theme) == ("Tỉnh Gamma", "default")
    assert sorted(info.domains) == ["qlvb.gamma.gov.vn", "vanban.gamma.gov.vn"]
    assert info.enabled_plugins == frozenset({"example"})
    listed = await operator.get(LIST, headers=HTML)
    assert 'data-tenant="gamma"' in listed.text

    # The app's tenant registry knows the new host: its admin signs in through the form.
    async with client_for(app, "gamma.localhost") as gamma:
        signed_in = await sign_in_page(gamma, "quantri", PASSWORD)
        assert signed_in.status_code == 303, signed_in.text
        home = await gamma.get("/", headers=HTML)
        assert "Xin chào, Trần Quản Trị" in home.text
        assert 'data-menu="core.users"' in home.text  # a tenant admin
    async with client_for(app, "vanban.gamma.gov.vn") as custom:
        assert (await custom.get("/", headers=HTML)).status_code == 200


async def test_plugins_left_unticked_stay_disabled(operator):
    from core.tenancy.services import get_tenant

    data = new_tenant(slug="delta", domains="")
    del data["plugins"]
    response = await submit_form(operator, LIST, LIST, data)
    assert response.status_code == 303, response.text
    info = await get_tenant("delta")
    assert info.enabled_plugins == frozenset()
    assert info.domains == ()


async def test_an_invalid_slug_and_a_missing_admin_are_shown_next_to_their_fields(operator):
    data = new_tenant(slug="Bad Slug!", admin_username="", admin_password="")
    response = await submit_form(operator, LIST, LIST, data)
    assert response.status_code == 422
    assert "chữ thường không dấu" in field_error(response.text, "slug")
    assert field_error(response.text, "admin_username") == "Vui lòng nhập trường này."
    assert field_error(response.text, "admin_password") == "Vui lòng nhập trường này."
    assert 'value="Bad Slug!"' in response.text
    assert 'value="Tỉnh Gamma"' in response.text
    assert "vanban.gamma.gov.vn, qlvb.gamma.gov.vn</textarea>" in response.text
    assert re.search(r'value="example" checked', response.text)
    # The refused form comes first on the page, before the list of tenants.
    assert response.text.index('data-testid="create-tenant"') < response.text.index(
        'data-testid="tenants"'
    )
    assert await slugs() == ["alpha", "beta"]


async def test_a_taken_slug_or_domain_and_a_weak_password_are_refused(operator):
    from core.tenancy.services import create_tenant

    await create_tenant("delta", "Delta", domains=["vanban.delta.gov.vn"])
    taken = await submit_form(operator, LIST, LIST, new_tenant(slug="alpha"))
    assert taken.status_code == 422
    assert field_error(taken.text, "slug") == "Đã có đơn vị sử dụng với mã alpha."
    assert 'value="alpha"' in taken.text
    domain = await submit_form(
        operator, LIST, LIST, new_tenant(domains="vanban.delta.gov.vn\nnew.gamma.gov.vn")
    )
    assert domain.status_code == 422
    assert "vanban.delta.gov.vn" in field_error(domain.text, "domains")
    assert "delta" in field_error(domain.text, "domains")
    other_host = await submit_form(operator, LIST, LIST, new_tenant(domains="beta.localhost"))
    assert other_host.status_code == 422
    assert "beta.localhost" in field_error(other_host.text, "domains")
    weak = await submit_form(operator, LIST, LIST, new_tenant(admin_password="ngan"))
    assert weak.status_code == 422
    assert field_error(weak.text, "admin_password") == "Mật khẩu cần ít nhất 8 ký tự."
    same = await submit_form(
        operator, LIST, LIST, new_tenant(admin_username="quantri1", admin_password="QuanTri1")
    )
    assert same.status_code == 422
    assert "trùng" in field_error(same.text, "admin_password")
    reserved = await submit_form(operator, LIST, LIST, new_tenant(slug="platform"))
    assert "dành riêng" in field_error(reserved.text, "slug")
    assert await slugs() == ["alpha", "beta", "delta"]


async def test_a_stale_form_creates_nothing_and_keeps_the_values(operator):
    page = await operator.get(LIST, headers=HTML)
    fields = {**hidden_fields(page.text, LIST), "csrf_token": "forged"}
    response = await operator.post(LIST, data={**fields, **new_tenant()}, headers=HTML)
    assert response.status_code == 403
    assert 'data-testid="form-error"' in response.text
    assert 'value="gamma"' in response.text
    assert 'value="Tỉnh Gamma"' in response.text
    assert await slugs() == ["alpha", "beta"]


async def test_a_double_submit_creates_one_tenant(operator):
    page = await operator.get(LIST, headers=HTML)
    data = {**hidden_fields(page.text, LIST), **new_tenant()}
    first = await operator.post(LIST, data=data, headers=HTML)
    assert first.status_code == 303
    second = await operator.post(LIST, data=data, headers=HTML)
    assert second.status_code == 303
    assert second.headers["location"] == LIST
    again = await operator.get(LIST, headers=HTML)
    assert "Biểu mẫu này đã được gửi." in again.text
    assert await slugs() == ["alpha", "beta", "gamma"]


async def test_suspend_closes_the_tenant_hosts_and_resume_opens_them(operator, app):
    from core.tenancy.services import create_tenant, get_tenant

    await create_tenant("gamma", "Tỉnh Gamma", plugins=[])
    url = "/platform/tenants/gamma"
    detail = await operator.get(url, headers=HTML)
    assert 'class="danger" data-confirm="' in detail.text
    async with client_for(app, "gamma.localhost") as gamma:
        assert (await gamma.get("/", headers=HTML)).status_code == 200
        suspended = await submit_form(operator, url, url + "/suspend", {})
        assert suspended.status_code == 303
        assert suspended.headers["location"] == url
        assert (await get_tenant("gamma")).status == "suspended"
        closed = await gamma.get("/", headers=HTML)
        assert closed.status_code == 403
        assert "suspended" in closed.text
        page = await operator.get(url, headers=HTML)
        assert 'data-status="suspended"' in page.text
        assert "Đã tạm ngừng đơn vị sử dụng" in page.text
        assert f'action="{url}/resume"' in page.text
        resumed = await submit_form(operator, url, url + "/resume", {})
        assert resumed.status_code == 303
        assert (await gamma.get("/", headers=HTML)).status_code == 200
    assert (await get_tenant("gamma")).status == "active"


async def test_a_stale_suspend_changes_nothing(operator):
    from core.tenancy.services import get_tenant

    url = "/platform/tenants/alpha"
    page = await operator.get(url, headers=HTML)
    fields = {**hidden_fields(page.text, url + "/suspend"), "csrf_token": "forged"}
    response = await operator.post(url + "/suspend", data=fields, headers=HTML)
    assert response.status_code == 403
    assert 'data-testid="form-error"' in response.text
    assert (await get_tenant("alpha")).status == "active"


async def test_the_detail_page_counts_failed_jobs_and_links_to_them(operator, tenant):
    from datetime import UTC, datetime

    from core.jobs.models import OutboxMessage

    await OutboxMessage.create(
        id="00000000-0000-0000-0000-0000000000f1",
        tenant_id=tenant.id,
        handler="gone.plugin_job",
        status="failed",
        attempts=8,
        last_error="RuntimeError: down",
        next_attempt_at=datetime.now(UTC),
    )
    page = await operator.get("/platform/tenants/alpha", headers=HTML)
    assert page.status_code == 200
    link = re.search(r'<a href="([^"]+)" data-testid="failed-jobs">([^<]+)<', page.text)
    assert link is not None
    assert link.group(1) == "/platform/jobs?tenant=alpha"
    assert link.group(2) == "1 tác vụ lỗi"
    beta = await operator.get("/platform/tenants/beta", headers=HTML)
    assert 'data-testid="failed-jobs">0 tác vụ lỗi<' in beta.text


async def test_an_unknown_tenant_is_404(operator):
    assert (await operator.get("/platform/tenants/nobody", headers=HTML)).status_code == 404
    page = await operator.get(LIST, headers=HTML)
    fields = hidden_fields(page.text, LIST)
    response = await operator.post("/platform/tenants/nobody/suspend", data=fields, headers=HTML)
    assert response.status_code == 404


async def test_tenant_users_cannot_reach_the_console(page_client, admin, app):
    c = await page_client(admin)
    for path in (LIST, "/platform/tenants/alpha", "/platform/manifest", "/platform/jobs"):
        assert (await c.get(path, headers=HTML)).status_code == 404, path
    page = await c.get("/", headers=HTML)
    fields = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)}
    refused = await c.post("/platform/tenants/alpha/suspend", data=fields, headers=HTML)
    assert refused.status_code == 404
    # Their session is unknown on the base domain: anonymous there, sent to the login page.
    session = c.cookies.get(SESSION_COOKIE)
    assert session
    async with client_for(app, "localhost") as base:
        base.cookies.set(SESSION_COOKIE, session)
        response = await base.get(LIST, headers=HTML)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=/platform/tenants")
    from core.tenancy.services import get_tenant

    assert (await get_tenant("alpha")).status == "active"


async def test_anonymous_visitors_of_the_base_domain_are_sent_to_the_login_page(app):
    async with client_for(app, "localhost") as c:
        response = await c.get(LIST, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/platform/tenants&expired=1"
