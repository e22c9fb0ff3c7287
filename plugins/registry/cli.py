"""``congvan registry …``: operator commands of the registry plugin."""

from __future__ import annotations

import click

from core import cli_permission, cli_tenant_option
from plugins.registry.actions import REGISTRIES_MANAGE


def add_commands(cli: click.Group) -> None:
    @cli.group("registry")
    def registry() -> None:
        """Document registry commands."""

    @registry.command("requeue-ocr")
    @cli_tenant_option()
    @cli_permission(REGISTRIES_MANAGE)
    async def requeue_ocr() -> None:
        """Read again the files of the tenant whose text was not extracted because an OCR tool
        (tesseract with vie, pdftoppm) was missing; run it once they are installed."""
        from plugins.registry.services.extraction import requeue_missing_ocr

        count = await requeue_missing_ocr()
        click.echo(f"{count} file(s) queued for text extraction again.")
