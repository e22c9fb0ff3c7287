"""Pages of numbering, issue and recall (``/registry/outgoing/{id}/issue``) and of the
received internal copies (``/registry/incoming/received``).

The issue page shows the document's number, the number form (next number or a reserved one),
the issue form (units that can receive, external organisations one per line
``OrganId | name``; internal documents: units of the agency), the recipients' statuses and
the recall form. Each form posts to its own URL and comes back here (Post/Redirect/Get); a
refused change shows the page again with the error next to the field. :func:`issue_context`
gives part A's detail page what the partials ``registry/outgoing/_*.html`` need.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import (
    N_,
    Conflict,
    CongvanError,
    InvalidInput,
    authenticated,
    current_actor,
    fetch_tenant_rows,
    has_permission,
    read_form,
    render,
    requires,
    submit_once,
)
from core import gettext as _
from plugins.registry.actions import INCOMING_REGISTER, NUMBERS_ALLOCATE
from plugins.registry.api import path_id
from plugins.registry.models import INCOMING, INTERNAL, RESERVED, Registry, RegistryNumber
from plugins.registry.models_documents import Document
from plugins.registry.services import received
from plugins.registry.services.outgoing_common import load_outgoing, user_names
from plugins.registry.services.outgoing_issue import ExternalRecipient, issue_document
from plugins.registry.services.outgoing_issue_common import code_of
from plugins.registry.services.outgoing_issue_internal import distribute_internal
from plugins.registry.services.outgoing_issue_number import number_document
from plugins.registry.services.outgoing_issue_status import distribution_of, statuses_of
from plugins.registry.services.outgoing_recall import recall_document
from plugins.registry.units import get_unit
from plugins.registry.views.outgoing_issue import copy_unit
from plugins.registry.views.pages_admin_common import (
    CONFLICT,
    FORM_ERROR,
    FormLike,
    page_status,
    parse_id,
    vietnamese,
)

STATUS_LABELS = {
    "received": N_("Đã đến, chờ vào sổ"),
    "registered": N_("Đã vào sổ"),
    "refused": N_("Bị từ chối"),
    "assigned": N_("Đã phân công"),
    "processing": N_("Đang xử lý"),
    "completed": N_("Đã hoàn thành"),
    "cancelled": N_("Đã hủy do thu hồi"),
    "to_be_sent": N_("Chờ gửi liên thông"),
    "sent": N_("Đã gửi"),
    "send_failed": N_("Gửi không thành công"),
    "signed": N_("Đã ký"),
    "issued": N_("Đã phát hành"),
    "recalled": N_("Đã thu hồi"),
}


def _page(document_id: int) -> str:
    return f"/registry/outgoing/{document_id}/issue"


async def _unit_choices(document: Document) -> list[tuple[int, str]]:
    """Outgoing: active units with an active incoming registry, other than the issuing agency,
    by name; internal: the agency and the active units below it, in tree order. One query for
    the units."""
    agency = await get_unit(document.registered_unit_id)
    if document.direction == INTERNAL:
        rows = await fetch_tenant_rows(
            "SELECT id, name FROM core_unit WHERE {tenant} AND is_active AND path LIKE $2 "
            "ORDER BY path",
            [agency.path + "%"],
        )
        return [(int(r["id"]), str(r["name"])) for r in rows]
    registry_units: list[Any] = list(
        await Registry.filter(direction=INCOMING, is_active=True).values_list("unit_id", flat=True)
    )
    receiving = {int(u) for u in registry_units} - {agency.id}
    rows = await fetch_tenant_rows("SELECT id, name FROM core_unit WHERE {tenant} AND is_active")
    choices = [(int(r["id"]), str(r["name"])) for r in rows if int(r["id"]) in receiving]
    return sorted(choices, key=lambda c: c[1])


async def issue_context(document_id: int) -> dict[str, Any]:
    """What the partials need (the document visible to the actor: 404/403 otherwise)."""
    found = await load_outgoing(document_id)
    document = found.document
    numbered = document.registry_number_id is not None
    can_clerk = await has_permission(NUMBERS_ALLOCATE, unit_id=document.registered_unit_id)
    actor = current_actor()
    is_signer = actor.kind == "user" and actor.id == found.detail.signer_user_id
    reservations = await RegistryNumber.filter(
        registry_id=document.registry_id, state=RESERVED
    ).order_by("year", "number")
    choices = await _unit_choices(document)
    spread = await distribution_of(document)
    users = await user_names(spread.user_ids)
    return {
        "document": document,
        "detail": found.detail,
        "code": code_of(document),
        "numbered": numbered,
        "can_number": can_clerk and document.status == "signed" and not numbered,
        "can_issue": can_clerk and numbered and document.status in ("signed", "issued"),
        "can_recall": (can_clerk or is_signer) and document.status == "issued",
        "reservations": [
            r for r in reservations if r.document_type_id in (None, document.document_type_id)
        ],
        "recipient_units": choices,
        "unit_names": dict(choices),
        "recipients": await statuses_of(document),
        "distributed_units": spread.unit_ids,
        "distributed_users": [users.get(u, str(u)) for u in spread.user_ids],
        "status_labels": STATUS_LABELS,
        "internal": document.direction == INTERNAL,
    }


async def _show(request: Request, document_id: int, **forms: Any) -> Response:
    context = await issue_context(document_id)
    context.update({f"{name}_form": form for name, form in forms.items()}, page_error="")
    for name, form in forms.items():
        # The change was refused because the document moved on (numbered, issued, recalled
        # meanwhile): its form is gone from the page, the reason is shown above the rest.
        if form is not None and form.errors and not context[f"can_{name}"]:
            visible = [v for k, v in form.errors.items() if k != CONFLICT]
            context["page_error"] = form.errors.get(FORM_ERROR) or next(iter(visible), "")
    status = max([200, *(page_status(f) for f in forms.values() if f is not None)])
    return await render(request, "registry/outgoing/issue.html", context, status=status)


@authenticated
async def issue_page(request: Request) -> Response:
    """The number, issue and recall forms of a visible document, with its recipients."""
    return await _show(request, path_id(request, "document_id"))


def _organisations(text: str) -> list[ExternalRecipient]:
    result: list[ExternalRecipient] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        organ_id, _sep, organ_name = line.partition("|")
        if not _sep:
            raise InvalidInput(
                "Write one organisation a line: OrganId | name.",
                {"organisations": _("Mỗi dòng một cơ quan: Mã định danh | Tên cơ quan")},
            )
        result.append(ExternalRecipient(organ_id.strip(), organ_name.strip()))
    return result


def _record(form: FormLike, exc: CongvanError) -> None:
    """A refused change on the page: each field error next to its field, in Vietnamese;
    a conflict (409) for the whole form."""
    errors: object = exc.errors if isinstance(exc, InvalidInput) else exc.extra.get("errors")
    if isinstance(exc, Conflict):
        form.error(CONFLICT, "1")
    if isinstance(errors, dict) and errors:
        for name, message in errors.items():
            form.error(str(name), _field_text(str(message)))
    else:
        form.error(FORM_ERROR, _conflict_text(exc.detail))


def _field_text(message: str) -> str:
    """The services' field messages of these forms in Vietnamese (others: ``vietnamese``)."""
    if m := re.fullmatch(r"unit .+? \((.+)\) is deactivated", message):
        return _("Đơn vị %(name)s đã ngừng hoạt động.") % {"name": m.group(1)}
    if m := re.fullmatch(r"unit .+? \((.+)\) has no active incoming registry .*", message):
        return _("Đơn vị %(name)s chưa có sổ văn bản đến nhận loại văn bản này.") % {
            "name": m.group(1)
        }
    if m := re.fullmatch(r"unit .+? \((.+)\) belongs to the issuing agency.*", message):
        return _("Đơn vị %(name)s thuộc cơ quan ban hành; hãy dùng văn bản nội bộ.") % {
            "name": m.group(1)
        }
    known = {
        "name at least one unit or organisation": _(
            "Chọn ít nhất một đơn vị hoặc nhập một cơ quan nhận."
        ),
        "name at least one unit or user": _("Chọn ít nhất một đơn vị nhận."),
        "an OrganId such as 000.00.00.H41": _(
            "Mã định danh cơ quan không hợp lệ (ví dụ 000.00.00.G10)."
        ),
        "required, at most 200 characters": _("Nhập tên cơ quan, tối đa 200 ký tự."),
        "named twice": _("Cơ quan này được nhập hai lần."),
        "not allowed for a confidential document": _(
            "Văn bản mật không được gửi qua trục liên thông."
        ),
    }
    if message in known:
        return known[message]
    if message.endswith("already received this document") or message.endswith(
        "already received it"
    ):
        return _("Nơi nhận này đã nhận văn bản.")
    if message.startswith("unit ") and " is outside the agency " in message:
        return _("Đơn vị không thuộc cơ quan ban hành.")
    return vietnamese(message)


