"""The Jinja2 environment of the web app: plugin template folders first, then the core's.

Templates are named with their folder: ``core/login.html``, ``example/notes.html``. (Tenant
themes come first in the full shell.)
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from starlette.templating import Jinja2Templates

from core.plugins.manager import PluginHost

CORE_TEMPLATES = Path(__file__).parent / "templates"


def template_dirs(host: PluginHost) -> list[Path]:
    dirs: list[Path] = []
    for folders in host.call_each("register_template_dirs").values():
        dirs.extend(Path(folder) for folder in folders or () if Path(folder).is_dir())
    return [*dirs, CORE_TEMPLATES]


def build_templates(host: PluginHost) -> Jinja2Templates:
    loader = jinja2.FileSystemLoader([str(folder) for folder in template_dirs(host)])
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    return Jinja2Templates(env=env)
