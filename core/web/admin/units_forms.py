"""The unit forms: every field checked at once with the unit service's own rules, and the
service's refusals (English) turned into Vietnamese messages next to their fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.errors import Conflict, CongvanError, InvalidInput
from core.i18n import N_
from core.i18n import gettext as _
from core.units import services
from core.units.organid import clean_organ_id, clean_organ_id_v2
from core.web.forms import Form, required

UNIT_FIELDS = ("code", "name", "short_name", "kind", "organ_id", "organ_id_v2", "sort_order")
MAX_SORT_ORDER = 1_000_000

MESSAGES: dict[str, str] = {
    "code": N_(
        "Mã đơn vị gồm 1–50 ký tự: chữ cái không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch "
        "ngang, bắt đầu bằng chữ cái hoặc chữ số."
    ),
    "short_name": N_(
        "Tên viết tắt chỉ gồm chữ in hoa và chữ số, không có dấu cách hay gạch ngang, tối đa 30 "
        "ký tự (ví dụ: UBND, HĐND)."
    ),
    "kind": N_("Vui lòng chọn một loại đơn vị trong danh sách."),
    "organ_id": N_(
        "Mã định danh theo QCVN 102 gồm 13 ký tự dạng DDD.CC.BB.Lnn, ví dụ 000.00.00.H41."
    ),
    "organ_id_v2": N_(
        "Mã định danh theo Quyết định 20/2020/QĐ-TTg gồm tối đa 35 ký tự: các nhóm chữ in hoa "
        "và chữ số nối bằng dấu chấm, ví dụ H37.02.02."
    ),
    "sort_order": N_("Thứ tự hiển thị phải là một số nguyên từ 0 đến 1.000.000."),
}
REQUIRED = N_("Vui lòng nhập trường này.")
NAME_TOO_LONG = N_("Tên đơn vị tối đa 300 ký tự.")
CODE_TAKEN = N_("Mã đơn vị này đã được dùng cho một đơn vị khác.")
NO_SUCH_UNIT = N_("Đơn vị này không tồn tại.")
PARENT_INACTIVE = N_("Đơn vị cha đang ngừng hoạt động; hãy kích hoạt lại đơn vị đó trước.")
PARENT_ITSELF = N_("Không thể chuyển một đơn vị vào chính nó.")
PARENT_DESCENDANT = N_("Không thể chuyển một đơn vị vào đơn vị cấp dưới của chính nó.")


def unit_values(unit: Any) -> dict[str, str]:
    """The form values of an existing unit (for the edit form before anything is posted)."""
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "organ_id": unit.organ_id or "",
        "organ_id_v2": unit.organ_id_v2 or "",
        "sort_order": str(unit.sort_order),
        "parent_id": str(unit.parent_id or ""),
    }


def _check(form: Form, name: str, clean: Callable[[str], Any]) -> Any:
    try:
        return clean(form.get(name))
    except InvalidInput:
        form.error(name, _(MESSAGES[name]))
        return None


def _sort_order(raw: str) -> int:
    raw = raw.strip() or "0"
    if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_SORT_ORDER:
        raise InvalidInput("sort order", {"sort_order": "0–1000000"})
    return int(raw)


def check_unit_fields(form: Form) -> dict[str, Any]:
    """The cleaned fields of a posted unit form; every wrong field gets its message."""
    required(form, "code", "name")
    cleaned: dict[str, Any] = {}
    if form.get("code").strip():
        cleaned["code"] = _check(form, "code", services.clean_code)
    if form.get("name").strip():
        try:
            cleaned["name"] = services.clean_name(form.get("name"))
        except InvalidInput:
            form.error("name", _(NAME_TOO_LONG))
    cleaned["short_name"] = _check(form, "short_name", services.clean_short_name)
    cleaned["kind"] = _check(form, "kind", services.clean_kind)
    cleaned["organ_id"] = _check(form, "organ_id", clean_organ_id)
    cleaned["organ_id_v2"] = _check(form, "organ_id_v2", clean_organ_id_v2)
    cleaned["sort_order"] = _check(form, "sort_order", _sort_order)
    return cleaned


def parent_message(detail: str) -> str:
    """The message of a refused parent, from the service's English explanation."""
    if "itself" in detail:
        return _(PARENT_ITSELF)
    if "descendant" in detail or "inside" in detail:
        return _(PARENT_DESCENDANT)
    if "deactivated" in detail:
        return _(PARENT_INACTIVE)
    return _(NO_SUCH_UNIT)


def unit_errors(form: Form, exc: CongvanError, *, parent_field: str = "parent_id") -> None:
    """The service's refusal as translated messages next to their fields."""
    if isinstance(exc, Conflict) and "code" in (exc.extra.get("errors") or {}):
        form.error("code", _(CODE_TAKEN))
        return
    if isinstance(exc, InvalidInput):
        for name, detail in exc.errors.items():
            if name == "parent_id":
                form.error(parent_field, parent_message(detail))
            elif name == "name":
                form.error("name", _(NAME_TOO_LONG if form.get("name").strip() else REQUIRED))
            elif name in MESSAGES:
                form.error(name, _(MESSAGES[name]))
    if not form.errors:
        form.add_errors(exc)
