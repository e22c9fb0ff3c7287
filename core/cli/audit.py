"""``congvan audit verify``: prove a tenant's hash-chained audit trail is intact."""

from __future__ import annotations

import click

from core.cli.output import print_json
from core.cli.permissions import cli_permission
from core.cli.runner import json_option, tenant_option


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


def register(cli: click.Group) -> None:
    cli.add_command(audit_group)


@audit_group.command("verify")
@tenant_option()
@json_option
@cli_permission("core.audit.view")
async def verify(as_json: bool) -> None:
    """Recompute the chain; exit 1 and name the first broken event when it is not intact."""
    from core.audit.services import verify_chain

    result = await verify_chain()
    if as_json:
        print_json(result)
    elif result.ok:
        click.echo(f"OK: {result.count} events, chain intact")
    else:
        click.echo(f"BROKEN at event #{result.broken_seq}: {result.reason}")
    if not result.ok:
        # click's Exit passes through asyncio and the runtime's cleanup like any error.
        click.get_current_context().exit(1)
