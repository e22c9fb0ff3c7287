"""Notes: the example plugin's service layer (no requests, no tenant arguments)."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from core import Conflict, InvalidInput, atomic, current_actor, plugin_settings, publish
from plugins.example.events import NoteCreated
from plugins.example.models import Note


async def create_note(title: str, body: str = "") -> Note:
    title = title.strip()
    if not title:
        raise InvalidInput("A note needs a title.", {"title": "required"})
    settings = plugin_settings("example")
    async with atomic():
        if await Note.all().count() >= settings.max_notes:
            raise Conflict(f"This tenant may keep at most {settings.max_notes} notes.")
        if await Note.filter(title=title).exists():
            raise Conflict(f"A note titled {title!r} already exists.")
        try:
            note = await Note.create(title=title, body=body, created_by=current_actor().ref)
        except IntegrityError:  # a concurrent request created it since the check above
            raise Conflict(f"A note titled {title!r} already exists.") from None
        await publish(NoteCreated(note_id=note.id, title=note.title))
    return note


async def list_notes() -> list[Note]:
    return await Note.all().order_by("id")
