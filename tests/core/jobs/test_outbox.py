"""enqueue(): the message commits or rolls back with the state change; bad input writes nothing."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from core.context import TenantInfo, platform_scope, tenant_context
from core.db.connection import atomic
from core.errors import Conflict, InvalidInput
from core.jobs.models import OutboxMessage
from core.jobs.outbox import enqueue
from plugins.example.models import Note
from plugins.example.services import create_note


async def _messages() -> list[OutboxMessage]:
    return list(await OutboxMessage.all().order_by("created_at"))


async def test_state_change_and_message_commit_together(tenant: TenantInfo) -> None:
    with tenant_context(tenant):
        note = await create_note("Công văn 12")  # its event enqueues example.count_note
    [message] = await _messages()
    assert message.handler == "example.count_note"
    assert message.payload == {"note_id": note.id}
    assert message.tenant_id == tenant.id
    assert message.status == "pending"
    assert message.attempts == 0
    assert message.max_attempts == 5  # the handler's own default
    assert message.next_attempt_at <= datetime.now(UTC)


async def test_rollback_leaves_no_message(tenant: TenantInfo) -> None:
    class Boom(Exception):
        pass

    async def change_then_fail() -> None:
        async with atomic():
            await Note.create(title="Nháp")
            await enqueue("example.count_note", {"note_id": 1})
            raise Boom

    with tenant_context(tenant), pytest.raises(Boom):
        await change_then_fail()
    with tenant_context(tenant):
        assert await Note.all().count() == 0
    assert await _messages() == []


async def test_failed_service_call_enqueues_nothing(tenant: TenantInfo) -> None:
    with tenant_context(tenant):
        await create_note("Trùng")
        with pytest.raises(Conflict):
            await create_note("Trùng")
    assert len(await _messages()) == 1


async def test_platform_message_has_no_tenant(db: str) -> None:
    with platform_scope():
        message_id = await enqueue("core.ping")
    message = await OutboxMessage.get(id=message_id)
    assert message.tenant_id is None
    assert message.payload == {}


async def test_delay_and_max_attempts(tenant: TenantInfo) -> None:
    before = datetime.now(UTC)
    with tenant_context(tenant):
        message_id = await enqueue(
            "example.count_note", {"note_id": 3}, max_attempts=2, delay_seconds=60
        )
    message = await OutboxMessage.get(id=message_id)
    assert message.max_attempts == 2
    assert 59 <= (message.next_attempt_at - before).total_seconds() <= 62


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"handler": "example.no_such"}, "handler", "No job handler named 'example.no_such'"),
        ({"payload": {"when": datetime.now(UTC)}}, "payload", "not JSON-serialisable"),
        ({"payload": {"x": math.nan}}, "payload", "not JSON-serialisable"),
        ({"payload": ["note", 1]}, "payload", "must be a dict, not list"),
        ({"max_attempts": 0}, "max_attempts", "between 1 and 100, not 0"),
        ({"max_attempts": 101}, "max_attempts", "between 1 and 100, not 101"),
        ({"delay_seconds": -1}, "delay_seconds", "zero or more, not -1"),
        ({"delay_seconds": math.inf}, "delay_seconds", "zero or more, not inf"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(
    tenant: TenantInfo, kwargs: dict[str, object], field: str, words: str
) -> None:
    arguments: dict[str, object] = {"handler": "example.count_note", "payload": {"note_id": 1}}
    arguments.update(kwargs)
    handler = arguments.pop("handler")
    payload = arguments.pop("payload")

    async def change_and_enqueue() -> None:
        async with atomic():
            await Note.create(title="Kèm theo")
            await enqueue(handler, payload, **arguments)  # type: ignore[arg-type]

    with tenant_context(tenant), pytest.raises(InvalidInput) as caught:
        await change_and_enqueue()
    assert words in caught.value.detail
    assert field in caught.value.errors
    with tenant_context(tenant):
        assert await Note.all().count() == 0
    assert await _messages() == []