def _conflict_text(detail: str) -> str:
    """The services' refusals of these pages in Vietnamese (others unchanged)."""
    texts = (
        ("recalled by its issuer", _("Văn bản đã bị đơn vị phát hành thu hồi.")),
        ("was recalled", _("Văn bản đã bị thu hồi; không thể thay đổi.")),
        ("is already numbered", _("Văn bản đã được cấp số.")),
        ("only a signed document is numbered", _("Chỉ văn bản đã ký mới được cấp số.")),
        ("has no number yet", _("Văn bản chưa được cấp số.")),
        ("only an issued document is recalled", _("Chỉ văn bản đã phát hành mới được thu hồi.")),
        ("only a received copy", _("Văn bản này đã được vào sổ hoặc từ chối.")),
        ("handled meanwhile", _("Văn bản này đã được vào sổ hoặc từ chối.")),
    )
    for marker, text in texts:
        if marker in detail:
            return text
    return detail


@authenticated
async def number_post(request: Request) -> Response:
    document_id = path_id(request, "document_id")
    form = await read_form(request)
    raw = form.get("reservation_id").strip()
    reservation = parse_id(raw) if raw else None
    if raw and reservation is None:
        form.error("reservation_id", _("Số đã giữ không hợp lệ."))
    done = await submit_once(
        request,
        form,
        lambda: number_document(document_id, reservation_id=reservation),
        url=_page(document_id),
        message=lambda d: _("Đã cấp số %(code)s.") % {"code": code_of(d)},
        on_error=_record,
    )
    return done or await _show(request, document_id, number=form)


