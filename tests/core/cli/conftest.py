"""Run the real ``congvan`` console script in subprocesses against a temporary SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CONGVAN = Path(sys.executable).with_name("congvan")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Cli:
    """``cli("tenant", "list")`` runs ``congvan tenant list`` in a clean environment."""

    workdir: Path
    env: dict[str, str]

    @property
    def database(self) -> Path:
        return self.workdir / "var" / "congvan.sqlite3"

    def __call__(
        self, *args: str, code: int = 0, extra_env: dict[str, str] | None = None
    ) -> Result:
        completed = subprocess.run(
            [str(CONGVAN), *args],
            cwd=self.workdir,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=120,
        )
        result = Result(completed.returncode, completed.stdout, completed.stderr)
        assert result.code == code, (
            f"congvan {' '.join(args)} → {result.code}\n{result.err}{result.out}"
        )
        return result

    def fails(self, *args: str, code: int = 1) -> str:
        """Run a command that must fail; returns its one line of stderr."""
        result = self(*args, code=code)
        lines = result.err.strip().splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got: {result.err!r}"
        assert lines[0].startswith("Error: ")
        return lines[0]

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database) as connection:
            return list(connection.execute(statement, params))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")}
    var = tmp_path / "var"
    env.update(
        CONGVAN_VAR_DIR=str(var),
        CONGVAN_DATABASE_URL=f"sqlite://{var / 'congvan.sqlite3'}",
        CONGVAN_BROKER_URL="inprocess://",
        CONGVAN_BASE_DOMAIN="localhost",
    )
    return Cli(tmp_path, env)


@pytest.fixture
def migrated(cli: Cli) -> Cli:
    out = cli("migrate").out
    assert "core.0001_initial" in out
    return cli
