"""Submit-once: a form's nonce is recorded with the change it made, in one transaction."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import InvalidInput
from core.web.form_models import FormSubmission
from core.web.forms import AlreadySubmitted, Form, forget_old_nonces


async def test_a_second_submission_of_the_same_form_does_nothing(any_db, tenant_context):
    from core.units.models import Unit
    from core.units.services import create_unit

    form = Form(nonce="nonce-1")
    async with form.once():
        await create_unit("VP", "Văn phòng")
    with pytest.raises(AlreadySubmitted):
        async with form.once():
            await create_unit("VP2", "Văn phòng 2")
    assert await Unit.filter().count() == 1


async def test_a_failed_submission_can_be_sent_again(any_db, tenant_context):
    from core.units.models import Unit
    from core.units.services import create_unit

    form = Form(nonce="nonce-2")
    with pytest.raises(InvalidInput):
        async with form.once():
            await create_unit("", "")
    assert not await FormSubmission.filter(nonce="nonce-2").exists()
    async with form.once():
        await create_unit("VP", "Văn phòng")
    assert await Unit.filter().count() == 1


async def test_two_racing_submissions_make_one_change(pg_db, tenant_context):
    from core.units.models import Unit
    from core.units.services import create_unit

    async def submit(code: str) -> str:
        try:
            async with Form(nonce="racing").once():
                await create_unit(code, "Đơn vị " + code)
                await asyncio.sleep(0.05)  # both are inside their transaction now
        except AlreadySubmitted:
            return "duplicate"
        return "done"

    results = await asyncio.gather(submit("A1"), submit("A2"))
    assert sorted(results) == ["done", "duplicate"]
    assert await Unit.filter().count() == 1


async def test_old_nonces_are_forgotten(db):
    await FormSubmission.create(nonce="old")
    await FormSubmission.create(nonce="new")
    later = datetime.now(UTC) + timedelta(days=3)
    assert await forget_old_nonces(now=later) == 2
    assert await forget_old_nonces() == 0
