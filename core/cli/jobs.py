"""``congvan jobs …``: dead letters of the outbox, and retrying them."""

from __future__ import annotations

import click

from core.cli.output import print_json, print_table
from core.cli.permissions import PLATFORM, cli_permission
from core.cli.runner import json_option, tenant_option
from core.context import current_tenant_or_none


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs (the outbox)."""


def register(cli: click.Group) -> None:
    cli.add_command(jobs_group)


def _message(message: object) -> dict[str, object]:
    fields = ("id", "tenant_id", "handler", "status", "attempts", "max_attempts", "last_error")
    row = {name: getattr(message, name, None) for name in fields}
    created = getattr(message, "created_at", None)
    row["created_at"] = created.isoformat() if created is not None else None
    return row


@jobs_group.command("failed")
@tenant_option(required=False)
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@json_option
@cli_permission(PLATFORM)
async def failed(limit: int, as_json: bool) -> None:
    """List messages that failed for good, with the reason (all tenants, or --tenant)."""
    from core.jobs.admin import failed_messages

    tenant = current_tenant_or_none()
    rows = [
        _message(m)
        for m in await failed_messages(tenant_id=tenant.id if tenant else None, limit=limit)
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        row["last_error"] = (str(row["last_error"] or "").strip().splitlines() or [""])[0][:80]
    print_table(
        rows,
        [
            ("id", "ID"),
            ("tenant_id", "TENANT"),
            ("handler", "HANDLER"),
            ("attempts", "ATTEMPTS"),
            ("last_error", "LAST ERROR"),
        ],
    )


@jobs_group.command("retry")
@click.argument("message_id")
@cli_permission(PLATFORM)
async def retry(message_id: str) -> None:
    """Queue a failed message again (attempts start over)."""
    from core.jobs.admin import retry_message

    message = await retry_message(message_id)
    click.echo(f"Message {message.id} ({message.handler}) queued again.")
