"""The request size limit, on a tiny app built inline."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.web.middleware.body_limit import BodyLimitMiddleware
from core.web.middleware.errors import ErrorMiddleware

LIMIT = 1024
received: list[int] = []


async def upload(request: Request) -> JSONResponse:
    body = await request.body()
    received.append(len(body))
    return JSONResponse({"size": len(body)})


@pytest.fixture
async def client():
    app = Starlette(
        routes=[Route("/upload", upload, methods=["POST"])],
        middleware=[Middleware(ErrorMiddleware), Middleware(BodyLimitMiddleware, max_bytes=LIMIT)],
    )
    received.clear()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t.localhost") as c:
        yield c


async def test_a_body_within_the_limit_passes(client):
    response = await client.post("/upload", content=b"x" * LIMIT)
    assert response.json() == {"size": LIMIT}


async def test_a_declared_oversize_body_is_refused_before_the_endpoint(client):
    response = await client.post("/upload", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert f"is {LIMIT + 1} bytes" in problem["detail"]
    assert "CONGVAN_MAX_REQUEST_BYTES" in problem["detail"]
    assert received == []


async def test_a_streamed_body_is_stopped_at_the_limit(client):
    async def chunks():
        for _ in range(10):
            yield b"y" * 512

    response = await client.post("/upload", content=chunks())
    assert response.status_code == 413
    assert f"the limit is {LIMIT} bytes" in response.json()["detail"]
    assert received == []


async def test_a_content_length_that_is_not_a_number_is_a_400():
    app = BodyLimitMiddleware(upload, max_bytes=LIMIT)
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/upload",
        "headers": [(b"content-length", b"ten")],
        "query_string": b"",
        "root_path": "",
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 400
    assert b"'ten' is not a number" in sent[1]["body"]
