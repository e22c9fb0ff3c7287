"""The user forms: the fields checked with the user service's own rules before anything is
saved, and the service's refusals (English) turned into Vietnamese messages by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.errors import Conflict, CongvanError, InvalidInput
from core.i18n import N_
from core.i18n import gettext as _
from core.users import services
from core.users.passwords import MAX_LENGTH, MIN_LENGTH, check_password_policy
from core.web.forms import Form, required

REQUIRED = N_("Vui lòng nhập trường này.")
USERNAME_FORMAT = N_(
    "Tên đăng nhập gồm 2–150 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch dưới hoặc "
    "gạch ngang."
)
USERNAME_TAKEN = N_("Tên đăng nhập này đã được dùng cho một người dùng khác.")
FULL_NAME_TOO_LONG = N_("Họ và tên tối đa 200 ký tự.")
EMAIL_FORMAT = N_("Địa chỉ thư điện tử không hợp lệ, ví dụ: ten@example.gov.vn.")
PHONE_FORMAT = N_("Số điện thoại chỉ gồm chữ số, dấu cách và các ký tự + - . ( ).")
TITLE_TOO_LONG = N_("Chức vụ tối đa 200 ký tự.")
UNIT_INACTIVE = N_("Đơn vị này đang ngừng hoạt động; hãy chọn đơn vị khác.")
CONFIRM_MISMATCH = N_("Mật khẩu nhập lại không khớp.")

FIELD_MESSAGES: dict[str, str] = {
    "username": USERNAME_FORMAT,
    "email": EMAIL_FORMAT,
    "phone": PHONE_FORMAT,
    "title": TITLE_TOO_LONG,
    "position_title": TITLE_TOO_LONG,
}


def user_values(user: Any) -> dict[str, str]:
    return {"full_name": user.full_name, "email": user.email, "phone": user.phone}


def password_message(reason: str) -> str:
    """The password policy's complaint (English, from the service) in the user's language."""
    if reason.startswith("at least"):
        return _("Mật khẩu cần ít nhất %(count)s ký tự.") % {"count": MIN_LENGTH}
    if reason.startswith("at most"):
        return _("Mật khẩu chỉ được dài tối đa %(count)s ký tự.") % {"count": MAX_LENGTH}
    if "user name" in reason:
        return _("Mật khẩu không được trùng với tên đăng nhập.")
    return _("Mật khẩu mới không đạt yêu cầu.")


def _check(form: Form, name: str, clean: Callable[[str], Any], message: str) -> Any:
    try:
        return clean(form.get(name))
    except InvalidInput:
        form.error(name, _(message))
        return None


def check_profile(form: Form) -> dict[str, Any]:
    """Full name, e-mail and phone of a posted form, cleaned; wrong ones get their message."""
    required(form, "full_name")
    cleaned: dict[str, Any] = {}
    if form.get("full_name").strip():
        cleaned["full_name"] = _check(
            form, "full_name", services.clean_full_name, FULL_NAME_TOO_LONG
        )
    cleaned["email"] = _check(form, "email", services.clean_email, EMAIL_FORMAT)
    cleaned["phone"] = _check(form, "phone", services.clean_phone, PHONE_FORMAT)
    return cleaned


def check_title(form: Form, name: str) -> str:
    cleaned: str = _check(form, name, services.clean_title, TITLE_TOO_LONG) or ""
    return cleaned


def check_new_user(form: Form) -> dict[str, Any]:
    """The fields of the create form (user name, profile, password, position title)."""
    required(form, "username", "password")
    cleaned: dict[str, Any] = {}
    username = ""
    if form.get("username").strip():
        username = _check(form, "username", services.clean_username, USERNAME_FORMAT) or ""
        cleaned["username"] = username
    cleaned.update(check_profile(form))
    if form.get("password"):
        check_password(form, "password", username)
    cleaned["position_title"] = check_title(form, "position_title")
    return cleaned


def check_password(form: Form, name: str, username: str) -> None:
    try:
        check_password_policy(form.get(name), username=username)
    except InvalidInput as exc:
        form.error(name, password_message(exc.errors.get("password", "")))


def check_password_pair(form: Form, username: str) -> None:
    """The reset form: a new password that meets the policy, typed twice the same."""
    required(form, "password", "password_confirm")
    if form.get("password"):
        check_password(form, "password", username)
    if form.get("password_confirm") and form.get("password") != form.get("password_confirm"):
        form.error("password_confirm", _(CONFIRM_MISMATCH))


def user_errors(form: Form, exc: CongvanError, *, unit_field: str = "unit_id") -> None:
    """The service's refusal as translated messages next to their fields."""
    if isinstance(exc, Conflict) and "username" in (exc.extra.get("errors") or {}):
        form.error("username", _(USERNAME_TAKEN))
        return
    if isinstance(exc, InvalidInput):
        for name, detail in exc.errors.items():
            if name == "unit_id":
                form.error(unit_field, _(UNIT_INACTIVE))
            elif name == "password":
                form.error("password", password_message(detail))
            elif name == "full_name":
                message = FULL_NAME_TOO_LONG if form.get("full_name").strip() else REQUIRED
                form.error("full_name", _(message))
            elif name in FIELD_MESSAGES:
                form.error(name, _(FIELD_MESSAGES[name]))
    if not form.errors:
        form.add_errors(exc)
