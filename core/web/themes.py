"""Tenant themes: folders ``themes/<name>/`` with ``theme.toml``, template overrides and assets.

A theme is ``theme.toml`` (``name``, ``title``, ``description``), an optional ``templates/``
folder looked up before the plugins' and the core's, and an optional ``static/`` folder served
under ``/static/themes/<name>/`` (``theme.css`` is linked from every page, ``logo.svg`` shows in
the header). A tenant names its theme (``TenantInfo.theme``); a name without a folder falls back
to ``default``, and so does the platform host.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.routing import BaseRoute, Mount, Router
from starlette.staticfiles import StaticFiles

from core.context import TenantInfo
from core.web.permissions import public

THEMES_DIR = Path(__file__).resolve().parents[2] / "themes"
_configured: list[Path] = []
DEFAULT_THEME = "default"
STATIC_PREFIX = "/static/themes"
STYLESHEET = "theme.css"
LOGO = "logo.svg"
# The same shape as a tenant slug: a theme name is a single safe path segment.
NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

log = logging.getLogger(__name__)


def configure(themes_dir: Path | None) -> None:
    """Use ``themes_dir`` (the ``CONGVAN_THEMES_DIR`` setting) instead of the repository's
    ``themes/`` folder; ``None`` goes back to the default."""
    _configured.clear()
    if themes_dir is not None:
        _configured.append(Path(themes_dir).resolve())


def themes_root() -> Path:
    """The folder themes are installed in: the configured one, else the repository's."""
    return _configured[0] if _configured else THEMES_DIR


@dataclass(frozen=True)
class ThemeInfo:
    """One installed theme, as its ``theme.toml`` describes it."""

    name: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class ThemeAssets:
    """What a page needs of its theme: the name and the URLs of its stylesheet and logo."""

    name: str
    title: str
    stylesheet: str | None
    logo: str | None


def theme_dir(name: str, themes_dir: Path | None = None) -> Path | None:
    """The folder of theme ``name``, or ``None`` when no such theme is installed."""
    themes_dir = themes_dir or themes_root()
    if not NAME_RE.match(name or ""):
        return None
    folder = themes_dir / name
    return folder if (folder / "theme.toml").is_file() else None


def _read_info(folder: Path) -> ThemeInfo:
    data: dict[str, Any] = tomllib.loads((folder / "theme.toml").read_text("utf-8"))
    name = str(data.get("name") or folder.name)
    if name != folder.name:
        log.warning("theme.toml of %s names %r; the folder name wins", folder, name)
    return ThemeInfo(
        name=folder.name,
        title=str(data.get("title") or folder.name),
        description=str(data.get("description") or ""),
    )


def list_themes(themes_dir: Path | None = None) -> list[ThemeInfo]:
    """Every installed theme (a folder with ``theme.toml`` and a valid name), sorted by name."""
    themes_dir = themes_dir or themes_root()
    if not themes_dir.is_dir():
        return []
    return [
        _read_info(folder)
        for folder in sorted(themes_dir.iterdir())
        if theme_dir(folder.name, themes_dir) is not None
    ]


def theme_names(themes_dir: Path | None = None) -> list[str]:
    """The names of the installed themes (for error messages that list them)."""
    themes_dir = themes_dir or themes_root()
    return [info.name for info in list_themes(themes_dir)]


def resolve_theme(tenant: TenantInfo | None, themes_dir: Path | None = None) -> str:
    """The theme a request renders with: the tenant's if installed, else ``default``."""
    themes_dir = themes_dir or themes_root()
    if tenant is None:
        return DEFAULT_THEME
    if theme_dir(tenant.theme, themes_dir) is None:
        if tenant.theme != DEFAULT_THEME:
            log.warning(
                "tenant %s names missing theme %r; using default", tenant.slug, tenant.theme
            )
        return DEFAULT_THEME
    return tenant.theme


def template_dir(name: str, themes_dir: Path | None = None) -> Path | None:
    """The theme's ``templates/`` folder, looked up before the plugins' and the core's."""
    themes_dir = themes_dir or themes_root()
    folder = theme_dir(name, themes_dir)
    templates = folder / "templates" if folder is not None else None
    return templates if templates is not None and templates.is_dir() else None


def assets_of(name: str, themes_dir: Path | None = None) -> ThemeAssets:
    """The URLs of the theme's stylesheet and logo (``None`` for a file the theme lacks)."""
    themes_dir = themes_dir or themes_root()
    folder = theme_dir(name, themes_dir)
    static = folder / "static" if folder is not None else None

    def url(file: str) -> str | None:
        if static is None or not (static / file).is_file():
            return None
        return f"{STATIC_PREFIX}/{name}/{file}"

    title = _read_info(folder).title if folder is not None else name
    return ThemeAssets(name=name, title=title, stylesheet=url(STYLESHEET), logo=url(LOGO))


def theme_static_mount(themes_dir: Path | None = None) -> Mount:
    """``/static/themes/<name>/…``: one public StaticFiles per theme with a ``static/`` folder.

    Each theme's files are served from its own ``static/`` folder only, so neither a theme's
    templates nor ``theme.toml`` nor anything outside are reachable (StaticFiles also refuses
    paths that leave its directory).
    """
    themes_dir = themes_dir or themes_root()
    routes: list[BaseRoute] = []
    for info in list_themes(themes_dir):
        static = themes_dir / info.name / "static"
        if static.is_dir():
            routes.append(Mount(f"/{info.name}", app=public(StaticFiles(directory=static))))
    return Mount(STATIC_PREFIX, app=public(Router(routes=routes)), name="static-themes")
