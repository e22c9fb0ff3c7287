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


# Outgoing and internal documents, part A (draft → sign).


@dataclass(frozen=True)
class DraftCreated(Event):
    """An outgoing or internal document was drafted."""

    document_id: int
    registry_id: int
    direction: str
    drafter_user_id: int | None


@dataclass(frozen=True)
class ReviewRequested(Event):
    """A draft was sent to reviewers (round ``review_round``)."""

    document_id: int
    review_round: int
    reviewer_user_ids: tuple[int, ...]
    mode: str


@dataclass(frozen=True)
class DraftReviewed(Event):
    """A reviewer decided (``agreed`` or ``changes_requested``); ``all_agreed`` when the round
    is over with every reviewer agreeing."""

    document_id: int
    review_id: int
    decision: str
    all_agreed: bool


@dataclass(frozen=True)
class DraftSubmitted(Event):
    """A draft was submitted to its signer."""

    document_id: int
    signer_user_id: int
    signing_form: str


@dataclass(frozen=True)
class DocumentApproved(Event):
    """The signer approved the document (it waits to be signed)."""

    document_id: int
    signer_user_id: int


@dataclass(frozen=True)
class DocumentReturned(Event):
    """The signer returned the document to the drafter with a reason."""

    document_id: int
    signer_user_id: int
    reason: str


@dataclass(frozen=True)
class DocumentSigned(Event):
    """The signed PDF is stored (status ``signed``): numbering and issue can follow."""

    document_id: int
    registry_id: int
    provider: str
    signed_by: str


# Outgoing and internal documents, part B (number, issue, distribute, recall).


@dataclass(frozen=True)
class DocumentNumbered(Event):
    """A signed outgoing/internal document got its number and notation (``code``)."""

    document_id: int
    registry_id: int
    number_id: int
    code: str
    year: int


@dataclass(frozen=True)
class DocumentIssued(Event):
    """An outgoing document was issued to ``recipient_ids`` (``Recipient`` rows). The external
    ones (``external_recipient_ids``, status ``to_be_sent``) are for the interconnect plugin."""

    document_id: int
    recipient_ids: tuple[int, ...]
    external_recipient_ids: tuple[int, ...]


@dataclass(frozen=True)
class CopyReceived(Event):
    """An internal issue created the incoming copy ``document_id`` (status ``received``) in the
    recipient's registry; it waits for the recipient's clerk."""

    document_id: int
    issued_document_id: int
    recipient_id: int
    registry_id: int


@dataclass(frozen=True)
class DocumentDistributed(Event):
    """An internal document was distributed to units and users of the agency."""

    document_id: int
    unit_ids: tuple[int, ...]
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class DocumentRecalled(Event):
    """An issued document was recalled (thu hồi): its internal copies are cancelled; the
    external recipients (``external_recipient_ids``) need a revoke package."""

    document_id: int
    reason: str
    cancelled_copy_ids: tuple[int, ...]
    external_recipient_ids: tuple[int, ...]
