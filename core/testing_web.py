"""Fixtures of the web tests: the app on the test database, and API clients per tenant.

``app`` runs the real lifespan through :func:`attached_runtime`, which reuses the tortoise
connection the ``db`` fixture opened (instead of opening and closing its own) and loads the
tenant registry from it. ``api``/``other_api`` are httpx clients signed in with a bearer token
of a tenant admin of ``alpha``/``beta``; ``anon`` is alpha without credentials.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from core.context import TenantInfo, tenant_context
from core.plugins.apps import model_apps
from core.plugins.manager import PluginHost
from core.runtime import Runtime
from core.settings import Settings, load_settings
from core.tenancy.registry import TenantRegistry, set_registry
from core.web.app import create_app

PASSWORD = "Mật-khẩu-đủ-dài-1"


@asynccontextmanager
async def attached_runtime(settings: Settings, host: PluginHost) -> AsyncIterator[Runtime]:
    """A runtime over the database tortoise already has open (the test fixtures' one)."""
    registry = set_registry(TenantRegistry(settings.base_domain))
    await registry.reload()
    yield Runtime(settings, host, model_apps(host), registry)


@pytest.fixture
def web_settings(tmp_path: Path) -> Settings:
    return load_settings(
        var_dir=tmp_path / "var",
        storage_url=f"file://{tmp_path / 'files'}",
        secret_key="test-secret-key",
        base_domain="localhost",
        broker_url="inprocess://",
        login_max_failures_account=3,
    )


@pytest.fixture(autouse=True)
def fresh_login_limits() -> None:
    from core.users.ratelimit import reset_login_limiters

    reset_login_limiters()


@pytest.fixture
async def app(
    db: str,
    tenant: TenantInfo,
    other_tenant: TenantInfo,
    congvan_host: PluginHost,
    web_settings: Settings,
) -> AsyncIterator[Starlette]:
    """The web app with both tenants loaded, its lifespan entered (no job runtime)."""
    application = create_app(web_settings, host=congvan_host, runtime=attached_runtime, jobs=False)
    async with application.router.lifespan_context(application):
        yield application


@dataclass(frozen=True)
class Account:
    tenant: TenantInfo
    user_id: int
    username: str
    token: str


async def make_account(
    tenant: TenantInfo,
    username: str,
    *,
    role: str | None = "tenant_admin",
    unit_id: int | None = None,
    descendants: bool = False,
) -> Account:
    """A user of ``tenant`` with ``PASSWORD``, ``role`` granted (tenant-wide or on a unit)."""
    from core.authz.grants import grant_role
    from core.authz.roles import seed_roles
    from core.users.services import create_user
    from core.users.tokens import create_token

    with tenant_context(tenant):
        await seed_roles()
        user = await create_user(username, username.title(), password=PASSWORD, unit_id=unit_id)
        if role is not None:
            await grant_role(user.id, role, unit_id=unit_id, descendants=descendants)
        _, token = await create_token(user.id, "tests")
    return Account(tenant, user.id, username, token)


def client_for(app: Starlette, host: str, token: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=f"http://{host}", headers=headers
    )


@pytest.fixture
async def admin(app: Starlette, tenant: TenantInfo) -> Account:
    return await make_account(tenant, "admin")


@pytest.fixture
async def other_admin(app: Starlette, other_tenant: TenantInfo) -> Account:
    return await make_account(other_tenant, "admin")


@pytest.fixture
async def api(app: Starlette, admin: Account) -> AsyncIterator[httpx.AsyncClient]:
    """alpha's tenant admin, by bearer token."""
    async with client_for(app, "alpha.localhost", admin.token) as client:
        yield client


@pytest.fixture
async def other_api(app: Starlette, other_admin: Account) -> AsyncIterator[httpx.AsyncClient]:
    """beta's tenant admin, by bearer token."""
    async with client_for(app, "beta.localhost", other_admin.token) as client:
        yield client


@pytest.fixture
async def anon(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, "alpha.localhost") as client:
        yield client


@pytest.fixture
def in_tenant() -> Callable[[TenantInfo, Callable[[], Awaitable[object]]], Awaitable[object]]:
    """``await in_tenant(tenant, lambda: service(...))``: run a service call as ``tenant``."""

    async def run(tenant: TenantInfo, call: Callable[[], Awaitable[object]]) -> object:
        with tenant_context(tenant):
            return await call()

    return run


@pytest.fixture
def build_app(
    db: str, congvan_host: PluginHost, web_settings: Settings
) -> Callable[..., Starlette]:
    """Build another app on the test database (lifespan not entered): ``build_app(**options)``."""

    def build(**options: object) -> Starlette:
        options.setdefault("runtime", attached_runtime)
        options.setdefault("jobs", False)
        settings = options.pop("settings", web_settings)
        return create_app(settings, host=congvan_host, **options)  # type: ignore[arg-type]

    return build


@pytest.fixture
def account() -> Callable[..., Awaitable[Account]]:
    """``await account(tenant, "name", role=…, unit_id=…)``: a user with a token."""
    return make_account


@pytest.fixture
def client() -> Callable[..., httpx.AsyncClient]:
    """``client(app, "alpha.localhost", token)``: an httpx client on the app."""
    return client_for


@pytest.fixture
def password() -> str:
    """The password of every account :func:`make_account` creates."""
    return PASSWORD


@pytest.fixture
async def pg_app(
    pg_db: str, congvan_host: PluginHost, web_settings: Settings
) -> AsyncIterator[tuple[Starlette, TenantInfo, TenantInfo]]:
    """The app on PostgreSQL (non-owner role, row-level security on) with alpha and beta."""
    from core.testing import make_tenant

    alpha = await make_tenant("alpha", "Tỉnh Alpha")
    beta = await make_tenant("beta", "Bộ Beta")
    application = create_app(web_settings, host=congvan_host, runtime=attached_runtime, jobs=False)
    async with application.router.lifespan_context(application):
        yield application, alpha, beta


# ---------------------------------------------------------------- HTML pages (forms, sessions)

HTML = {"accept": "text/html"}


def csrf_of(page: str) -> str:
    """The CSRF token of the first form of ``page``."""
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


def hidden_fields(page: str, action: str | None = None) -> dict[str, str]:
    """The hidden inputs (CSRF token, submit-once nonce, …) of the form posting to ``action``
    (the first form of the page when ``None``)."""
    import re

    forms = re.findall(r"<form\b([^>]*)>(.*?)</form>", page, flags=re.S)
    for attrs, body in forms:
        if action is not None and f'action="{action}"' not in attrs:
            continue
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    raise AssertionError(f"no form posting to {action!r} on the page")


async def sign_in_page(
    c: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    """Sign in through the login form (CSRF token from the page, like a browser)."""
    page = await c.get("/login", headers=HTML)
    form = {"username": username, "password": password, "csrf_token": csrf_of(page.text)}
    return await c.post("/login", data=form, headers=HTML)


async def submit_form(
    c: httpx.AsyncClient,
    page_url: str,
    action: str,
    data: dict[str, str | list[str]],
    *,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> httpx.Response:
    """Open ``page_url``, take the hidden fields of its form posting to ``action`` and post
    ``data`` with them, like a browser submitting that form."""
    page = await c.get(page_url, headers=HTML)
    assert page.status_code == 200, f"{page_url} answered {page.status_code}"
    fields: dict[str, str | list[str]] = {**hidden_fields(page.text, action), **data}
    return await c.post(action, data=fields, files=files, headers=HTML)


@pytest.fixture
async def page_client(
    app: Starlette,
) -> AsyncIterator[Callable[..., Awaitable[httpx.AsyncClient]]]:
    """``c = await page_client(account)``: an httpx client on the account's tenant host,
    signed in through the login form with a session cookie (close it with ``aclose``)."""
    opened: list[httpx.AsyncClient] = []

    async def make(account: Account, host: str | None = None) -> httpx.AsyncClient:
        c = client_for(app, host or f"{account.tenant.slug}.localhost")
        opened.append(c)
        response = await sign_in_page(c, account.username)
        assert response.status_code == 303, response.text
        return c

    yield make
    for c in opened:
        await c.aclose()


# ---------------------------------------------------------------- content security policy


class CspAudit(HTMLParser):
    """Collects what a ``script-src 'self'; style-src 'self'`` policy would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False
        self.scripts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, _ in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event-handler attribute")
            if name == "style":
                self.problems.append(f"<{tag} style=…> attribute")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self._in_script = True
            if values.get("src"):
                self.scripts.append(str(values["src"]))
        if tag == "link" and values.get("href"):
            self.links.append(str(values["href"]))
        for name in ("href", "src", "action"):
            if str(values.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline <script> content: {data.strip()[:60]!r}")


def assert_csp_clean(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    audit = CspAudit()
    audit.feed(response.text)
    audit.close()
    assert audit.problems == [], f"{response.request.url}: {audit.problems}"
    for url in [*audit.scripts, *audit.links]:
        assert url.startswith("/static/"), url
