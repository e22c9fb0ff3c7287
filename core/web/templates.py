"""The Jinja2 environment of the web app: plugin template folders first, then the core's.

Templates are named with their folder: ``core/login.html``, ``example/notes.html``. The
``core:`` prefix always reaches the core's own templates (``{% extends "core:base.html" %}``),
even where a plugin or theme overrides ``core/base.html``. (Tenant themes come first in the
full shell.) ``_()`` is available in every template; until the UI catalogs arrive it returns
the Vietnamese source text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from core.plugins.manager import PluginHost

CORE_TEMPLATES = Path(__file__).parent / "templates"


def template_dirs(host: PluginHost) -> list[Path]:
    dirs: list[Path] = []
    for folders in host.call_each("register_template_dirs").values():
        dirs.extend(Path(folder) for folder in folders or () if Path(folder).is_dir())
    return [*dirs, CORE_TEMPLATES]


def build_templates(host: PluginHost) -> Jinja2Templates:
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader(
                {"core": jinja2.FileSystemLoader(str(CORE_TEMPLATES / "core"))}, delimiter=":"
            ),
            jinja2.FileSystemLoader([str(folder) for folder in template_dirs(host)]),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return Jinja2Templates(env=env)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """Render template ``name`` for ``request`` (the public ``core.render``)."""
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, name, context or {}, status_code=status_code
    )
    return response
