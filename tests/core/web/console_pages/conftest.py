"""Fixtures of the console page tests: a platform admin signed in through the login form on
the base domain (``localhost``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from core.testing_web import HTML, sign_in_page

OPERATOR = "operator"


@pytest.fixture
async def operator(app, client, password) -> AsyncIterator[httpx.AsyncClient]:
    """A platform admin's browser on ``localhost``, signed in with a session cookie."""
    from core.platform.services import create_platform_admin

    await create_platform_admin(OPERATOR, password, "Nhà vận hành")
    async with client(app, "localhost") as c:
        response = await sign_in_page(c, OPERATOR, password)
        assert response.status_code == 303, response.text
        home = await c.get("/", headers=HTML)
        assert 'data-testid="user-name">Nhà vận hành<' in home.text
        yield c
