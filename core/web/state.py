"""What request handlers read from the running app: its runtime, settings and the caller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from core.context import current_actor
from core.errors import Unauthenticated

if TYPE_CHECKING:
    from core.runtime import Runtime
    from core.settings import Settings
    from core.web.sessions import SessionCodec


def runtime_of(conn: HTTPConnection) -> Runtime:
    runtime: Runtime = conn.app.state.runtime
    return runtime


def settings_of(conn: HTTPConnection) -> Settings:
    return runtime_of(conn).settings


def sessions_of(conn: HTTPConnection) -> SessionCodec:
    sessions: SessionCodec = conn.app.state.sessions
    return sessions


def client_address(conn: HTTPConnection) -> str:
    """The peer address (set ``--proxy-headers`` on uvicorn behind a proxy)."""
    return conn.client.host if conn.client else "unknown"


def is_platform(conn: HTTPConnection) -> bool:
    return bool(conn.scope.get("congvan.platform"))


def current_user_id() -> int:
    """The signed-in tenant user's id; 401 for anyone else."""
    actor = current_actor()
    if actor.kind != "user" or actor.id is None:
        raise Unauthenticated("Sign in as a user of this tenant, or send a valid bearer token.")
    return actor.id
