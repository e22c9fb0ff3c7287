"""The error boundary: expected errors become problems, unexpected ones a logged 500."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import CongvanError
from core.web.problems import send_error, unexpected


class ErrorMiddleware:
    """Maps :class:`CongvanError` raised below it through :func:`core.web.problems.error_response`.

    Anything else is logged with a reference and answered with a 500 problem that shows no
    internals. When the response has already started nothing can be sent, so the error is
    re-raised for the server to close the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except CongvanError as exc:
            if started:
                raise
            await send_error(scope, receive, send, exc)
        except Exception as exc:
            error = unexpected(exc, scope)
            if started:
                raise
            await send_error(scope, receive, send, error)
