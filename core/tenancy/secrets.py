"""Secrets in manifests are references, never values: ``$env:NAME`` or ``$file:PATH``."""

from __future__ import annotations

import os
from pathlib import Path

from core.errors import InvalidInput

ENV_PREFIX = "$env:"
FILE_PREFIX = "$file:"


def is_secret_reference(value: object) -> bool:
    return isinstance(value, str) and value.startswith((ENV_PREFIX, FILE_PREFIX))


def check_reference(value: object, where: str) -> str:
    """Return ``value`` when it is a reference; otherwise raise InvalidInput naming ``where``."""
    if not is_secret_reference(value) or len(str(value)) <= len(ENV_PREFIX):
        raise InvalidInput(
            f"{where}: secrets must be $env:NAME or $file:PATH references",
            {where: "literal secret"},
        )
    return str(value)


def resolve_secret(reference: str, where: str, *, base_dir: Path | None = None) -> str:
    """The secret a reference points at. ``$file:`` paths are relative to ``base_dir``.

    A trailing newline of a secret file is dropped (editors and ``echo`` add one).
    """
    check_reference(reference, where)
    if reference.startswith(ENV_PREFIX):
        name = reference.removeprefix(ENV_PREFIX)
        value = os.environ.get(name)
        if not value:
            raise InvalidInput(f"{where}: environment variable {name} is not set", {where: "unset"})
        return value
    path = Path(reference.removeprefix(FILE_PREFIX)).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise InvalidInput(
            f"{where}: cannot read secret file {path} ({exc.strerror or exc})",
            {where: "unreadable"},
        ) from None
    if not value:
        raise InvalidInput(f"{where}: secret file {path} is empty", {where: "empty"})
    return value
