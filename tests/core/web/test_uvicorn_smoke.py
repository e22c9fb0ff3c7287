"""The smoke test: the real app under a real uvicorn process (STACK.md: tortoise's context).

An in-process test that drives the lifespan in the test's own task hides the "No
TortoiseContext is currently active" failure; a separate server process with its own event
loop and request tasks does not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.testing import free_port

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "smoke-password-1"

SETUP = """
import asyncio, sys
from core.context import tenant_context
from core.runtime import migrate, start_runtime, stop_runtime
from core.settings import load_settings

async def main():
    settings = load_settings()
    await migrate(settings)
    runtime = await start_runtime(settings)
    try:
        from core.tenancy.services import create_tenant
        from core.units.services import create_unit

        info = await create_tenant("alpha", "Tỉnh Alpha", admin_username="admin",
                                   admin_password=sys.argv[1], admin_full_name="Quản trị")
        with tenant_context(info):
            await create_unit("UBND", "Ủy ban nhân dân tỉnh Alpha", short_name="UBND")
        await create_tenant("beta", "Bộ Beta")
    finally:
        await stop_runtime(runtime)

asyncio.run(main())
"""

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("smoke")
    env = {
        **os.environ,
        "CONGVAN_VAR_DIR": str(tmp / "var"),
        "CONGVAN_SECRET_KEY": "smoke-secret",
        "CONGVAN_BASE_DOMAIN": "localhost",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CONGVAN_DATABASE_URL", None)
    env.pop("CONGVAN_STORAGE_URL", None)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, PASSWORD],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert setup.returncode == 0, setup.stderr
    port = free_port()
    log = (tmp / "uvicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "core.web.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=tmp,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            assert process.poll() is None, (tmp / "uvicorn.log").read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.time() < deadline, "uvicorn did not answer /healthz within 30 s"
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    assert "Traceback" not in (tmp / "uvicorn.log").read_text()


def test_token_then_tenant_scoped_units(server: str) -> None:
    alpha = {"Host": "alpha.localhost"}
    response = httpx.post(
        f"{server}/api/v1/auth/token",
        json={"username": "admin", "password": PASSWORD},
        headers=alpha,
    )
    assert response.status_code == 200, response.text
    token = response.json()["token"]
    units = httpx.get(
        f"{server}/api/v1/units", headers={**alpha, "Authorization": f"Bearer {token}"}
    )
    assert units.status_code == 200, units.text
    assert [u["code"] for u in units.json()["items"]] == ["UBND"]
    beta = httpx.get(
        f"{server}/api/v1/units",
        headers={"Host": "beta.localhost", "Authorization": f"Bearer {token}"},
    )
    assert beta.status_code == 401
    assert beta.json()["detail"] == "Unknown token."


def test_unknown_host_is_404(server: str) -> None:
    response = httpx.get(f"{server}/api/v1/units", headers={"Host": "nobody.localhost"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_probes_answer(server: str) -> None:
    assert httpx.get(f"{server}/healthz").status_code == 200
    ready = httpx.get(f"{server}/readyz")
    assert ready.status_code == 200, ready.text
    assert set(ready.json()["checks"]) == {"database", "broker", "storage"}
    httpx.get(f"{server}/api/v1/openapi.json", headers={"Host": "alpha.localhost"})
    metrics = httpx.get(f"{server}/metrics")
    assert 'route="/api/v1/openapi.json",status="200",tenant="alpha"' in metrics.text
