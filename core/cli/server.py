"""``congvan serve | worker | migrate | makemigrations | demo``: running the platform."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from core.cli.output import print_json, print_table
from core.cli.permissions import PLATFORM, cli_permission
from core.cli.runner import json_option
from core.context import SYSTEM, acting_as

T = TypeVar("T")


def register(cli: click.Group) -> None:
    for command in (serve, worker, migrate_, makemigrations, demo):
        cli.add_command(command)


async def in_runtime(fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn`` with the runtime open, as the operator (for commands that also migrate)."""
    from core.cli.runner import open_runtime
    from core.runtime import stop_runtime

    runtime = await open_runtime()
    try:
        with acting_as(SYSTEM):
            return await fn()
    finally:
        await stop_runtime(runtime)


def run_migrations(as_json: bool = False, *, quiet: bool = False) -> list[str]:
    from core.runtime import migrate

    applied = asyncio.run(migrate())
    if as_json:
        print_json({"applied": applied})
    elif applied:
        click.echo(f"Applied {len(applied)} migration(s):")
        for name in applied:
            click.echo(f"  {name}")
    elif not quiet:
        click.echo("No migrations to apply: the database is up to date.")
    return applied


@click.command("migrate")
@json_option
@cli_permission(PLATFORM)
def migrate_(as_json: bool) -> None:
    """Apply pending migrations of the core and every installed plugin."""
    run_migrations(as_json)


@click.command("makemigrations")
@cli_permission(PLATFORM)
def makemigrations() -> None:
    """Write migrations for model changes (row-level security added to new tenant tables)."""
    from core.db.makemigrations import make_migrations
    from core.plugins.apps import model_apps
    from core.plugins.manager import get_host

    written = asyncio.run(make_migrations(model_apps(get_host())))
    if not written:
        click.echo("No changes detected.")
    for path in written:
        click.echo(f"Wrote {path}")


def print_demo(report: Any, as_json: bool, port: int = 8000) -> None:
    if as_json:
        print_json(report)
        return
    if report.created:
        click.echo(f"Demo tenant {report.tenant!r} created ({report.name}).")
    else:
        click.echo(f"Demo tenant {report.tenant!r} already exists; nothing was changed.")
    click.echo(
        "DEMO ONLY: these accounts have public, well-known passwords. Never use the demo "
        "tenant with real data or on a server reachable from the Internet."
    )
    click.echo(
        f"Open http://{report.host}:{port}/ (platform console: http://{report.platform_host}:{port}/)"
    )
    print_table(
        [vars(login) for login in report.logins],
        [("username", "USERNAME"), ("password", "PASSWORD"), ("role", "ROLE"), ("where", "WHERE")],
    )


async def _seed() -> Any:
    from core.demo import seed_demo

    return await seed_demo()


@click.command("demo")
@json_option
@cli_permission(PLATFORM)
def demo(as_json: bool) -> None:
    """Migrate and seed the demo tenant with an org tree and a user for every role."""
    run_migrations(quiet=True)
    print_demo(asyncio.run(in_runtime(_seed)), as_json)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--demo", "with_demo", is_flag=True, help="Migrate and seed the demo tenant first.")
@click.option("--reload", is_flag=True, help="Restart on code changes (development).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@cli_permission(PLATFORM)
def serve(host: str, port: int, with_demo: bool, reload: bool, workers: int) -> None:
    """Serve the web app and the API (tenants at <slug>.<base domain>:PORT)."""
    import uvicorn

    from core.runtime import preflight
    from core.settings import get_settings

    if with_demo:
        run_migrations(quiet=True)
        print_demo(asyncio.run(in_runtime(_seed)), False, port)
    settings = get_settings()
    # Fail here, with one line naming the setting, rather than inside uvicorn's lifespan.
    asyncio.run(preflight(settings))
    click.echo(
        f"Serving on http://{host}:{port} (tenants at http://<slug>.{settings.base_domain}:{port})"
    )
    uvicorn.run(
        "core.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=None if reload else workers,
        log_level=settings.log_level.lower(),
        proxy_headers=True,
    )


@click.command("worker")
@cli_permission(PLATFORM)
def worker() -> None:
    """Run a job worker (dispatches the outbox and runs handlers) until stopped."""
    from core.jobs.worker import run_worker
    from core.runtime import preflight
    from core.settings import get_settings

    settings = get_settings()
    asyncio.run(preflight(settings))
    run_worker(settings)
