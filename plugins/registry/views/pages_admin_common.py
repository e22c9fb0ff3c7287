"""What the registry's pages share (the administration pages first, the incoming pages and
any other page of the plugin too): a form shown before anything was posted (:class:`PageForm`),
parsing of form values (:func:`parse_id`, :func:`parse_int`), the units a user may act on,
names of units and users in one query, and the services' short English field messages in the
page's language.

The services check everything again; these helpers only turn form text into values and
service errors into messages next to the fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from core import Conflict, CongvanError, InvalidInput, fetch_tenant_rows, has_permission
from core import gettext as _
from core import parse_id as parse_id  # re-exported for the registry's pages
from plugins.registry.models import MAX_ID as MAX_ID
from plugins.registry.units import UnitRef, find_unit

FORM_ERROR = "__form__"
# Marks a form whose change was refused as a conflict (409), not invalid values (422); no
# template shows it.
CONFLICT = "__conflict__"


class FormLike(Protocol):
    """What ``core.read_form`` returns and :class:`PageForm` offers (the forms macros' needs)."""

    errors: dict[str, str]

    def get(self, name: str, default: str = "") -> str: ...

    def getlist(self, name: str) -> list[str]: ...

    def checked(self, name: str) -> bool: ...

    def error(self, name: str, message: str) -> None: ...


@dataclass
class PageForm:
    """A form filled from stored values (an edit form) or empty (a new one): the interface
    of the ``core/forms.html`` macros and ``form_fields``, nothing posted yet."""

    values: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    nonce: str = ""

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def getlist(self, name: str) -> list[str]:
        return self.lists.get(name, [])

    def checked(self, name: str) -> bool:
        return self.values.get(name, "") in ("on", "true", "1", "yes")

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> int:
        return 422 if self.errors else 200


def parse_int(form: FormLike, name: str, *, blank: int | None = None) -> int | None:
    """The whole number typed in ``name`` (``blank`` when empty); marks the field otherwise."""
    raw = form.get(name).strip()
    if not raw:
        return blank
    if re.fullmatch(r"-?[0-9]{1,9}", raw) is None:
        form.error(name, _("Nhập một số nguyên."))
        return None
    return int(raw)


def require(form: FormLike, *names: str) -> None:
    for name in names:
        if not form.get(name).strip():
            form.error(name, _("Vui lòng nhập trường này."))


# ------------------------------------------------------------------------------ units


@dataclass(frozen=True)
class UnitOption:
    id: int
    name: str
    label: str  # indented by depth, for selects
    abbreviation: str


async def unit_options(action: str) -> list[UnitOption]:
    """Active units of the tenant where the current user holds ``action``, in tree order."""
    rows = await fetch_tenant_rows(
        "SELECT id, code, name, short_name, path FROM core_unit "
        "WHERE {tenant} AND is_active = $2 ORDER BY path",
        [True],
    )
    options = []
    for row in rows:
        unit_id = int(row["id"])
        if await has_permission(action, unit_id=unit_id):
            depth = max(str(row["path"]).count("/") - 2, 0)
            options.append(
                UnitOption(
                    unit_id,
                    str(row["name"]),
                    "— " * depth + str(row["name"]),
                    str(row["short_name"] or row["code"]).strip(),
                )
            )
    return options


async def subtree(root: UnitRef) -> list[UnitRef]:
    """``root`` and its active sub-units, in tree order."""
    rows = await fetch_tenant_rows(
        "SELECT id, code, name, short_name, path, is_active FROM core_unit "
        "WHERE {tenant} AND path LIKE $2 AND is_active = $3 ORDER BY path",
        [f"{root.path}%", True],
    )
    return [
        UnitRef(
            int(r["id"]),
            str(r["code"]),
            str(r["name"]),
            str(r["short_name"] or ""),
            str(r["path"]),
            bool(r["is_active"]),
        )
        for r in rows
    ]


async def units_below(unit_id: int) -> list[tuple[int, str]]:
    """``unit_id`` and its active sub-units (id, indented name), in tree order: the drafting
    units a registry of ``unit_id`` may give notations for."""
    root = await find_unit(unit_id)
    if root is None:
        return []
    base = root.path.count("/")
    return [
        (u.id, "— " * (u.path.count("/") - base) + f"{u.name} ({u.abbreviation})")
        for u in await subtree(root)
    ]


async def unit_names(unit_ids: set[int]) -> dict[int, str]:
    """Names of the given units (active or not) of the tenant."""
    if not unit_ids:
        return {}
    ids = sorted(unit_ids)
    marks = ", ".join(f"${i + 2}" for i in range(len(ids)))
    rows = await fetch_tenant_rows(
        f"SELECT id, name FROM core_unit WHERE {{tenant}} AND id IN ({marks})", ids
    )
    return {int(r["id"]): str(r["name"]) for r in rows}


async def user_names(refs: set[str]) -> dict[str, str]:
    """``user:4`` → the user's full name (or username); other actors keep their reference."""
    ids = sorted({int(r[5:]) for r in refs if r.startswith("user:") and r[5:].isdigit()})
    names: dict[str, str] = {ref: ref for ref in refs}
    if ids:
        marks = ", ".join(f"${i + 2}" for i in range(len(ids)))
        rows = await fetch_tenant_rows(
            f"SELECT id, username, full_name FROM core_user WHERE {{tenant}} AND id IN ({marks})",
            ids,
        )
        for r in rows:
            names[f"user:{r['id']}"] = str(r["full_name"] or r["username"])
    return names


# ------------------------------------------------------------------------------ messages


def _known() -> dict[str, str]:
    return {
        "required": _("Vui lòng nhập trường này."),
        "unknown code": _("Giá trị không có trong danh mục."),
        "inactive": _("Giá trị này đã ngừng sử dụng."),
        "read-only": _("Không được thay đổi."),
        "must not be empty": _("Vui lòng nhập trường này."),
        "must be true or false": _("Giá trị không hợp lệ."),
        "not taken by this registry": _("Sổ văn bản này không nhận loại văn bản này."),
        "outside the registry's unit": _("Đơn vị soạn thảo không thuộc đơn vị giữ sổ."),
        "notation too long": _("Ký hiệu dài quá 30 ký tự."),
        "the unit is inactive": _("Đơn vị này đã ngừng hoạt động."),
        "already used in this unit": _("Đơn vị đã có sổ văn bản mang tên này."),
        "numbers already given this year": _(
            "Sổ đã cấp số trong năm nay: chỉ đổi phạm vi đánh số từ đầu năm sau."
        ),
        "mixes agency-wide numbering with other scopes": _(
            "Các sổ đang dùng của đơn vị cùng chiều văn bản phải cùng đánh số chung toàn cơ quan "
            "hoặc cùng đánh số riêng; không được trộn lẫn (sẽ cấp trùng số)."
        ),
        "lowercase letters, digits and '_' (at most 50)": _(
            "Chỉ gồm chữ thường không dấu, chữ số và dấu _, tối đa 50 ký tự."
        ),
        "a number of years from 1 to 1000, or null": _(
            "Số năm từ 1 đến 1000; để trống nếu bảo quản vĩnh viễn."
        ),
        "may not contain spaces or '/'": _("Không được chứa khoảng trắng hoặc dấu /."),
        "may not contain '-', which separates the groups of a notation": _(
            "Không được chứa dấu - (dấu này ngăn cách các nhóm của ký hiệu)."
        ),
        "may not contain spaces, '/', or unbalanced braces": _(
            "Không được chứa khoảng trắng, dấu / hoặc dấu ngoặc nhọn lẻ."
        ),
    }


def vietnamese(message: str) -> str:
    """A service's short field message in the page's language (unknown ones unchanged)."""
    known = _known().get(message)
    if known is not None:
        return known
    if m := re.fullmatch(r"at most (\d+) characters", message):
        return _("Tối đa %(count)s ký tự.") % {"count": m.group(1)}
    if m := re.fullmatch(r"a whole number from (-?\d+) to (-?\d+)", message):
        return _("Số nguyên từ %(low)s đến %(high)s.") % {"low": m.group(1), "high": m.group(2)}
    if m := re.fullmatch(r"unknown document type: (.+)", message):
        return _("Loại văn bản không có trong danh mục: %(codes)s.") % {"codes": m.group(1)}
    if m := re.fullmatch(r"unknown placeholder (\{[^}]*\}); use .*", message):
        return _("Không có tham số %(name)s; chỉ dùng {type}, {agency}, {unit}.") % {
            "name": m.group(1)
        }
    if m := re.fullmatch(r"overlaps registry \d+ \((.*)\)", message):
        return _(
            "Trùng loại văn bản với sổ “%(name)s” cũng đánh số riêng: hai sổ sẽ cấp trùng số và "
            "ký hiệu. Hãy giới hạn loại văn bản của một sổ, hoặc đánh số chung toàn cơ quan."
        ) % {"name": m.group(1)}
    return message


def page_status(form: Any) -> int:
    """The status of a form shown again: 403 stale, 409 a conflict, 422 invalid, else 200."""
    status: int = form.status
    if status == 422 and CONFLICT in form.errors:
        return 409
    return status


def record_errors(form: FormLike, exc: CongvanError, fields: tuple[str, ...]) -> None:
    """The errors of ``exc`` next to ``fields`` (a 409 that names a field, too); anything
    else for the whole form."""
    errors: dict[str, Any] = {}
    if isinstance(exc, InvalidInput):
        errors = dict(exc.errors)
    elif isinstance(exc, Conflict):
        form.error(CONFLICT, "1")
        raw = exc.extra.get("errors")
        errors = dict(raw) if isinstance(raw, dict) else {}
    placed = False
    for name, message in errors.items():
        if name in fields:
            form.error(name, vietnamese(str(message)))
            placed = True
    if not placed:
        # A message the services gave for a field this form does not show (the numbering
        # scope, say, on the deactivate button's form) still reads better translated.
        first = next(iter(errors.values()), None)
        form.error(FORM_ERROR, vietnamese(str(first)) if first else exc.detail)
