"""The hook contract: every hook documented (in code and in docs/hooks.md), implemented by the
example plugin, and loadable from built-ins and from the ``congvan.plugins`` entry-point group."""

from __future__ import annotations

import inspect
import re
import sys
import textwrap
from pathlib import Path

import pytest

from core import PluginInfo, hookimpl
from core.hookspecs import HOOK_NAMES, CoreHookSpecs
from core.plugins.manager import ENTRY_POINT_GROUP, PluginError, PluginHost, build_host

ROOT = Path(__file__).resolve().parents[2]
HOOKS_DOC = ROOT / "docs" / "hooks.md"
HEADING = re.compile(r"^## `(\w+)`\s*$", re.MULTILINE)
# Backticked words shaped like hook names (register_*, on_*, *_for_*): each must be a real hook.
HOOKLIKE = re.compile(r"`((?:register|on)_[a-z_]+|[a-z]+_for_[a-z_]+)(?:\(\))?`")


def _sections() -> dict[str, str]:
    text = HOOKS_DOC.read_text(encoding="utf-8")
    matches = list(HEADING.finditer(text))
    sections = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        sections[match.group(1)] = text[match.end() : end]
    return sections


def _params(name: str) -> list[str]:
    return [p for p in inspect.signature(getattr(CoreHookSpecs, name)).parameters if p != "self"]


def test_hook_names_cover_the_spec_class() -> None:
    assert HOOK_NAMES, "core.hookspecs.HOOK_NAMES is empty"
    assert len(set(HOOK_NAMES)) == len(HOOK_NAMES)
    for name in HOOK_NAMES:
        assert callable(getattr(CoreHookSpecs, name)), name


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_has_a_docstring(name: str) -> None:
    doc = inspect.getdoc(getattr(CoreHookSpecs, name)) or ""
    assert doc.strip(), f"hook {name!r} in core/hookspecs.py has no docstring"
    # The docstring must say whether the hook is tenant-scoped or platform-wide.
    assert re.search(r"tenant-scoped|platform-wide", doc, re.IGNORECASE), (
        f"the docstring of hook {name!r} does not say 'Tenant-scoped' or 'Platform-wide'"
    )


def test_hooks_doc_has_one_section_per_hook() -> None:
    documented = list(_sections())
    missing = sorted(set(HOOK_NAMES) - set(documented))
    unknown = sorted(set(documented) - set(HOOK_NAMES))
    assert not missing, f"docs/hooks.md lacks a '## `name`' section for: {', '.join(missing)}"
    assert not unknown, f"docs/hooks.md documents hooks that do not exist: {', '.join(unknown)}"
    duplicated = sorted({n for n in documented if documented.count(n) > 1})
    assert not duplicated, f"docs/hooks.md documents these hooks twice: {', '.join(duplicated)}"


def test_hooks_doc_mentions_no_unknown_hook() -> None:
    mentioned = set(HOOKLIKE.findall(HOOKS_DOC.read_text(encoding="utf-8")))
    unknown = sorted(mentioned - set(HOOK_NAMES))
    assert not unknown, f"docs/hooks.md mentions hooks that do not exist: {', '.join(unknown)}"


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_hooks_doc_section_shows_the_signature(name: str) -> None:
    section = _sections().get(name, "")
    signature = re.search(rf"def {name}\(([^)]*)\)", section)
    assert signature, f"the section of {name!r} in docs/hooks.md has no 'def {name}(…)' signature"
    documented = [p.split(":")[0].strip() for p in signature.group(1).split(",") if p.strip()]
    assert documented == _params(name), (
        f"docs/hooks.md shows {name}({', '.join(documented)}), "
        f"core/hookspecs.py declares {name}({', '.join(_params(name))})"
    )
    for word in ("Runs", "Scope", "Returns"):
        assert f"**{word}**" in section, f"the section of {name!r} lacks its **{word}** line"


def test_builtin_plugins_load_and_every_hookimpl_has_a_spec() -> None:
    host = build_host()  # as a process starts: built-ins and installed entry points
    host.pm.check_pending()
    assert "core" in host.essential
    assert "example" in host.names()


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_example_plugin_implements_every_hook(name: str) -> None:
    host = build_host(entry_points_too=False)
    implementers = {impl.plugin_name for impl in getattr(host.pm.hook, name).get_hookimpls()}
    assert "example" in implementers, (
        f"plugins/example/plugin.py does not implement {name!r}: the example must cover every hook"
    )


def test_misspelt_hook_name_is_rejected_with_a_clear_error() -> None:
    class Typo:
        @hookimpl
        def plugin_info(self) -> PluginInfo:
            return PluginInfo(name="typo", version="0.1", title="Typo")

        @hookimpl
        def register_rotues(self) -> list[object]:
            return []

    host = build_host(entry_points_too=False)
    host.register(Typo())
    with pytest.raises(PluginError, match=r"unknown hook 'register_rotues'"):
        host.check()


def test_plugin_without_plugin_info_is_rejected() -> None:
    class Anonymous:
        @hookimpl
        def register_actions(self) -> list[object]:
            return []

    host = build_host(entry_points_too=False)
    before = host.names()
    with pytest.raises(PluginError, match="has no plugin_info hook"):
        host.register(Anonymous())
    assert host.names() == before


def test_plugin_name_clash_is_rejected() -> None:
    class Impostor:
        @hookimpl
        def plugin_info(self) -> PluginInfo:
            return PluginInfo(name="example", version="9.9", title="Impostor")

    host = build_host(entry_points_too=False)
    with pytest.raises(PluginError, match="'example' is already registered"):
        host.register(Impostor())
    assert host.info("example").version != "9.9"


HELLO_PLUGIN = '''
"""A third-party plugin installed as its own distribution."""

from core import Action, PluginInfo, hookimpl


@hookimpl
def plugin_info():
    return PluginInfo(name="hello", version="0.1.0", title="Hello")


@hookimpl
def register_actions():
    return [Action("hello.greet", "Greet")]
'''


def _install_fake_distribution(root: Path) -> None:
    (root / "hello_plugin.py").write_text(textwrap.dedent(HELLO_PLUGIN), encoding="utf-8")
    dist_info = root / "congvan_hello-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: congvan-hello\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nhello = hello_plugin\n", encoding="utf-8"
    )


def test_third_party_plugin_loads_from_entry_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install_fake_distribution(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "hello_plugin", raising=False)

    host = PluginHost()
    try:
        loaded = host.load_entry_points()
        assert "hello" in loaded
        host.check()
        assert host.info("hello").version == "0.1.0"
        keys = [action.key for action in host.collect("register_actions")]
        assert "hello.greet" in keys
    finally:
        if host.pm.has_plugin("hello"):
            host.pm.unregister(name="hello")
        sys.modules.pop("hello_plugin", None)
    assert not host.pm.has_plugin("hello")


def test_broken_entry_point_is_reported_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist_info = tmp_path / "congvan_broken-0.1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: congvan-broken\nVersion: 0.1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nbroken = no_such_module_for_congvan\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    host = PluginHost()
    with pytest.raises(PluginError, match="cannot load plugin entry point broken"):
        host.load_entry_points()
    assert not host.pm.has_plugin("broken")
