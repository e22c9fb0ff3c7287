# mypy: disable-error-code="empty-body"
"""Hooks the example plugin publishes for other plugins (see ``register_hookspecs``)."""

from __future__ import annotations

from core import hookspec


class ExampleHookSpecs:
    @hookspec
    def example_note_badge(self, title: str) -> str | None:
        """A short badge shown next to a note titled ``title``, or ``None``. Tenant-scoped."""
