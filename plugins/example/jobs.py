"""Outbox handlers of the example plugin."""

from __future__ import annotations

from typing import Any

from core import JobHandler
from plugins.example.models import NoteStat


async def count_note(payload: dict[str, Any], message_id: str) -> None:
    # Idempotent by message id: a redelivered message finds its row and does nothing.
    await NoteStat.get_or_create(message_id=message_id, defaults={"note_id": payload["note_id"]})


HANDLERS = [JobHandler("example.count_note", count_note, max_attempts=5)]
