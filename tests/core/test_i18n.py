"""The UI languages: catalogs complete, templates fully marked, negotiation, formatting, the
``lang`` switch and pages served in Vietnamese by default and in English on request."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core import i18n
from core.web.templates import build_environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_ROOTS = [
    ROOT / "core" / "web" / "templates",
    *sorted(ROOT.glob("plugins/*/templates")),
    *sorted(ROOT.glob("themes/*/templates")),
]
# Brand and language names are the same in every language.
UNTRANSLATED_OK = ("Congvan", "Tiếng Việt", "English")
HTML = {"accept": "text/html"}


def templates() -> list[Path]:
    return sorted(path for root in TEMPLATE_ROOTS for path in root.rglob("*.html"))


def literal_text(source: str) -> list[str]:
    """The words of ``source`` shown as-is: text outside Jinja tags, without HTML tags,
    entities, punctuation and the allowed names."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])
    # Non-text tokens become a space so an HTML tag split by ``{{ ... }}`` stays one tag.
    text = "".join(value if kind == "data" else " " for _, kind, value in env.lex(source))
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&(#\d+|#x[0-9a-fA-F]+|\w+);", " ", text)
    for name in UNTRANSLATED_OK:
        text = text.replace(name, " ")
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZ" else ch for ch in text)
    return text.split()


def catalog(lang: str) -> dict[str, str]:
    path = i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle) if m.id}


def template_msgids() -> set[str]:
    method_map = [("**.html", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    found: set[str] = set()
    for root in TEMPLATE_ROOTS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), method_map, options
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


# ---------------------------------------------------------------- templates and catalogs


def test_the_literal_text_check_catches_unmarked_text():
    assert literal_text('<p class="x">Xin chào</p>') == ["Xin", "chào"]
    assert literal_text('<p title="{{ t }}">{{ _("Xin chào") }} — &nbsp;Congvan</p>') == []
    assert literal_text("{# comment #}<b>{% if a %}</b>English | Tiếng Việt") == []


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_visible_text_of_a_template_is_translatable(path: Path):
    leftover = literal_text(path.read_text(encoding="utf-8"))
    assert leftover == [], f"{path.relative_to(ROOT)} shows text without _(): {leftover}"


def test_every_template_message_is_in_both_catalogs_and_translated():
    used = template_msgids()
    assert {"Đăng nhập", "Ghi chú"} <= used
    vi, en = catalog("vi"), catalog("en")
    assert sorted(used - vi.keys()) == []
    assert sorted(used - en.keys()) == []
    assert [msgid for msgid, text in en.items() if not text] == []
    assert [msgid for msgid, text in vi.items() if text != msgid] == []


def test_translations_are_compiled_from_the_po_files_and_cached():
    assert i18n.translations("en").gettext("Đăng nhập") == "Sign in"
    assert i18n.translations("vi").gettext("Đăng nhập") == "Đăng nhập"
    assert i18n.translations("en") is i18n.translations("en")
    assert i18n.translations("fr") is i18n.translations(i18n.DEFAULT)
    assert i18n.gettext("Không có trong danh mục", "en") == "Không có trong danh mục"


def test_gettext_follows_the_current_locale():
    assert i18n.current_locale() == "vi"
    assert i18n._("Mật khẩu") == "Mật khẩu"
    with i18n.use_locale("en") as lang:
        assert lang == "en"
        assert i18n._("Mật khẩu") == "Password"
        assert i18n.ngettext("một", "nhiều", 1) == "một"  # not in the catalog: the source
        assert i18n.ngettext("một", "nhiều", 2) == "nhiều"
    with i18n.use_locale("xx") as lang:
        assert lang == "vi"
    assert i18n.current_locale() == "vi"


def test_a_plugin_locale_folder_adds_to_the_core_catalog(tmp_path, monkeypatch):
    monkeypatch.setattr(i18n, "_extra_dirs", [])
    monkeypatch.setattr(i18n, "_cache", {})
    folder = tmp_path / "locale" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Sổ công văn"\nmsgstr "Document register"\n\n'
        'msgid "Đăng nhập"\nmsgstr "Plugin must not override"\n',
        encoding="utf-8",
    )
    i18n.register_locale_dir(tmp_path / "locale")
    i18n.register_locale_dir(tmp_path / "locale")  # twice is once
    i18n.register_locale_dir(tmp_path / "missing")
    assert len(i18n._extra_dirs) == 1
    assert i18n.gettext("Sổ công văn", "en") == "Document register"
    assert i18n.gettext("Đăng nhập", "en") == "Sign in"  # the core's entry wins
    assert i18n.gettext("Sổ công văn", "vi") == "Sổ công văn"


