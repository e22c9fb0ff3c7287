"""Probes: ``/healthz`` (the process is up), ``/readyz`` (its dependencies answer), ``/metrics``.

They answer on any host (see ``core.web.middleware.tenancy``). ``/readyz`` checks the database
(``SELECT 1``), the broker (Redis ``PING``; the in-process broker is always ready) and the blob
store (``check()``), each with a time limit, and names what fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.errors import NotFound
from core.web.permissions import public
from core.web.state import settings_of

CHECK_TIMEOUT = 3.0


@public
async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _instance_only(request: Request) -> None:
    """Readiness details and metrics describe the whole instance (every tenant's slug): they
    answer on internal addresses only, not on a tenant's host or the public base domain."""
    if request.scope.get("congvan.tenant") is not None or request.scope.get("congvan.platform"):
        raise NotFound(f"No page or endpoint at GET {request.url.path}.")


@public
async def readyz(request: Request) -> Response:
    _instance_only(request)
    checks: dict[str, Callable[[], Awaitable[None]]] = {
        "database": check_database,
        "broker": lambda: check_broker(settings_of(request).broker_url),
        "storage": request.app.state.store.check,
    }
    names = list(checks)
    outcomes = await asyncio.gather(*(_run(checks[name]) for name in names))
    results: dict[str, Any] = dict(zip(names, outcomes, strict=True))
    failing = [name for name in names if results[name]["status"] != "ok"]
    body: dict[str, Any] = {"status": "ok" if not failing else "unavailable", "checks": results}
    if failing:
        body["detail"] = f"Not ready: {', '.join(failing)} failing."
    return JSONResponse(body, status_code=503 if failing else 200)


@public
async def metrics(request: Request) -> Response:
    _instance_only(request)
    app_metrics = request.app.state.metrics
    return Response(app_metrics.exposition(), media_type=app_metrics.content_type)


async def _run(check: Callable[[], Awaitable[None]]) -> dict[str, str]:
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT)
    except TimeoutError:
        return {"status": "fail", "error": f"no answer within {CHECK_TIMEOUT:g} s"}
    except Exception as exc:
        return {"status": "fail", "error": _reason(exc)}
    return {"status": "ok"}


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


async def check_database() -> None:
    from core.db.connection import db

    await db().execute_query("SELECT 1")


async def check_broker(url: str) -> None:
    if not url.startswith(("redis://", "rediss://")):
        return
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    finally:
        await client.aclose()


def probe_routes() -> list[Route]:
    return [
        Route("/healthz", healthz, methods=["GET"], name="healthz"),
        Route("/readyz", readyz, methods=["GET"], name="readyz"),
        Route("/metrics", metrics, methods=["GET"], name="metrics"),
    ]
