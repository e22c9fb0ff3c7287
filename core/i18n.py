"""Languages of the UI: catalogs, the current locale, negotiation and Babel formatting.

Source strings are Vietnamese; ``core/locale/<lang>/LC_MESSAGES/messages.po`` translate them
(``vi`` is the identity catalog, ``en`` the English one). The ``.po`` files are read with Babel
and compiled in memory, once per language and process, so no ``pybabel compile`` step is needed
at run time. Plugins may ship ``locale/<lang>/LC_MESSAGES/messages.po`` next to their
``templates`` folder; :func:`register_locale_dir` adds those catalogs behind the core's.

The current locale is a context variable: :class:`LocaleMiddleware` sets it per request from
the ``lang`` cookie, then ``Accept-Language``, then Vietnamese (see :func:`negotiate`).
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from starlette.types import ASGIApp, Receive, Scope, Send

SUPPORTED: tuple[str, ...] = ("vi", "en")
DEFAULT = "vi"
LANG_COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
# Dates and times are shown in Vietnam's time zone, whatever the server's zone is.
DISPLAY_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_PATTERN = "dd/MM/yyyy"
DATETIME_PATTERN = "dd/MM/yyyy HH:mm"
SCOPE_KEY = "congvan.locale"

_current: ContextVar[str] = ContextVar("congvan.locale", default=DEFAULT)
_cache: dict[str, _gettext.NullTranslations] = {}
_extra_dirs: list[Path] = []


# ---------------------------------------------------------------- current locale


def current_locale() -> str:
    """The language of the current request or task (``DEFAULT`` outside any)."""
    return _current.get()


@contextmanager
def use_locale(lang: str) -> Iterator[str]:
    """Run a block in ``lang`` (an unsupported value falls back to ``DEFAULT``)."""
    chosen = lang if lang in SUPPORTED else DEFAULT
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def negotiate(cookie_value: str | None, accept_language: str | None) -> str:
    """The UI language: a supported ``lang`` cookie, else the best supported entry of
    ``Accept-Language`` (by q-value, then order), else ``DEFAULT``."""
    cookie = (cookie_value or "").strip().lower()
    if cookie in SUPPORTED:
        return cookie
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _sep, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().replace("_", "-").split("-")[0]
        if primary in SUPPORTED and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT


class LocaleMiddleware:
    """Pure ASGI: negotiates the request's language, stores it in ``scope["congvan.locale"]``
    and sets the locale context variable for everything inside."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        lang = locale_of_scope(scope)
        with use_locale(lang):
            await self.app(scope, receive, send)


def locale_of_scope(scope: Scope) -> str:
    """The negotiated language of a request scope (computed once, then kept in the scope)."""
    cached = scope.get(SCOPE_KEY)
    if isinstance(cached, str):
        return cached
    cookies: list[str] = []
    accept: list[str] = []
    for key, value in scope.get("headers", ()):
        name = key.decode("latin-1").lower()
        if name == "cookie":
            cookies.append(value.decode("latin-1"))
        elif name == "accept-language":
            accept.append(value.decode("latin-1"))
    lang = negotiate(_cookie("; ".join(cookies), LANG_COOKIE), ", ".join(accept) or None)
    scope[SCOPE_KEY] = lang
    return lang


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _eq, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"')
    return None


# ---------------------------------------------------------------- catalogs


def load_po(path: Path) -> _gettext.GNUTranslations:
    """The catalog of one ``.po`` file: its compiled ``.mo`` (``make catalogs``, run by ``make
    install``) when that is at least as new, else compiled in memory (fuzzy and empty entries
    are left out), so an edited ``.po`` is never shadowed by a stale ``.mo``."""
    compiled = path.with_suffix(".mo")
    if compiled.is_file() and compiled.stat().st_mtime >= path.stat().st_mtime:
        with compiled.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    with path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def register_locale_dir(folder: Path) -> None:
    """Add a plugin's ``locale`` folder: its catalogs answer what the core's do not."""
    folder = Path(folder).resolve()
    if folder.is_dir() and folder not in _extra_dirs:
        _extra_dirs.append(folder)
        _cache.clear()


def translations(lang: str) -> _gettext.NullTranslations:
    """The merged catalog of ``lang`` (core first, then plugins), cached per process."""
    lang = lang if lang in SUPPORTED else DEFAULT
    cached = _cache.get(lang)
    if cached is not None:
        return cached
    result: _gettext.NullTranslations | None = None
    for folder in (LOCALE_DIR, *_extra_dirs):
        path = folder / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            continue
        loaded = load_po(path)
        if result is None:
            result = loaded
        else:
            result.add_fallback(loaded)
    _cache[lang] = result = result or _gettext.NullTranslations()
    return result


def load_all() -> None:
    """Compile every supported language now (at app start) instead of on first use."""
    for lang in SUPPORTED:
        translations(lang)


def gettext(message: str, lang: str | None = None) -> str:
    """``message`` (Vietnamese source) in ``lang`` or the current locale."""
    return translations(lang or current_locale()).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """The singular or plural form for ``n`` in ``lang`` or the current locale."""
    return translations(lang or current_locale()).ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (module-level constants);
    translate it with :func:`gettext` where it is shown."""
    return message


def split_bilingual(text: str, lang: str | None = None) -> str:
    """The part of a ``"Tiếng Việt / English"`` label (action and plugin titles) for ``lang``;
    a label without `` / `` is translated through the catalog instead."""
    vietnamese, sep, english = text.partition(" / ")
    if not sep:
        return gettext(text, lang)
    return english.strip() if (lang or current_locale()) == "en" else vietnamese.strip()


# ---------------------------------------------------------------- formatting


def format_date(value: date | datetime, lang: str | None = None) -> str:
    """``dd/mm/yyyy`` in every language (Vietnamese administrative convention)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(DISPLAY_TZ)
    return _babel_date(value, DATE_PATTERN, locale=lang or current_locale())


def format_datetime(value: datetime, lang: str | None = None) -> str:
    """``dd/mm/yyyy HH:MM``; aware values are shown in Vietnam's time zone, naive as they are."""
    if value.tzinfo is not None:
        value = value.astimezone(DISPLAY_TZ).replace(tzinfo=None)
    return _babel_datetime(value, DATETIME_PATTERN, locale=lang or current_locale())


def format_number(value: int | float | Decimal, lang: str | None = None) -> str:
    """Grouped per language: ``1.234.567`` in Vietnamese, ``1,234,567`` in English."""
    return format_decimal(value, locale=lang or current_locale())