# ---------------------------------------------------------------- negotiation


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "vi"),
        ("", "", "vi"),
        ("en", None, "en"),
        ("EN", "vi", "en"),
        ("vi", "en-US,en;q=0.9", "vi"),
        ("fr", "en-GB", "en"),  # an unsupported cookie is ignored
        (None, "en-US,en;q=0.9,vi;q=0.8", "en"),
        (None, "fr-FR, vi;q=0.5, en;q=0.4", "vi"),
        (None, "vi;q=0.2, en;q=0.9", "en"),
        (None, "en;q=0, fr", "vi"),  # q=0 means "not this one"
        (None, "en;q=abc", "vi"),
        (None, "*", "vi"),
        (None, "de, ja", "vi"),
    ],
)
def test_negotiate(cookie, accept, expected):
    assert i18n.negotiate(cookie, accept) == expected


async def test_the_locale_middleware_sets_the_context_variable():
    seen: list[tuple[str, str | None]] = []

    async def app(scope, receive, send):
        seen.append((i18n.current_locale(), scope.get(i18n.SCOPE_KEY)))

    middleware = i18n.LocaleMiddleware(app)
    headers = [(b"accept-language", b"en"), (b"cookie", b"a=1; lang=vi")]
    await middleware({"type": "http", "headers": headers}, None, None)
    await middleware({"type": "http", "headers": [(b"accept-language", b"en")]}, None, None)
    await middleware({"type": "lifespan"}, None, None)
    assert seen == [("vi", "vi"), ("en", "en"), ("vi", None)]
    assert i18n.current_locale() == "vi"


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize("lang", i18n.SUPPORTED)
def test_dates_are_dd_mm_yyyy_in_every_language(lang):
    assert i18n.format_date(date(2023, 7, 5), lang) == "05/07/2023"
    with i18n.use_locale(lang):
        assert i18n.format_date(date(2023, 7, 5)) == "05/07/2023"
        # 20:30 UTC is already the next day in Vietnam (UTC+7).
        assert i18n.format_date(datetime(2023, 7, 4, 20, 30, tzinfo=UTC)) == "05/07/2023"


def test_datetimes_are_shown_in_vietnam_time():
    assert i18n.format_datetime(datetime(2023, 7, 5, 1, 30, tzinfo=UTC), "en") == "05/07/2023 08:30"
    assert i18n.format_datetime(datetime(2023, 7, 5, 1, 30), "vi") == "05/07/2023 01:30"


def test_numbers_are_grouped_per_language():
    assert i18n.format_number(1234567, "vi") == "1.234.567"
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_number(Decimal("1234.5"), "vi") == "1.234,5"
    with i18n.use_locale("en"):
        assert i18n.format_number(1234.5) == "1,234.5"


def test_template_filters_and_translations_outside_a_request(congvan_host):
    env = build_environment(congvan_host)
    template = env.from_string(
        '{{ current_locale() }}|{{ d|date }}|{{ n|number }}|{{ _("Xin chào, %(name)s", name=who) }}'
    )
    values = {"d": date(2023, 7, 5), "n": 1234567, "who": "<Lan>"}
    assert template.render(**values) == "vi|05/07/2023|1.234.567|Xin chào, &lt;Lan&gt;"
    with i18n.use_locale("en"):
        assert template.render(**values) == "en|05/07/2023|1,234,567|Welcome, &lt;Lan&gt;"


