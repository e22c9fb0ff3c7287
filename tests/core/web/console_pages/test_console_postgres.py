"""The console on PostgreSQL (non-owner role, row-level security on): creating a tenant,
counting its users, applying a manifest and retrying a failed job all cross tenants from the
platform side."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from core.testing_web import HTML, PASSWORD, client_for, sign_in_page, submit_form

pytestmark = pytest.mark.postgres


async def test_the_console_works_under_row_level_security(pg_app, account, monkeypatch):
    from core.jobs.executor import execute_message
    from core.jobs.models import OutboxMessage
    from core.platform.services import create_platform_admin
    from core.tenancy.services import get_tenant

    app, alpha, _beta = pg_app
    await account(alpha, "admin")
    await create_platform_admin("operator", PASSWORD)
    async with client_for(app, "localhost") as c:
        assert (await sign_in_page(c, "operator", PASSWORD)).status_code == 303
        listed = await c.get("/platform/tenants", headers=HTML)
        alpha_row = re.search(r'<tr data-tenant="alpha"[^>]*>(.*?)</tr>', listed.text, re.S)
        assert alpha_row is not None
        assert "<td>1</td>" in alpha_row.group(1)
        detail = await c.get("/platform/tenants/alpha", headers=HTML)
        assert 'data-testid="users">1<' in detail.text

        data = {
            "slug": "gamma",
            "name": "Tỉnh Gamma",
            "theme": "default",
            "plugins": ["example"],
            "admin_username": "quantri",
            "admin_full_name": "Quản Trị",
            "admin_password": PASSWORD,
        }
        created = await submit_form(c, "/platform/tenants", "/platform/tenants", data)
        assert created.status_code == 303, created.text
        async with client_for(app, "gamma.localhost") as gamma:
            assert (await sign_in_page(gamma, "quantri", PASSWORD)).status_code == 303

        monkeypatch.setenv("CONGVAN_TEST_PG_PASSWORD", PASSWORD)
        manifest = (
            '[tenant]\nslug = "gamma"\nname = "Tỉnh Gamma"\n\n'
            '[[units]]\ncode = "VP"\nname = "Văn phòng"\n\n'
            '[[users]]\nusername = "vanthu"\nfull_name = "Văn Thư"\nunit = "VP"\n'
            'password = "$env:CONGVAN_TEST_PG_PASSWORD"\n'
            'roles = [{ role = "clerk", unit = "VP" }]\n'
        )
        applied = await submit_form(
            c, "/platform/manifest", "/platform/manifest", {"manifest_text": manifest}
        )
        assert applied.status_code == 200, applied.text
        assert "<li>unit VP</li>" in applied.text
        assert "<li>user vanthu</li>" in applied.text
        detail = await c.get("/platform/tenants/gamma", headers=HTML)
        assert 'data-testid="users">2<' in detail.text
        assert 'data-testid="units">1<' in detail.text

        row = await OutboxMessage.create(
            id=str(uuid.uuid4()),
            tenant_id=alpha.id,
            handler="gone.plugin_job",
            next_attempt_at=datetime.now(UTC),
        )
        assert await execute_message(row.id) == "failed"
        action = f"/platform/jobs/{row.id}/retry"
        retried = await submit_form(c, "/platform/jobs", action, {})
        assert retried.status_code == 303
    assert (await OutboxMessage.get(id=row.id)).status == "pending"
    assert (await get_tenant("gamma")).enabled_plugins == frozenset({"example"})
