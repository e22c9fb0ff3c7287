"""Helpers of the incoming-flow page tests: a registry of UBND, the people of the flow signed
in through the login form, a registered document, and posting a page's form like a browser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from incoming_support import blobs, main_pdf, metadata  # noqa: F401 (fixture)

from core.context import TenantInfo, tenant_context
from core.testing_web import HTML, hidden_fields
from plugins.registry.services.incoming import register_incoming

ARRIVAL = datetime(2025, 3, 12, 2, 0, tzinfo=UTC)


@dataclass
class Person:
    c: httpx.AsyncClient
    user_id: int
    username: str
    token: str


@pytest.fixture
async def registry_id(tenant, tree, blobs):  # noqa: F811
    from registry_support import new_registry

    with tenant_context(tenant):
        return await new_registry(tree.ubnd, "incoming", name="Sổ văn bản đến UBND")


async def register(tenant: TenantInfo, registry: int, **changes: Any) -> int:
    with tenant_context(tenant):
        result = await register_incoming(
            registry, metadata(**changes), main_pdf(), source="upload", now=ARRIVAL
        )
    assert result.document is not None
    return result.document.id


@pytest.fixture
async def doc_id(tenant, registry_id):
    return await register(tenant, registry_id)


@pytest.fixture
async def people(app, tenant, tree, account, page_client) -> dict[str, Person]:
    """thu: clerk of UBND; hung: leader of UBND; lan (VP), tu (VX): specialists; vu: leader
    of VX; stp: a clerk of another agency — each signed in with a session."""
    made: dict[str, Person] = {}
    for name, role, unit, below in [
        ("thu", "clerk", tree.ubnd, True),
        ("hung", "leader", tree.ubnd, True),
        ("lan", "specialist", tree.vp, False),
        ("tu", "specialist", tree.vx, False),
        ("vu", "leader", tree.vx, False),
        ("stp", "clerk", tree.stp, True),
    ]:
        acc = await account(tenant, name, role=role, unit_id=unit, descendants=below)
        made[name] = Person(await page_client(acc), acc.user_id, name, acc.token)
    return made


async def post_form(
    c: httpx.AsyncClient,
    page_url: str,
    action: str,
    data: dict[str, Any],
    *,
    files: Any = None,
    page: str | None = None,
) -> httpx.Response:
    """Open ``page_url`` (or use ``page``), take the hidden fields of the form posting to
    ``action`` and post ``data`` with them."""
    if page is None:
        opened = await c.get(page_url, headers=HTML)
        assert opened.status_code == 200, f"{page_url}: {opened.status_code}"
        page = opened.text
    fields = {**hidden_fields(page, action), **data}
    return await c.post(action, data=fields, files=files, headers=HTML)


def flash_of(page: str) -> list[str]:
    return re.findall(r'<p class="flash flash-\w+">([^<]*)</p>', page)


def field_error(page: str, name: str) -> str | None:
    found = re.search(rf'data-field-error="{re.escape(name)}">([^<]*)<', page)
    return found.group(1) if found else None


async def foreign_document(other_tenant: TenantInfo) -> int:
    """A registered incoming document of beta (ids of another tenant must give 404)."""
    from registry_support import new_registry

    from core.units.services import create_unit

    with tenant_context(other_tenant):
        unit = await create_unit("BNV", "Bộ Beta", short_name="BNV")
        registry = await new_registry(unit.id, "incoming", name="Sổ đến Beta")
    return await register(other_tenant, registry)
