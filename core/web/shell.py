"""The shell every page lives in: header, menu, current unit, flash messages, CSRF token.

:func:`render` (exported as ``core.render``) renders a page template with the shell's context:

- ``tenant``, ``heading`` (the tenant's name, or the platform console's), ``platform``;
- ``user``: the signed-in actor's name (``None`` when anonymous);
- ``menu``: the entries of the core and of every enabled plugin's ``register_menu_items`` that
  the actor may use (an entry's permission held in at least one unit), in ``order``;
- ``current_unit`` and ``unit_choices``: the unit the user acts for and the units they may
  switch to (their positions and the units of their role grants), see :func:`current_unit_id`;
- ``flashes``: the one-shot messages of the previous redirect (the cookie is cleared);
- ``csrf_token`` and ``form_fields(form)`` for forms (``core.web.forms``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from core.context import Actor, TenantInfo, current_actor
from core.i18n import gettext as _
from core.plugins.types import MenuItem
from core.web import flash
from core.web.forms import NONCE_FIELD, Form, new_nonce
from core.web.sessions import CSRF_FIELD
from core.web.state import is_platform, sessions_of

UNIT_COOKIE = "congvan_unit"
UNIT_SCOPE_KEY = "congvan.unit"


@dataclass(frozen=True)
class UnitChoice:
    id: int
    name: str
    code: str
    title: str = ""


def core_menu(platform: bool) -> list[MenuItem]:
    """The core's own entries: tenant administration, or the platform console."""
    if platform:
        return [
            MenuItem("platform.tenants", _("Đơn vị sử dụng"), "/platform/tenants", order=10),
            MenuItem("platform.jobs", _("Tác vụ lỗi"), "/platform/jobs", order=20),
        ]
    return [
        MenuItem("core.units", _("Cơ cấu tổ chức"), "/admin/units", "core.units.view", 900),
        MenuItem("core.users", _("Người dùng"), "/admin/users", "core.users.view", 910),
        MenuItem("core.roles", _("Vai trò"), "/admin/roles", "core.roles.view", 920),
        MenuItem("core.plugins", _("Phân hệ"), "/admin/plugins", "core.plugins.manage", 930),
        MenuItem("core.theme", _("Giao diện"), "/admin/theme", "core.settings.manage", 940),
        MenuItem("core.audit", _("Nhật ký"), "/admin/audit", "core.audit.view", 950),
    ]


async def visible_menu(conn: HTTPConnection, actor: Actor) -> list[dict[str, Any]]:
    """The menu entries ``actor`` may use, core and enabled plugins, sorted by ``order``."""
    platform = is_platform(conn)
    if actor.kind not in ("user", "platform"):
        return []
    items = core_menu(platform)
    if not platform:
        tenant: TenantInfo | None = conn.scope.get("congvan.tenant")
        relay = conn.app.state.host.relay(tenant)
        for entries in relay.register_menu_items(actor=actor):
            items.extend(entries or ())
    held: set[str] = set()
    if actor.kind == "user" and actor.id is not None:
        from core.authz.api import user_permissions

        held = set(await user_permissions(actor.id))
    path = conn.url.path
    visible = [item for item in items if item.permission is None or item.permission in held]
    visible.sort(key=lambda item: (item.order, item.key))
    return [
        {
            "key": item.key,
            "title": _(item.title),
            "url": item.url,
            "icon": item.icon,
            "current": path == item.url.rstrip("/") or path.startswith(item.url.rstrip("/") + "/"),
        }
        for item in visible
    ]


async def unit_choices(user_id: int) -> list[UnitChoice]:
    """The active units the user may act for: positions first (primary first), then grants."""
    from core.authz.grants import list_grants
    from core.units.models import Unit
    from core.users.services import user_positions

    positions = await user_positions(user_id)
    ordered: list[int] = []
    titles: dict[int, str] = {}
    for position in sorted(positions, key=lambda p: not p.is_primary):
        unit_id: int = position.unit_id  # type: ignore[attr-defined]
        ordered.append(unit_id)
        titles[unit_id] = position.title
    for grant in await list_grants(user_id=user_id):
        if grant.unit_id is not None and grant.unit_id not in ordered:
            ordered.append(grant.unit_id)
    if not ordered:
        return []
    units = {unit.id: unit for unit in await Unit.filter(id__in=ordered, is_active=True)}
    return [
        UnitChoice(units[i].id, units[i].name, units[i].code, titles.get(i, ""))
        for i in ordered
        if i in units
    ]


def chosen_unit(conn: HTTPConnection, choices: list[UnitChoice]) -> UnitChoice | None:
    """The unit of the ``congvan_unit`` cookie when it is one of ``choices``, else the first."""
    raw = conn.cookies.get(UNIT_COOKIE, "")
    for choice in choices:
        if raw.isdigit() and choice.id == int(raw):
            return choice
    return choices[0] if choices else None


async def current_unit_id(conn: HTTPConnection) -> int | None:
    """The id of the unit the signed-in user acts for on this request (``None``: no unit).

    Plugins read it to default a form's unit or a list's scope; permissions are still checked
    on the unit of each object.
    """
    cached = conn.scope.get(UNIT_SCOPE_KEY)
    if cached is not None:
        return cached.id if isinstance(cached, UnitChoice) else None
    actor = current_actor()
    if actor.kind != "user" or actor.id is None:
        return None
    choice = chosen_unit(conn, await unit_choices(actor.id))
    conn.scope[UNIT_SCOPE_KEY] = choice or False
    return choice.id if choice else None


def form_fields(csrf_token: str) -> Any:
    """The template callable ``form_fields()``: the CSRF token and a fresh submit-once nonce."""

    def fields(form: Form | None = None) -> Markup:
        nonce = form.nonce if form is not None and form.nonce else new_nonce()
        return Markup(
            f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token)}">'
            f'<input type="hidden" name="{NONCE_FIELD}" value="{escape(nonce)}">'
        )

    return fields


async def shell_context(request: Request, csrf_token: str) -> dict[str, Any]:
    actor = current_actor()
    platform = is_platform(request)
    tenant: TenantInfo | None = request.scope.get("congvan.tenant")
    choices: list[UnitChoice] = []
    current: UnitChoice | None = None
    if actor.kind == "user" and actor.id is not None and not platform:
        choices = await unit_choices(actor.id)
        current = chosen_unit(request, choices)
        request.scope[UNIT_SCOPE_KEY] = current or False
    signed_in = actor.kind in ("user", "platform")
    return {
        "tenant": tenant,
        "platform": platform,
        "heading": tenant.name if tenant is not None else _("Bảng điều khiển nền tảng"),
        "user": {"name": actor.name, "kind": actor.kind} if signed_in else None,
        "menu": await visible_menu(request, actor),
        "current_unit": current,
        "unit_choices": choices,
        "flashes": flash.pending(request),
        "csrf_token": csrf_token,
        "form_fields": form_fields(csrf_token),
    }


async def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render template ``name`` inside the shell (the public ``core.render``)."""
    sessions = sessions_of(request)
    token = sessions.csrf_token(request)
    full = {**await shell_context(request, token), **(context or {})}
    response: Response = request.app.state.templates.TemplateResponse(
        request, name, full, status_code=status, headers=headers
    )
    sessions.set_csrf(response, request, token)
    flash.clear(response, request)
    return response