# ---------------------------------------------------------------- through the app


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def test_pages_are_vietnamese_by_default(anon):
    page = await anon.get("/", headers=HTML)
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Đăng nhập" in page.text
    assert "Sign in" not in page.text
    assert 'action="/lang"' in page.text


async def test_pages_follow_accept_language(anon):
    page = await anon.get("/", headers={**HTML, "accept-language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in page.text
    assert "Sign in" in page.text
    assert "Đăng nhập" not in page.text
    missing = await anon.get("/no/such/page", headers={**HTML, "accept-language": "en"})
    assert missing.status_code == 404
    assert "Back to the start page" in missing.text


async def test_the_switch_sets_a_cookie_and_returns_to_the_page(anon):
    page = await anon.get("/", headers=HTML)
    form = {"lang": "en", "next": "/?tab=1", "csrf_token": csrf_of(page.text)}
    response = await anon.post("/lang", data=form, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/?tab=1"
    cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith("lang=")]
    assert len(cookie) == 1
    assert "HttpOnly" in cookie[0]
    assert "SameSite=lax" in cookie[0]
    assert "Max-Age=31536000" in cookie[0]
    assert "Secure" not in cookie[0]
    english = await anon.get("/", headers={**HTML, "accept-language": "vi"})
    assert "Sign in" in english.text  # the cookie beats Accept-Language
    back = {"lang": "vi", "next": "/", "csrf_token": csrf_of(english.text)}
    await anon.post("/lang", data=back, headers=HTML)
    assert "Đăng nhập" in (await anon.get("/", headers=HTML)).text


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "evil.example", "/\tx", ""],
)
async def test_the_switch_refuses_an_off_site_next(anon, target):
    page = await anon.get("/", headers=HTML)
    form = {"lang": "en", "next": target, "csrf_token": csrf_of(page.text)}
    response = await anon.post("/lang", data=form, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_the_switch_needs_the_csrf_token_and_a_supported_language(anon):
    page = await anon.get("/", headers=HTML)
    stale = await anon.post("/lang", data={"lang": "en", "next": "/"}, headers=HTML)
    assert stale.status_code == 403
    assert "Biểu mẫu đã hết hạn" in stale.text
    assert "lang" not in stale.cookies
    form = {"lang": "fr", "next": "/", "csrf_token": csrf_of(page.text)}
    unknown = await anon.post("/lang", data=form)
    assert unknown.status_code == 422
    assert "Unsupported language 'fr'" in unknown.json()["detail"]
    assert "lang" not in unknown.cookies
    assert "Đăng nhập" in (await anon.get("/", headers=HTML)).text


async def test_the_lang_cookie_is_secure_when_configured(build_app, web_settings, tenant):
    import httpx

    app = build_app(settings=web_settings.model_copy(update={"secure_cookies": True}))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="https://alpha.localhost") as c,
    ):
        page = await c.get("/", headers=HTML)
        form = {"lang": "en", "next": "/", "csrf_token": csrf_of(page.text)}
        response = await c.post("/lang", data=form, headers=HTML)
    cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith("lang=")]
    assert cookie
    assert "Secure" in cookie[0]


def test_a_compiled_catalog_is_used_only_while_it_is_not_older_than_its_po(tmp_path):
    import os

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import write_po

    po = tmp_path / "messages.po"
    mo = tmp_path / "messages.mo"
    source = Catalog(locale="en")
    source.add("Đăng nhập", "Sign in")
    with po.open("wb") as handle:
        write_po(handle, source)
    compiled = Catalog(locale="en")
    compiled.add("Đăng nhập", "Sign in (compiled)")
    with mo.open("wb") as handle:
        write_mo(handle, compiled)
    os.utime(po, (1_000, 1_000))
    assert i18n.load_po(po).gettext("Đăng nhập") == "Sign in (compiled)"
    os.utime(mo, (500, 500))  # the .po was edited after the last compile
    assert i18n.load_po(po).gettext("Đăng nhập") == "Sign in"
