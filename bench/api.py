"""API benchmark: the real app against a bare Starlette baseline, both under uvicorn.

    .venv/bin/python bench/api.py [--seconds 10] [--concurrency 32] [--units 200]

Sets up a fresh SQLite database in a temporary folder (migrations, tenant ``alpha``, an admin
user with a token, ~200 units), then serves

* the real app (``core.web.app:create_app``): ``GET /api/v1/units?limit=50`` with a bearer token
  — host resolution, token lookup, permission check, the unit service, pagination, pydantic;
* the baseline: a bare Starlette app on the same database file whose endpoint runs the same
  query (``SELECT … FROM core_unit WHERE tenant_id = ?`` through aiosqlite), sorts the rows and
  returns the first 50 as JSON.

Each gets ``--concurrency`` concurrent loopback clients for ``--seconds`` after a warm-up; the
script prints requests per second, the ratio and p50/p99 latencies. Whole run: under 2 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "alpha.localhost"
PASSWORD = "bench-password-1"

SETUP = """
import asyncio, sys
from core.context import tenant_context
from core.runtime import migrate, start_runtime, stop_runtime
from core.settings import load_settings

async def main(units):
    settings = load_settings()
    await migrate(settings)
    runtime = await start_runtime(settings)
    try:
        from core.tenancy.services import create_tenant
        from core.units.services import create_unit
        from core.users.services import list_users
        from core.users.tokens import create_token

        info = await create_tenant("alpha", "Tinh Alpha", admin_username="admin",
                                   admin_password=sys.argv[2], admin_full_name="Admin")
        with tenant_context(info):
            root = await create_unit("ROOT", "UBND tinh Alpha", short_name="UBND")
            for i in range(units - 1):
                await create_unit(f"U{i:04d}", f"Don vi {i:04d}", parent_id=root.id,
                                  kind="department")
            admin = (await list_users(q="admin"))[0]
            _, token = await create_token(admin.id, "bench")
        print(token)
    finally:
        await stop_runtime(runtime)

asyncio.run(main(int(sys.argv[1])))
"""


# ---------------------------------------------------------------------------- the baseline


def baseline_app() -> Any:
    """The bare Starlette app (``uvicorn api:baseline_app --factory --app-dir bench``)."""
    import aiosqlite
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    path = os.environ["BENCH_SQLITE"]
    tenant_id = int(os.environ["BENCH_TENANT_ID"])
    columns = (
        "id, code, name, short_name, kind, parent_id, path, level, organ_id, organ_id_v2, "
        "is_active, sort_order"
    )
    state: dict[str, aiosqlite.Connection] = {}

    async def units(request: Request) -> JSONResponse:
        cursor = await state["db"].execute(
            f"SELECT {columns} FROM core_unit WHERE tenant_id = ?",
            (tenant_id,),
        )
        rows = await cursor.fetchall()
        names = [c.strip() for c in columns.split(",")]
        items = sorted(
            (dict(zip(names, row, strict=True)) for row in rows), key=lambda r: (r["path"], r["id"])
        )
        for item in items:
            item["is_active"] = bool(item["is_active"])
        return JSONResponse({"items": items[:50], "next_cursor": None})

    async def lifespan(app: Starlette) -> Any:
        state["db"] = await aiosqlite.connect(path)
        yield
        await state["db"].close()

    from contextlib import asynccontextmanager

    return Starlette(routes=[Route("/units", units)], lifespan=asynccontextmanager(lifespan))


# ---------------------------------------------------------------------------- load


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


async def drive(
    name: str, url: str, headers: dict[str, str], seconds: float, concurrency: int
) -> Result:
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, headers=headers, timeout=30) as client:
        warm_until = time.perf_counter() + 1.5
        while time.perf_counter() < warm_until:
            (await client.get(url)).raise_for_status()
        latencies: list[float] = []
        errors = 0
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(name, len(latencies), errors, elapsed, latencies)


# ---------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        *args,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"uvicorn {args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), 0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"uvicorn {args[0]} did not start listening on port {port}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def tenant_id(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        row = connection.execute("SELECT id FROM core_tenant WHERE slug = 'alpha'").fetchone()
    return int(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--units", type=int, default=200)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="congvan-bench-") as tmp:
        var = Path(tmp) / "var"
        env = {
            **os.environ,
            "CONGVAN_VAR_DIR": str(var),
            "CONGVAN_SECRET_KEY": "bench-secret-key",
            "CONGVAN_BASE_DOMAIN": "localhost",
            "CONGVAN_LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        setup = subprocess.run(
            [sys.executable, "-c", SETUP, str(options.units), PASSWORD],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if setup.returncode != 0:
            raise SystemExit(f"setup failed:\n{setup.stderr}")
        token = setup.stdout.strip().splitlines()[-1]
        database = var / "congvan.sqlite3"
        env["BENCH_SQLITE"] = str(database)
        env["BENCH_TENANT_ID"] = str(tenant_id(database))

        results: list[Result] = []
        for name, args, path, headers in (
            (
                "baseline",
                ["api:baseline_app", "--factory", "--app-dir", str(ROOT / "bench")],
                "/units",
                {"Host": HOST},
            ),
            (
                "congvan",
                ["core.web.app:create_app", "--factory"],
                "/api/v1/units?limit=50",
                {"Host": HOST, "Authorization": f"Bearer {token}"},
            ),
        ):
            port = free_port()
            process = serve(args, env, port)
            try:
                url = f"http://127.0.0.1:{port}{path}"
                results.append(
                    asyncio.run(drive(name, url, headers, options.seconds, options.concurrency))
                )
            finally:
                stop(process)

    baseline, real = results
    print(
        f"GET 50 of {options.units} units, {options.concurrency} concurrent clients, "
        f"{options.seconds:g} s each, one uvicorn worker, SQLite"
    )
    print(f"{'':10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for result in results:
        print(
            f"{result.name:10} {result.rps:9.0f} {result.percentile(0.5):8.1f} "
            f"{result.percentile(0.99):8.1f} {result.errors:7d}"
        )
    print(f"ratio congvan/baseline: {real.rps / baseline.rps:.2f}")
    print(
        json.dumps(
            {
                "baseline_rps": round(baseline.rps, 1),
                "congvan_rps": round(real.rps, 1),
                "ratio": round(real.rps / baseline.rps, 3),
                "congvan_p50_ms": round(real.percentile(0.5), 2),
                "congvan_p99_ms": round(real.percentile(0.99), 2),
                "baseline_p50_ms": round(baseline.percentile(0.5), 2),
                "baseline_p99_ms": round(baseline.percentile(0.99), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
