"""The example plugin end to end: page, API, event → outbox job, settings, enablement, CLI."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from core.context import platform_scope, tenant_context
from core.jobs.dispatcher import Dispatcher
from core.jobs.inprocess import InProcessBackend
from core.jobs.models import OutboxMessage
from plugins.example.models import Note, NoteStat


async def run_jobs() -> None:
    backend = InProcessBackend(workers=2)
    await backend.start()
    try:
        await Dispatcher(backend).run_once()
        for _ in range(100):
            with platform_scope():
                if not await OutboxMessage.filter(status__in=["pending", "dispatched"]).exists():
                    return
            await asyncio.sleep(0.05)
    finally:
        await backend.stop()


async def test_page_renders_the_notes_and_the_tenant_greeting(api):
    await api.post("/api/v1/example/notes", json={"title": "Họp giao ban"})
    page = await api.get("/example/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "Họp giao ban" in page.text
    assert "Xin chào" in page.text
    await api.patch("/api/v1/plugins/example", json={"settings": {"greeting": "Kính chào"}})
    assert "Kính chào" in (await api.get("/example/")).text


async def test_a_new_note_publishes_an_event_whose_job_runs_once_in_the_tenant(
    api, tenant, other_tenant
):
    created = await api.post("/api/v1/example/notes", json={"title": "Công văn 15"})
    assert created.status_code == 201, created.text
    with platform_scope():
        message = await OutboxMessage.get(handler="example.count_note")
        assert message.tenant_id == tenant.id
        assert message.payload == {"note_id": created.json()["id"]}
    await run_jobs()
    with tenant_context(tenant):
        assert [s.note_id for s in await NoteStat.all()] == [created.json()["id"]]
    with tenant_context(other_tenant):
        assert await NoteStat.all().count() == 0


async def test_bad_notes_get_clear_answers_and_change_nothing(api, tenant):
    await api.post("/api/v1/example/notes", json={"title": "Một"})
    duplicate = await api.post("/api/v1/example/notes", json={"title": "Một"})
    assert duplicate.status_code == 409
    assert "already exists" in duplicate.json()["detail"]
    empty = await api.post("/api/v1/example/notes", json={"title": "  "})
    assert empty.status_code == 422
    await api.patch("/api/v1/plugins/example", json={"settings": {"max_notes": 1}})
    over = await api.post("/api/v1/example/notes", json={"title": "Hai"})
    assert over.status_code == 409
    assert "at most 1 notes" in over.json()["detail"]
    with tenant_context(tenant):
        assert [n.title for n in await Note.all()] == ["Một"]
    with platform_scope():
        assert await OutboxMessage.all().count() == 1


async def test_notes_stay_inside_their_tenant(api, other_api):
    await api.post("/api/v1/example/notes", json={"title": "Chỉ của Alpha"})
    theirs = (await other_api.get("/api/v1/example/notes")).json()["items"]
    assert [n["title"] for n in theirs] == []
    assert "Chỉ của Alpha" not in (await other_api.get("/example/")).text


async def test_a_disabled_plugin_has_no_page_and_no_api(api):
    await api.patch("/api/v1/plugins/example", json={"enabled": False})
    assert (await api.get("/example/")).status_code == 404
    assert (await api.post("/api/v1/example/notes", json={"title": "x"})).status_code == 404


async def test_anonymous_callers_are_asked_to_sign_in(anon):
    response = await anon.get("/api/v1/example/notes")
    assert response.status_code == 401


def test_the_plugin_adds_a_cli_command():
    from core.cli import build_cli

    result = CliRunner().invoke(build_cli(), ["example", "hello", "Hà Nội"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Xin chào, Hà Nội!"
