"""Refuse request bodies above ``CONGVAN_MAX_REQUEST_BYTES`` with a 413 problem."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import BadRequest, PayloadTooLarge
from core.web.problems import header, send_error


def too_large(limit: int, size: int | None = None) -> PayloadTooLarge:
    said = f"is {size} bytes" if size is not None else "is larger than that"
    return PayloadTooLarge(
        f"The request body {said}; the limit is {limit} bytes (CONGVAN_MAX_REQUEST_BYTES).",
        limit=limit,
    )


class BodyLimitMiddleware:
    """Checks ``Content-Length`` up front and counts streamed bytes for chunked bodies.

    A streamed body that crosses the limit raises :class:`PayloadTooLarge` from ``receive``,
    so the endpoint stops reading and the error middleware answers 413.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared:
            if not declared.isdigit():
                error = BadRequest(f"Content-Length {declared!r} is not a number of bytes.")
                await send_error(scope, receive, send, error)
                return
            if int(declared) > self.max_bytes:
                await send_error(scope, receive, send, too_large(self.max_bytes, int(declared)))
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise too_large(self.max_bytes)
            return message

        await self.app(scope, limited_receive, send)
