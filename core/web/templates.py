"""The Jinja2 environment of the web app: plugin template folders first, then the core's.

Templates are named with their folder: ``core/login.html``, ``example/notes.html``. The
``core:`` prefix always reaches the core's own templates (``{% extends "core:base.html" %}``),
even where a plugin or theme overrides ``core/base.html``. (Tenant themes come first in the
full shell.) ``_()``/``ngettext()`` translate the Vietnamese source text into the request's
language (``core.i18n``); the filters ``date``, ``datetime`` and ``number`` format in it, and
``current_locale()`` names it (for ``<html lang>``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2.runtime import Context
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from core import i18n
from core.plugins.manager import PluginHost

CORE_TEMPLATES = Path(__file__).parent / "templates"


def template_dirs(host: PluginHost) -> list[Path]:
    dirs: list[Path] = []
    for folders in host.call_each("register_template_dirs").values():
        dirs.extend(Path(folder) for folder in folders or () if Path(folder).is_dir())
    return [*dirs, CORE_TEMPLATES]


def locale_of(context: Context) -> str:
    """The template's language: the request's (negotiated once per request), else the current
    locale context variable (templates rendered outside a request)."""
    request = context.get("request")
    if isinstance(request, Request):
        return i18n.locale_of_scope(request.scope)
    return i18n.current_locale()


@jinja2.pass_context
def _gettext(context: Context, message: str) -> str:
    return i18n.gettext(message, locale_of(context))


@jinja2.pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return i18n.ngettext(singular, plural, n, locale_of(context))


@jinja2.pass_context
def _current_locale(context: Context) -> str:
    return locale_of(context)


@jinja2.pass_context
def _date_filter(context: Context, value: date | datetime | None) -> str:
    return "" if value is None else i18n.format_date(value, locale_of(context))


@jinja2.pass_context
def _datetime_filter(context: Context, value: datetime | None) -> str:
    return "" if value is None else i18n.format_datetime(value, locale_of(context))


@jinja2.pass_context
def _number_filter(context: Context, value: int | float | Decimal | None) -> str:
    return "" if value is None else i18n.format_number(value, locale_of(context))


def build_environment(host: PluginHost) -> jinja2.Environment:
    """The environment with the loaders, the real translations and the formatting filters.

    A plugin's ``locale`` folder next to its template folder joins the catalogs.
    """
    folders = template_dirs(host)
    for folder in folders[:-1]:
        i18n.register_locale_dir(folder.parent / "locale")
    i18n.load_all()
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader(
                {"core": jinja2.FileSystemLoader(str(CORE_TEMPLATES / "core"))}, delimiter=":"
            ),
            jinja2.FileSystemLoader([str(folder) for folder in folders]),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    # Newstyle wraps these with autoescaping and ``%(name)s`` substitution; it passes the
    # template context through to them because they are ``pass_context`` callables.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_gettext, ngettext=_ngettext, newstyle=True
    )
    env.globals["current_locale"] = _current_locale
    env.filters["date"] = _date_filter
    env.filters["datetime"] = _datetime_filter
    env.filters["number"] = _number_filter
    return env


def build_templates(host: PluginHost) -> Jinja2Templates:
    return Jinja2Templates(env=build_environment(host))


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """Render template ``name`` for ``request`` (the public ``core.render``)."""
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, name, context or {}, status_code=status_code
    )
    return response
