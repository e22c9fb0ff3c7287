"""Plugins import only ``core``'s public API and other plugins' published hookspecs.

Two independent checks: import-linter's contract in pyproject.toml (``lint-imports``, also run
by ``make lint``), and an AST walk over ``plugins/`` that also catches imports inside
functions and from other plugins' private modules.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
# What one plugin may import from another: the modules it publishes for that purpose.
PUBLISHED_MODULES = frozenset({"hookspecs", "protocols"})


def _lint_imports() -> str:
    candidate = Path(sys.executable).parent / "lint-imports"
    found = str(candidate) if candidate.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.fail("lint-imports is not installed: pip install -e '.[test]' (import-linter)")
    return found


def test_import_linter_contracts_are_kept() -> None:
    result = subprocess.run(
        [_lint_imports(), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"lint-imports failed:\n{output}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    # A module's relative imports start from its package; a package's from itself.
    anchor = base if is_package else base[:-1]
    anchor = anchor[: len(anchor) - (node.level - 1)]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def violations_in(source: str, module: str, *, is_package: bool = False) -> list[str]:
    """The forbidden imports of one plugin module, as ``line: imported`` strings."""
    own_plugin = module.split(".")[1] if module.count(".") >= 1 else ""
    found: list[str] = []

    def check(target: str, names: list[str], line: int) -> None:
        parts = target.split(".")
        if parts[0] == "core" and len(parts) > 1:
            found.append(f"{line}: {target} (import from 'core' instead)")
        elif parts[0] == "plugins" and len(parts) > 1 and parts[1] != own_plugin:
            if len(parts) > 2:
                allowed = parts[2] in PUBLISHED_MODULES
            else:
                allowed = bool(names) and all(n in PUBLISHED_MODULES for n in names)
            if not allowed:
                found.append(f"{line}: {target} (private module of plugin {parts[1]!r})")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check(alias.name, [], node.lineno)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node, is_package)
            check(target, [alias.name for alias in node.names], node.lineno)
    return found


def _plugin_files() -> list[Path]:
    return sorted(p for p in PLUGINS.rglob("*.py") if "__pycache__" not in p.parts)


def test_plugins_import_only_the_public_api() -> None:
    files = _plugin_files()
    assert files, "no plugin modules found under plugins/"
    problems = []
    for path in files:
        module = _module_name(path)
        for problem in violations_in(
            path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"
        ):
            problems.append(f"{path.relative_to(ROOT)}:{problem}")
    assert not problems, "plugins import private modules:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from core import TenantModel, hookimpl", []),
        ("import core", []),
        ("from core.db.base import TenantModel", ["core.db.base"]),
        ("import core.context", ["core.context"]),
        ("def f():\n    from core.plugins.types import Action", ["core.plugins.types"]),
        ("from plugins.signing.hookspecs import SigningSpecs", []),
        ("from plugins.signing import hookspecs", []),
        ("from plugins.signing.services import sign", ["plugins.signing.services"]),
        ("from plugins.signing import services", ["plugins.signing"]),
        ("from plugins.demo.models import Note", []),
        ("from . import models", []),
        ("from .models import Note", []),
        ("from ..signing.models import Key", ["plugins.signing.models"]),
    ],
)
def test_ast_check_flags_exactly_the_private_imports(source: str, expected: list[str]) -> None:
    problems = violations_in(source, "plugins.demo.plugin")
    flagged = [p.split(": ", 1)[1].split(" ")[0] for p in problems]
    assert flagged == expected
