"""Helpers of the administration page tests: the people signed in through the login form,
posting a page's form like a browser, and reading flashes and field errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from core.testing_web import HTML, hidden_fields


@dataclass
class Person:
    c: httpx.AsyncClient
    user_id: int


@pytest.fixture
async def staff(app, tenant, other_tenant, tree, account, page_client) -> dict[str, Person]:
    """admin: tenant admin; ua: unit admin of UBND; thu: clerk of UBND; hung: leader of UBND;
    lan: specialist of VP; sa: unit admin of STP; beta: tenant admin of the other tenant."""
    made: dict[str, Person] = {}
    for name, role, unit, below in [
        ("admin", "tenant_admin", None, False),
        ("ua", "unit_admin", tree.ubnd, True),
        ("thu", "clerk", tree.ubnd, True),
        ("hung", "leader", tree.ubnd, True),
        ("lan", "specialist", tree.vp, False),
        ("sa", "unit_admin", tree.stp, True),
    ]:
        acc = await account(tenant, name, role=role, unit_id=unit, descendants=below)
        made[name] = Person(await page_client(acc), acc.user_id)
    beta = await account(other_tenant, "beta_admin", role="tenant_admin")
    made["beta"] = Person(await page_client(beta), beta.user_id)
    return made


async def post_form(
    c: httpx.AsyncClient,
    page_url: str,
    action: str,
    data: dict[str, Any],
    *,
    page: str | None = None,
) -> httpx.Response:
    """Open ``page_url`` (or use ``page``), take the hidden fields of the form posting to
    ``action`` and post ``data`` with them."""
    if page is None:
        opened = await c.get(page_url, headers=HTML)
        assert opened.status_code == 200, f"{page_url}: {opened.status_code}"
        page = opened.text
    fields = {**hidden_fields(page, action), **data}
    return await c.post(action, data=fields, headers=HTML)


def flash_of(page: str) -> list[str]:
    return re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', page)


def field_error(page: str, name: str) -> str | None:
    found = re.search(rf'data-field-error="{re.escape(name)}">([^<]*)<', page)
    return found.group(1) if found else None


def form_error(page: str) -> str | None:
    found = re.search(r'data-testid="form-error">([^<]*)<', page)
    return found.group(1) if found else None


async def follow(c: httpx.AsyncClient, response: httpx.Response) -> httpx.Response:
    """The page a redirect leads to (asserting it is one)."""
    assert response.status_code == 303, response.text[:2000]
    return await c.get(response.headers["location"], headers=HTML)
