from __future__ import annotations

from dataclasses import dataclass

from core import Event


@dataclass(frozen=True)
class NoteCreated(Event):
    note_id: int
    title: str
