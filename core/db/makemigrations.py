"""``congvan makemigrations``: tortoise's autodetector plus row-level security.

Every ``CreateModel`` of a tenant-scoped model gets an ``EnableRLS`` operation appended to the
same migration, so a plugin author cannot forget the second isolation lock.
"""

from __future__ import annotations

import re
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.operations import CreateModel

from core.db.config import ModelApp, tortoise_config

IMPORT_LINE = "from core import EnableRLS\n"


async def make_migrations(apps: list[ModelApp]) -> list[str]:
    config = tortoise_config("sqlite://:memory:", apps, rls=False)
    await Tortoise.init(config=config)
    try:
        detector = MigrationAutodetector(Tortoise.apps, config["apps"])
        written = []
        for writer in await detector.changes():
            tables = [
                _table(writer.app_label, op.name)
                for op in writer.operations
                if isinstance(op, CreateModel) and _tenant_scoped(writer.app_label, op.name)
            ]
            path = Path(str(writer.write()))
            if tables:
                _append_rls(path, tables)
            written.append(str(path))
        return written
    finally:
        await Tortoise.close_connections()


def _model(app_label: str, name: str) -> type:
    return Tortoise.apps[app_label][name]  # type: ignore[no-any-return]


def _tenant_scoped(app_label: str, name: str) -> bool:
    return bool(getattr(_model(app_label, name), "tenant_scoped", False))


def _table(app_label: str, name: str) -> str:
    return str(_model(app_label, name)._meta.db_table)  # type: ignore[attr-defined]


def _append_rls(path: Path, tables: list[str]) -> None:
    text = path.read_text()
    args = ", ".join(repr(t) for t in tables)
    # The operations list is the last "    ]" of the generated file.
    head, sep, tail = text.rpartition("\n    ]")
    if not sep:
        raise RuntimeError(f"cannot find the operations list in {path}")
    text = f"{head}\n        EnableRLS({args}),{sep}{tail}"
    text = re.sub(r"^(from tortoise import migrations\n)", r"\1" + IMPORT_LINE, text, count=1)
    path.write_text(text)
