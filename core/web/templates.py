"""The Jinja2 environments of the web app: tenant theme, then plugin folders, then the core's.

Templates are named with their folder: ``core/login.html``, ``example/notes.html``. They
resolve **theme → plugins → core**: the current tenant's ``themes/<theme>/templates`` first
(``core.web.themes``), so a theme overrides any page and a page the theme lacks falls back. The
``core:`` prefix always reaches the core's own templates (``{% extends "core:base.html" %}``),
even where a plugin or theme overrides ``core/base.html``. There is one environment per theme
(Jinja's template cache is keyed by name only, so themes must not share one), all with the same
filters and callables; ``theme`` is a global naming the theme's stylesheet and logo URLs.
``_()``/``ngettext()`` translate the Vietnamese source text into the request's
language (``core.i18n``); the filters ``date``, ``datetime`` and ``number`` format in it, and
``current_locale()`` names it (for ``<html lang>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from jinja2.runtime import Context
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.templating import Jinja2Templates, _TemplateResponse

from core import i18n
from core.context import TenantInfo, current_tenant_or_none
from core.plugins.manager import PluginHost
from core.web import themes

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


def _core_prefix() -> jinja2.PrefixLoader:
    return jinja2.PrefixLoader(
        {"core": jinja2.FileSystemLoader(str(CORE_TEMPLATES / "core"))}, delimiter=":"
    )


def build_environment(
    host: PluginHost,
    theme: str = themes.DEFAULT_THEME,
    *,
    themes_dir: Path | None = None,
    _folders: list[Path] | None = None,
) -> jinja2.Environment:
    """The environment of ``theme``: its loaders, the real translations, the formatting filters.

    A plugin's ``locale`` folder next to its template folder joins the catalogs.
    """
    folders = _folders if _folders is not None else _plugin_folders_with_catalogs(host)
    theme_templates = themes.template_dir(theme, themes_dir)
    lookup = [*([theme_templates] if theme_templates is not None else []), *folders]
    loader = jinja2.ChoiceLoader(
        [_core_prefix(), jinja2.FileSystemLoader([str(folder) for folder in lookup])]
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
    env.globals["theme"] = themes.assets_of(theme, themes_dir)
    env.filters["date"] = _date_filter
    env.filters["datetime"] = _datetime_filter
    env.filters["number"] = _number_filter
    return env


def _plugin_folders_with_catalogs(host: PluginHost) -> list[Path]:
    folders = template_dirs(host)
    for folder in folders[:-1]:
        i18n.register_locale_dir(folder.parent / "locale")
    i18n.load_all()
    return folders


class ThemedTemplates(Jinja2Templates):
    """Jinja2Templates that render with the environment of the request's tenant theme.

    ``env`` stays the default theme's (for code that renders outside a request).
    """

    def __init__(self, host: PluginHost, themes_dir: Path | None = None) -> None:
        self.host = host
        self.themes_dir = themes_dir
        self._folders = _plugin_folders_with_catalogs(host)
        self._envs: dict[str, jinja2.Environment] = {}
        super().__init__(env=self.environment(themes.DEFAULT_THEME))

    def environment(self, theme: str) -> jinja2.Environment:
        """The (cached) environment of installed theme ``theme``."""
        env = self._envs.get(theme)
        if env is None:
            env = build_environment(
                self.host, theme, themes_dir=self.themes_dir, _folders=self._folders
            )
            self._setup_env_defaults(env)
            self._envs[theme] = env
        return env

    def environment_for(self, tenant: TenantInfo | None) -> jinja2.Environment:
        return self.environment(themes.resolve_theme(tenant, self.themes_dir))

    def get_template(self, name: str) -> jinja2.Template:
        return self.environment_for(current_tenant_or_none()).get_template(name)

    def TemplateResponse(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> _TemplateResponse:
        """Render ``name`` with the theme of the request's tenant (the scope's, else the context's;
        error pages render outside the tenant context)."""
        context = context or {}
        context.setdefault("request", request)
        for context_processor in self.context_processors:
            context.update(context_processor(request))
        tenant = request.scope.get("congvan.tenant") or current_tenant_or_none()
        template = self.environment_for(tenant).get_template(name)
        return _TemplateResponse(
            template,
            context,
            status_code=status_code,
            headers=headers,
            media_type=media_type,
            background=background,
        )


def build_templates(host: PluginHost) -> Jinja2Templates:
    return ThemedTemplates(host)
