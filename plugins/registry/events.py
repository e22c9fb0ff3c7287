"""Events the registry publishes inside the transaction of the change (``core.publish``).

Listeners (other plugins, later the document flows and notifications) react with outbox jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import Event


@dataclass(frozen=True)
class NumberEvent(Event):
    number_id: int
    registry_id: int
    code: str
    year: int


@dataclass(frozen=True)
class NumberIssued(NumberEvent):
    """A number was given to a document (directly, or a reservation was used)."""


@dataclass(frozen=True)
class NumberReserved(NumberEvent):
    """A number was reserved for a document being signed."""


@dataclass(frozen=True)
class NumberReleased(NumberEvent):
    """A reservation was released; the number stays in the register, never reused."""


@dataclass(frozen=True)
class DocumentRegistered(Event):
    """An incoming document was registered (it has its arrival number)."""

    document_id: int
    registry_id: int
    direction: str
    arrival_number: int
    year: int
    source: str
    confidential: bool


@dataclass(frozen=True)
class DocumentRefused(Event):
    """A received document was refused (returned to the sender with a reason)."""

    document_id: int
    registry_id: int
    direction: str
    source: str
    reason: str


@dataclass(frozen=True)
class DocumentAssigned(Event):
    """A document was assigned (lead, co-handlers, for-information recipients)."""

    document_id: int
    assignment_ids: tuple[int, ...]
    parent_assignment_id: int | None


@dataclass(frozen=True)
class DocumentProcessing(Event):
    """The first opinion on an assigned document arrived: its processing started."""

    document_id: int
    assignment_id: int


@dataclass(frozen=True)
class DocumentCompleted(Event):
    """The lead completed the document (optionally with the reply document)."""

    document_id: int
    assignment_id: int
    reply_document_id: int | None
