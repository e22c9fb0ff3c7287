"""The create-tenant form of the console: choices, and its values checked field by field.

The checks run before the service is called so each problem is shown next to its field in
Vietnamese; the service checks again (and a slug or domain taken by a racing request still
ends up next to its field through :func:`add_service_error`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import Conflict, CongvanError, InvalidInput, NotFound
from core.i18n import gettext as _
from core.i18n import split_bilingual
from core.plugins.manager import get_host
from core.settings import get_settings
from core.tenancy import validation
from core.tenancy.models import Tenant, TenantDomain
from core.users.passwords import MAX_LENGTH, MIN_LENGTH, check_password_policy
from core.users.services import clean_username
from core.web.forms import FORM_ERROR, Form, required
from core.web.themes import list_themes

MAX_NAME = 200
REQUIRED_FIELDS = ("slug", "name", "admin_username", "admin_full_name", "admin_password")
# Keys of the services' InvalidInput.errors → the fields of this form.
SERVICE_FIELDS = {
    "slug": "slug",
    "name": "name",
    "theme": "theme",
    "domains": "domains",
    "username": "admin_username",
    "full_name": "admin_full_name",
    "password": "admin_password",
    "admin_password": "admin_password",
}


@dataclass(frozen=True)
class NewTenant:
    """The checked values of the create form (the arguments of ``create_tenant``)."""

    slug: str
    name: str
    domains: tuple[str, ...]
    theme: str
    plugins: tuple[str, ...]
    admin_username: str
    admin_full_name: str
    admin_password: str


def theme_options() -> list[tuple[str, str]]:
    return [(theme.name, split_bilingual(theme.title)) for theme in list_themes()]


def plugin_options() -> list[tuple[str, str]]:
    """The plugins a tenant can enable (the essential ones are always on)."""
    host = get_host()
    return [
        (info.name, split_bilingual(info.title))
        for info in sorted(host.all_info(), key=lambda i: i.name)
        if info.name not in host.essential
    ]


def split_domains(text: str) -> list[str]:
    """Host names typed one per line or separated by commas (or spaces)."""
    return [part for part in re.split(r"[\s,;]+", text) if part]


async def check_new_tenant(form: Form) -> NewTenant | None:
    """The form's values when they are all acceptable; otherwise ``None`` and ``form.errors``."""
    required(form, *REQUIRED_FIELDS)
    slug = _check_slug(form)
    name = " ".join(form.get("name").split())
    if len(name) > MAX_NAME:
        form.error("name", _("Tên dài tối đa %(max)s ký tự.") % {"max": MAX_NAME})
    domains = await _check_domains(form, slug)
    theme = form.get("theme") or "default"
    if theme not in {key for key, _title in theme_options()}:
        form.error("theme", _("Giao diện này chưa được cài đặt."))
    plugins = _check_plugins(form)
    username = _check_admin(form)
    if slug and await Tenant.exists(slug=slug):
        form.error("slug", _("Đã có đơn vị sử dụng với mã %(slug)s.") % {"slug": slug})
    if form.errors:
        return None
    return NewTenant(
        slug=slug,
        name=name,
        domains=domains,
        theme=theme,
        plugins=plugins,
        admin_username=username,
        admin_full_name=" ".join(form.get("admin_full_name").split()),
        admin_password=form.get("admin_password"),
    )


def _check_slug(form: Form) -> str:
    slug = form.get("slug").strip().lower()
    if not slug:
        return ""
    if not validation.SLUG_RE.match(slug):
        form.error(
            "slug",
            _(
                "Mã gồm 1–63 chữ thường không dấu, chữ số và dấu gạch ngang, "
                "bắt đầu và kết thúc bằng chữ hoặc số."
            ),
        )
        return ""
    if slug in validation.RESERVED_SLUGS:
        message = _("Mã %(slug)s được dành riêng; vui lòng chọn mã khác.") % {"slug": slug}
        form.error("slug", message)
        return ""
    return slug


async def _check_domains(form: Form, slug: str) -> tuple[str, ...]:
    base = get_settings().base_domain
    clean: list[str] = []
    for raw in split_domains(form.get("domains")):
        try:
            clean.extend(validation.validate_domains([raw], slug=slug or "x"))
        except InvalidInput:
            domain = validation.normalise_domain(raw)
            if domain == base or domain.endswith("." + base):
                message = _(
                    "Tên miền %(domain)s thuộc tên miền gốc %(base)s nên không dùng được; "
                    "đơn vị đã có sẵn địa chỉ riêng dưới tên miền gốc."
                ) % {"domain": raw, "base": base}
            else:
                message = _("Tên miền %(domain)s không hợp lệ.") % {"domain": raw}
            form.error("domains", message)
            return ()
    taken = await TenantDomain.filter(domain__in=clean).prefetch_related("tenant").first()
    if taken is not None:
        form.error(
            "domains",
            _("Tên miền %(domain)s đã được đơn vị sử dụng %(slug)s dùng.")
            % {"domain": taken.domain, "slug": taken.tenant.slug},
        )
    return tuple(dict.fromkeys(clean))


def _check_plugins(form: Form) -> tuple[str, ...]:
    known = {key for key, _title in plugin_options()}
    chosen = list(dict.fromkeys(form.getlist("plugins")))
    unknown = [name for name in chosen if name not in known]
    if unknown:
        form.error("plugins", _("Phân hệ %(name)s chưa được cài đặt.") % {"name": unknown[0]})
    return tuple(name for name in chosen if name in known)


def _check_admin(form: Form) -> str:
    raw = form.get("admin_username")
    username = ""
    if raw.strip():
        try:
            username = clean_username(raw)
        except InvalidInput:
            form.error(
                "admin_username",
                _("Tên đăng nhập gồm 2–150 ký tự a–z, 0–9, dấu chấm, gạch dưới hoặc gạch ngang."),
            )
    if len(" ".join(form.get("admin_full_name").split())) > MAX_NAME:
        form.error("admin_full_name", _("Họ và tên dài tối đa %(max)s ký tự.") % {"max": MAX_NAME})
    password = form.get("admin_password")
    if not password:
        return username
    if len(password) < MIN_LENGTH:
        form.error("admin_password", _("Mật khẩu cần ít nhất %(min)s ký tự.") % {"min": MIN_LENGTH})
    elif len(password) > MAX_LENGTH:
        form.error("admin_password", _("Mật khẩu dài tối đa %(max)s ký tự.") % {"max": MAX_LENGTH})
    else:
        try:
            check_password_policy(password, username=username)
        except InvalidInput:
            form.error("admin_password", _("Mật khẩu không được trùng với tên đăng nhập."))
    return username


def add_service_error(form: Form, exc: CongvanError, slug: str) -> None:
    """Put an error the service raised next to its field (a request that raced this one)."""
    detail = exc.detail.lower()
    if isinstance(exc, Conflict) and "slug" in detail:
        form.error("slug", _("Đã có đơn vị sử dụng với mã %(slug)s.") % {"slug": slug})
    elif isinstance(exc, Conflict) and "domain" in detail:
        form.error("domains", _("Một tên miền đã được đơn vị sử dụng khác dùng."))
    elif isinstance(exc, NotFound):
        form.error("plugins", _("Có phân hệ chưa được cài đặt."))
    elif isinstance(exc, InvalidInput) and exc.errors:
        for key in exc.errors:
            form.error(SERVICE_FIELDS.get(key, FORM_ERROR), _("Giá trị này không hợp lệ."))
        form.error(FORM_ERROR, exc.detail)
    else:
        form.error(FORM_ERROR, exc.detail)
