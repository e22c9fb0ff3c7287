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

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import (
    N_,
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
from plugins.registry.services import received
from plugins.registry.services.outgoing_common import load_outgoing
from plugins.registry.services.outgoing_issue import ExternalRecipient, issue_document
from plugins.registry.services.outgoing_issue_common import code_of
from plugins.registry.services.outgoing_issue_internal import distribute_internal
from plugins.registry.services.outgoing_issue_number import number_document
from plugins.registry.services.outgoing_issue_status import distribution_of, statuses_of
from plugins.registry.services.outgoing_recall import recall_document
from plugins.registry.units import find_unit, get_unit
from plugins.registry.views.outgoing_issue import copy_unit

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


async def _unit_choices(document_id: int) -> list[tuple[int, str]]:
    """Outgoing: units with an active incoming registry, other than the issuing agency;
    internal: the agency and the units below it."""
    found = await load_outgoing(document_id)
    document = found.document
    agency = await get_unit(document.registered_unit_id)
    if document.direction == INTERNAL:
        rows = await fetch_tenant_rows(
            "SELECT id, name FROM core_unit WHERE {tenant} AND is_active AND path LIKE $2 "
            "ORDER BY path",
            [agency.path + "%"],
        )
        return [(int(r["id"]), str(r["name"])) for r in rows]
    unit_ids: list[Any] = list(
        await Registry.filter(direction=INCOMING, is_active=True).values_list("unit_id", flat=True)
    )
    choices: list[tuple[int, str]] = []
    for unit_id in sorted({int(u) for u in unit_ids} - {agency.id}):
        unit = await find_unit(unit_id)
        if unit is not None and unit.is_active:
            choices.append((unit.id, unit.name))
    return sorted(choices, key=lambda c: c[1])


async def issue_context(document_id: int) -> dict[str, Any]:
    """What the partials need (the document visible to the actor: 404/403 otherwise)."""
    found = await load_outgoing(document_id)
    document = found.document
    can_clerk = await has_permission(NUMBERS_ALLOCATE, unit_id=document.registered_unit_id)
    actor = current_actor()
    is_signer = actor.kind == "user" and actor.id == found.detail.signer_user_id
    reservations = await RegistryNumber.filter(
        registry_id=document.registry_id, state=RESERVED
    ).order_by("year", "number")
    names = dict(await _unit_choices(document_id))
    recipients = await statuses_of(document)
    spread = await distribution_of(document)
    return {
        "document": document,
        "detail": found.detail,
        "code": code_of(document),
        "numbered": document.registry_number_id is not None,
        "can_number": can_clerk and document.status == "signed" and not document.code_number,
        "can_issue": can_clerk
        and document.registry_number_id is not None
        and document.status in ("signed", "issued"),
        "can_recall": (can_clerk or is_signer) and document.status == "issued",
        "reservations": [
            r for r in reservations if r.document_type_id in (None, document.document_type_id)
        ],
        "recipient_units": sorted(names.items(), key=lambda c: c[1]),
        "unit_names": names,
        "recipients": recipients,
        "distributed_units": spread.unit_ids,
        "distributed_users": spread.user_ids,
        "status_labels": STATUS_LABELS,
        "internal": document.direction == INTERNAL,
    }


async def _show(request: Request, document_id: int, **forms: Any) -> Response:
    context = await issue_context(document_id)
    context.update({f"{name}_form": form for name, form in forms.items()})
    status = max([200, *(f.status for f in forms.values() if f is not None)])
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


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit() and len(v.strip()) <= 10]


@authenticated
async def number_post(request: Request) -> Response:
    document_id = path_id(request, "document_id")
    form = await read_form(request)
    reservation = form.get("reservation_id").strip()
    done = await submit_once(
        request,
        form,
        lambda: number_document(
            document_id, reservation_id=int(reservation) if reservation.isdigit() else None
        ),
        url=_page(document_id),
        message=lambda d: _("Đã cấp số %(code)s.") % {"code": code_of(d)},
    )
    return done or await _show(request, document_id, number=form)


@authenticated
async def issue_post(request: Request) -> Response:
    document_id = path_id(request, "document_id")
    form = await read_form(request)
    units = _ids(form.getlist("units"))

    async def change() -> object:
        organisations = _organisations(form.get("organisations"))
        found = await load_outgoing(document_id)
        if found.document.direction == INTERNAL:
            return await distribute_internal(document_id, units=units)
        return await issue_document(document_id, units=units, organisations=organisations)

    done = await submit_once(
        request, form, change, url=_page(document_id), message=_("Đã phát hành văn bản.")
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
    )
    return done or await _show(request, document_id, recall=form)


async def _received_page(request: Request, form: Any = None, failed: int | None = None) -> Response:
    items = await received.received_copies()
    context = {"items": items, "form": form, "failed": failed, "status_labels": STATUS_LABELS}
    status = form.status if form is not None else 200
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
        request, form, change, url="/registry/incoming/received", message=_("Đã vào sổ văn bản.")
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
    )
    return done or await _received_page(request, form, document_id)
