"""An HTML form generated from a plugin's typed settings model (pydantic).

One input per field, chosen by the field's type: ``str`` → text, ``int``/``float`` → number
(with the model's bounds as ``min``/``max``), ``bool`` → checkbox, ``Literal``/``Enum`` →
select, anything else → a JSON text area. The field's ``description`` is the hint. Posted values
are converted back (:func:`parse_values`) and pydantic's errors become translated messages per
field (:func:`validation_errors`).
"""

from __future__ import annotations

import enum
import json
import types
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from core.i18n import N_, split_bilingual
from core.i18n import gettext as _
from core.web.forms import FORM_ERROR, Form

Kind = Literal["text", "number", "checkbox", "select", "json"]

REQUIRED = N_("Vui lòng nhập trường này.")
INVALID = N_("Giá trị không hợp lệ.")
INVALID_DETAIL = N_("Giá trị không hợp lệ: %(detail)s")
BAD_JSON = N_("Giá trị JSON không hợp lệ.")
# pydantic error type → message (placeholders are the error's context values).
MESSAGES: dict[str, str] = {
    "missing": REQUIRED,
    "int_parsing": N_("Vui lòng nhập một số nguyên."),
    "int_from_float": N_("Vui lòng nhập một số nguyên."),
    "int_type": N_("Vui lòng nhập một số nguyên."),
    "float_parsing": N_("Vui lòng nhập một số."),
    "float_type": N_("Vui lòng nhập một số."),
    "decimal_parsing": N_("Vui lòng nhập một số."),
    "greater_than_equal": N_("Giá trị phải lớn hơn hoặc bằng %(ge)s."),
    "greater_than": N_("Giá trị phải lớn hơn %(gt)s."),
    "less_than_equal": N_("Giá trị phải nhỏ hơn hoặc bằng %(le)s."),
    "less_than": N_("Giá trị phải nhỏ hơn %(lt)s."),
    "multiple_of": N_("Giá trị phải là bội số của %(multiple_of)s."),
    "string_too_long": N_("Tối đa %(max_length)s ký tự."),
    "string_too_short": N_("Tối thiểu %(min_length)s ký tự."),
    "string_pattern_mismatch": N_("Giá trị không đúng định dạng."),
    "literal_error": N_("Vui lòng chọn một giá trị trong danh sách."),
    "enum": N_("Vui lòng chọn một giá trị trong danh sách."),
    "bool_parsing": INVALID,
    "bool_type": INVALID,
}


@dataclass(frozen=True)
class SettingField:
    """One input of the settings form."""

    name: str
    label: str
    kind: Kind
    hint: str = ""
    required: bool = False
    nullable: bool = False
    options: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` → ``(X, True)``; other annotations → ``(annotation, False)``."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = get_args(annotation)
        rest = [arg for arg in args if arg is not type(None)]
        if len(rest) == 1:
            return rest[0], len(rest) < len(args)
        return annotation, type(None) in args
    return annotation, False


def _bounds(info: FieldInfo) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for item in info.metadata:
        for name in ("ge", "gt", "le", "lt", "max_length", "min_length"):
            value = getattr(item, name, None)
            if value is not None:
                bounds[name] = value
    return bounds


def _number_attrs(integer: bool, bounds: dict[str, Any]) -> dict[str, str]:
    attrs = {"step": "1" if integer else "any"}
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    if low is not None:
        attrs["min"] = str(low + 1 if integer and "ge" not in bounds else low)
    if high is not None:
        attrs["max"] = str(high - 1 if integer and "le" not in bounds else high)
    return attrs


def make_field(name: str, info: FieldInfo) -> SettingField:
    """The input of one model field."""
    kind_of, nullable = _unwrap(info.annotation)
    label = split_bilingual(info.title) if info.title else name.replace("_", " ").capitalize()
    hint = split_bilingual(info.description) if info.description else ""
    common: dict[str, Any] = {
        "name": name,
        "label": label,
        "hint": hint,
        "required": info.is_required() and not nullable,
        "nullable": nullable,
    }
    bounds = _bounds(info)
    if kind_of is bool:
        return SettingField(kind="checkbox", **common)
    if kind_of is int:
        return SettingField(kind="number", attrs=_number_attrs(True, bounds), **common)
    if kind_of in (float, Decimal):
        return SettingField(kind="number", attrs=_number_attrs(False, bounds), **common)
    if get_origin(kind_of) is Literal:
        values = list(get_args(kind_of))
        return SettingField(
            kind="select",
            options=[(str(v), str(v)) for v in values],
            choices={str(v): v for v in values},
            **common,
        )
    if isinstance(kind_of, type) and issubclass(kind_of, enum.Enum):
        members = list(kind_of)
        return SettingField(
            kind="select",
            options=[(str(m.value), str(m.value)) for m in members],
            choices={str(m.value): m.value for m in members},
            **common,
        )
    if kind_of is str:
        attrs = {"maxlength": str(bounds["max_length"])} if "max_length" in bounds else {}
        return SettingField(kind="text", attrs=attrs, **common)
    return SettingField(kind="json", **common)


def setting_fields(model: type[BaseModel]) -> list[SettingField]:
    return [make_field(name, info) for name, info in model.model_fields.items()]


def initial_values(fields: list[SettingField], current: dict[str, Any]) -> dict[str, str]:
    """The form's values for the current settings (a checkbox that is on is ``"on"``)."""
    values: dict[str, str] = {}
    for f in fields:
        value = current.get(f.name)
        if f.kind == "checkbox":
            values[f.name] = "on" if value else ""
        elif value is None:
            values[f.name] = ""
        elif f.kind == "json":
            values[f.name] = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, enum.Enum):
            values[f.name] = str(value.value)
        else:
            values[f.name] = str(value)
    return values


def parse_values(fields: list[SettingField], form: Form) -> dict[str, Any]:
    """The posted values, converted for the model (JSON errors are put on the form)."""
    values: dict[str, Any] = {}
    for f in fields:
        if f.kind == "checkbox":
            values[f.name] = form.checked(f.name)
            continue
        raw = form.get(f.name)
        if f.nullable and not raw.strip():
            values[f.name] = None
        elif f.kind == "number":
            raw = raw.strip()
            values[f.name] = raw.replace(",", ".") if f.attrs.get("step") == "any" else raw
        elif f.kind == "select":
            values[f.name] = f.choices.get(raw, raw)
        elif f.kind == "json":
            try:
                values[f.name] = json.loads(raw)
            except ValueError:
                form.error(f.name, _(BAD_JSON))
        else:
            values[f.name] = raw
    return values


def _plain(value: Any) -> str:
    """A bound as people write it: ``1`` rather than ``1.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def error_message(error: Any) -> str:
    """A translated message for one pydantic error (its own text when the type is unknown)."""
    template = MESSAGES.get(str(error.get("type", "")))
    if template is None:
        return _(INVALID_DETAIL) % {"detail": error.get("msg", "")}
    context = {key: _plain(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return _(template) % context
    except (KeyError, TypeError, ValueError):
        return _(INVALID)


def validation_errors(exc: ValidationError) -> dict[str, str]:
    """Field name → message, first error per field; model-level errors under ``FORM_ERROR``."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = error.get("loc") or ()
        name = str(loc[0]) if loc else FORM_ERROR
        errors.setdefault(name, error_message(error))
    return errors
