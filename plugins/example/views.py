from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core import plugin_settings, render, requires
from plugins.example import services
from plugins.example.actions import CREATE, VIEW


def _note(note: object) -> dict[str, object]:
    return {"id": note.id, "title": note.title, "body": note.body}  # type: ignore[attr-defined]


@requires(VIEW)
async def notes_page(request: Request) -> Response:
    notes = await services.list_notes()
    greeting = plugin_settings("example").greeting
    return await render(request, "example/notes.html", {"notes": notes, "greeting": greeting})


@requires(VIEW)
async def list_notes(request: Request) -> Response:
    notes = await services.list_notes()
    greeting = plugin_settings("example").greeting
    return JSONResponse({"greeting": greeting, "items": [_note(n) for n in notes]})


@requires(CREATE)
async def create_note(request: Request) -> Response:
    data = await request.json()
    note = await services.create_note(str(data.get("title", "")), str(data.get("body", "")))
    return JSONResponse(_note(note), status_code=201)
