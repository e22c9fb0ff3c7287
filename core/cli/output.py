"""Printing: tables for people, ``--json`` for scripts, one line on stderr for errors."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import click


def plain(value: Any) -> Any:
    """Dataclasses, tuples, sets and datetimes as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    click.echo(json.dumps(plain(value), ensure_ascii=False, indent=2))


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)


def print_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]]) -> None:
    """Aligned columns ``(key, header)``; says so when there is nothing to show."""
    if not rows:
        click.echo("(none)")
        return
    texts = [[cell(row.get(key)) for key, _ in columns] for row in rows]
    widths = [
        max(len(header), *(len(t[i]) for t in texts)) for i, (_, header) in enumerate(columns)
    ]
    click.echo("  ".join(h.ljust(w) for (_, h), w in zip(columns, widths, strict=True)).rstrip())
    for text in texts:
        click.echo("  ".join(t.ljust(w) for t, w in zip(text, widths, strict=True)).rstrip())


def print_fields(pairs: Sequence[tuple[str, Any]]) -> None:
    width = max(len(label) for label, _ in pairs)
    for label, value in pairs:
        click.echo(f"{label.ljust(width)}  {cell(value)}")


def error_line(message: str) -> None:
    """One line on stderr (newlines folded: an error must stay one line)."""
    text = " ".join(str(message).split())
    click.echo(f"Error: {text}", file=sys.stderr)