@authenticated
async def issue_post(request: Request) -> Response:
    document_id = path_id(request, "document_id")
    form = await read_form(request)
    units = [parse_id(v) for v in form.getlist("units")]
    if None in units:
        form.error("units", _("Đơn vị nhận không hợp lệ."))
    chosen = [u for u in units if u is not None]

    async def change() -> object:
        organisations = _organisations(form.get("organisations"))
        found = await load_outgoing(document_id)
        if found.document.direction == INTERNAL:
            return await distribute_internal(document_id, units=chosen)
        return await issue_document(document_id, units=chosen, organisations=organisations)

    done = await submit_once(
        request,
        form,
        change,
        url=_page(document_id),
        message=_("Đã phát hành văn bản."),
        on_error=_record,
    )
    return done or await _show(request, document_id, issue=form)


@authenticated
async def recall_post(request: Request) -> Response:
    document_id = path_id(request, "document_id")
    form = await read_form(request)
    done = await submit_once(
        request,
        form,
        lambda: recall_document(document_id, form.get("reason")),
        url=_page(document_id),
        message=_("Đã thu hồi văn bản."),
        on_error=_record,
    )
    return done or await _show(request, document_id, recall=form)


async def _received_page(request: Request, form: Any = None, failed: int | None = None) -> Response:
    items = await received.received_copies()
    context = {"items": items, "form": form, "failed": failed, "status_labels": STATUS_LABELS}
    # A copy handled or recalled meanwhile has left the list: its refusal is shown on top.
    gone = form is not None and form.errors and failed not in {d.id for d in items}
    context["page_error"] = form.errors.get(FORM_ERROR, "") if gone else ""
    status = page_status(form) if form is not None else 200
    return await render(request, "registry/incoming/received.html", context, status=status)


@authenticated
async def received_page(request: Request) -> Response:
    """The received internal copies waiting for the user's registries."""
    return await _received_page(request)


@requires(INCOMING_REGISTER, unit=copy_unit)
async def register_received_post(request: Request) -> Response:
    document_id = path_id(request, "document_id")
    form = await read_form(request)

    async def change() -> object:
        result = await received.register_received(
            document_id, confirm_duplicate=form.checked("confirm_duplicate")
        )
        if result.document is None:
            raise InvalidInput(
                "Probable duplicate.",
                {
                    "__form__": _(
                        "Văn bản có thể đã được vào sổ (trùng số, ký hiệu, cơ quan ban "
                        "hành). Đánh dấu xác nhận để vẫn vào sổ."
                    )
                },
            )
        return result.document

    done = await submit_once(
        request,
        form,
        change,
        url="/registry/incoming/received",
        message=_("Đã vào sổ văn bản."),
        on_error=_record,
    )
    return done or await _received_page(request, form, document_id)


@requires(INCOMING_REGISTER, unit=copy_unit)
async def refuse_received_post(request: Request) -> Response:
    document_id = path_id(request, "document_id")
    form = await read_form(request)
    done = await submit_once(
        request,
        form,
        lambda: received.refuse_received(document_id, form.get("reason")),
        url="/registry/incoming/received",
        message=_("Đã từ chối văn bản."),
        on_error=_record,
    )
    return done or await _received_page(request, form, document_id)
