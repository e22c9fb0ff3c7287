"""Pages of outgoing drafts: ``/registry/outgoing`` (tabs), the new-draft form and a draft's
page (the step forms post to ``outgoing_page_steps``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from core import (
    N_,
    Actor,
    AlreadySubmitted,
    Conflict,
    InvalidInput,
    authenticated,
    current_actor,
    current_unit_id,
    has_permission,
    read_form,
    redirect,
    render,
    requires,
)
from core import gettext as _
from plugins.registry.actions import NUMBERS_ALLOCATE, OUTGOING_DRAFT, OUTGOING_SIGN
from plugins.registry.api import path_id
from plugins.registry.models import (
    INTERNAL,
    OUTGOING,
    ConfidentialityLevel,
    DocumentType,
    Registry,
    UrgencyLevel,
)
from plugins.registry.models_outgoing import (
    APPROVED,
    REVIEW_PENDING,
    SIGNING_FORMS,
    SUBMITTED,
)
from plugins.registry.services import documents, outgoing_drafts
from plugins.registry.services.incoming_files import IncomingFile
from plugins.registry.services.outgoing_common import EDITABLE, Outgoing, load_outgoing
from plugins.registry.services.outgoing_input import DraftMetadata
from plugins.registry.services.outgoing_lists import VIEWS, ListFilter, counts, list_outgoing
from plugins.registry.services.outgoing_signing import MANUAL
from plugins.registry.services.timeline import timeline
from plugins.registry.views.outgoing_out import outgoing_detail, outgoing_dicts
from plugins.registry.views.pages_incoming_common import Person, people

BASE = "/registry/outgoing"
TABS = {
    "mine": N_("Dự thảo của tôi"),
    "review": N_("Chờ tôi góp ý"),
    "sign": N_("Chờ tôi ký"),
    "unit": N_("Văn bản đi của đơn vị"),
}
STATUS_NAMES = {
    "draft": N_("Dự thảo"),
    "in_review": N_("Đang góp ý"),
    "submitted": N_("Đã trình ký"),
    "returned": N_("Bị trả lại"),
    "approved": N_("Đã duyệt"),
    "signed": N_("Đã ký"),
    "issued": N_("Đã phát hành"),
    "recalled": N_("Đã thu hồi"),
}
REVIEW_NAMES = {
    "waiting": N_("Chờ đến lượt"),
    "pending": N_("Đang chờ ý kiến"),
    "agreed": N_("Đồng ý"),
    "changes_requested": N_("Đề nghị sửa"),
    "cancelled": N_("Đã hủy"),
}
STEP_NAMES = {
    "drafted": N_("Soạn thảo"),
    "review_requested": N_("Xin ý kiến"),
    "reviewed": N_("Cho ý kiến"),
    "submitted": N_("Trình ký"),
    "approved": N_("Duyệt"),
    "returned": N_("Trả lại"),
    "signing": N_("Ký"),
    "signed": N_("Đã ký"),
    "viewed": N_("Xem"),
    "downloaded": N_("Tải tệp"),
}
FORM_FIELDS = (
    "document_type",
    "subject",
    "priority",
    "confidentiality",
    "signer_position",
    "signer_full_name",
    "recipients_text",
    "description",
)


async def _options(model: Any) -> list[tuple[str, str]]:
    rows = await model.filter(is_active=True).order_by("sort_order", "name")
    return [(r.code, r.name) for r in rows]


async def signers(unit_id: int, candidates: list[Person]) -> list[tuple[int, str]]:
    """The ``candidates`` (active users) holding ``registry.outgoing.sign`` in ``unit_id``."""
    found = []
    for person in candidates:
        actor = Actor(kind="user", id=person.id, name=person.username)
        if await has_permission(OUTGOING_SIGN, unit_id=unit_id, actor=actor):
            found.append((person.id, person.name))
    return found


# ------------------------------------------------------------------------------ list


@authenticated
async def outgoing_page(request: Request) -> Response:
    """The tabs: my drafts, to review, to sign, the unit's outgoing documents."""
    tab = request.query_params.get("tab", "mine")
    if tab not in VIEWS:
        tab = "mine"
    items = await list_outgoing(ListFilter(view=tab), limit=100)
    context = {
        "tab": tab,
        "tabs": [(key, _(label)) for key, label in TABS.items()],
        "counts": await counts(),
        "rows": await outgoing_dicts(items),
        "status_names": {k: _(v) for k, v in STATUS_NAMES.items()},
        "can_draft": await _may_draft(request),
    }
    return await render(request, "registry/outgoing/list.html", context)


async def _may_draft(request: Request) -> bool:
    unit_id = await current_unit_id(request)
    return unit_id is not None and await has_permission(OUTGOING_DRAFT, unit_id=unit_id)


# ------------------------------------------------------------------------------ new draft


def _int(raw: str, name: str, form: Any) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    # isascii: str.isdigit() also takes "²", which int() refuses.
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        form.error(name, _("Vui lòng nhập một số nguyên dương."))
        return None
    return int(raw)


def _date(raw: str, name: str, form: Any) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        form.error(name, _("Ngày không hợp lệ."))
        return None


def metadata_of(form: Any) -> DraftMetadata:
    """The draft's metadata from a posted form (wrong numbers and dates are form errors)."""
    texts = {name: form.get(name) for name in FORM_FIELDS}
    return DraftMetadata(
        **texts,
        page_amount=_int(form.get("page_amount"), "page_amount", form),
        copies=_int(form.get("copies"), "copies", form),
        due_date=_date(form.get("due_date"), "due_date", form),
        reply_to_document_id=_int(form.get("reply_to_document_id"), "reply_to_document_id", form),
    )


async def uploads(request: Request, name: str) -> list[IncomingFile]:
    """Every file of the field ``name`` (``read_form`` keeps one per field; starlette keeps
    the parsed form, so reading it again costs nothing)."""
    data = await request.form()
    return [
        IncomingFile(f.filename or "", f.file, content_type=f.content_type)
        for f in data.getlist(name)
        if isinstance(f, UploadFile) and f.filename
    ]


async def form_context(form: Any) -> dict[str, Any]:
    registries = await Registry.filter(direction__in=(OUTGOING, INTERNAL), is_active=True).order_by(
        "name"
    )
    return {
        "form": form,
        "directions": [(OUTGOING, _("Văn bản đi")), (INTERNAL, _("Văn bản nội bộ"))],
        "registries": [(r.id, r.name) for r in registries],
        "types": await _options(DocumentType),
        "priorities": await _options(UrgencyLevel),
        "secrecy": await _options(ConfidentialityLevel),
    }


@requires(OUTGOING_DRAFT, anywhere=True)
async def new_draft(request: Request) -> Response:
    """The new-draft form (GET) and its submission (POST: create, then the draft's page)."""
    form = None
    if request.method == "POST":
        form = await read_form(request)
        metadata = metadata_of(form)
        registry_id = _int(form.get("registry_id"), "registry_id", form)
        if form.ok:
            try:
                async with form.once():
                    document = await outgoing_drafts.create_draft(
                        form.get("direction", OUTGOING),
                        metadata,
                        next(iter(await uploads(request, "main")), None),
                        await uploads(request, "attachments"),
                        await uploads(request, "annexes"),
                        registry_id=registry_id,
                        unit_id=await current_unit_id(request),
                    )
            except AlreadySubmitted:
                return redirect(request, BASE, _("Biểu mẫu này đã được gửi."), "info")
            except (InvalidInput, Conflict) as exc:
                form.add_errors(exc)
            else:
                return redirect(request, f"{BASE}/{document.id}", _("Đã tạo dự thảo."))
    status = form.status if form is not None else 200
    return await render(
        request, "registry/outgoing/new.html", await form_context(form), status=status
    )


# ------------------------------------------------------------------------------ detail


async def detail_context(request: Request, found: Outgoing) -> dict[str, Any]:
    data = await outgoing_detail(found.document)
    actor = current_actor()
    me = actor.id if actor.kind == "user" else None
    status = data["status"]
    drafter = me is not None and me == data["drafter_user_id"]
    signer = me is not None and me == data["signer_user_id"]
    editable = drafter and status in EDITABLE
    pending = [
        r
        for r in data["reviews"]
        if r["round"] == data["review_round"] and r["status"] == REVIEW_PENDING
    ]
    unit = found.document.registered_unit_id
    # The review and submit forms are the drafter's, while the draft is editable.
    candidates = await people() if editable else []
    clerk = await has_permission(NUMBERS_ALLOCATE, unit_id=unit)
    return {
        "doc": data,
        "steps": await timeline(found.document.id),
        "status_names": {k: _(v) for k, v in STATUS_NAMES.items()},
        "review_names": {k: _(v) for k, v in REVIEW_NAMES.items()},
        "step_names": {k: _(v) for k, v in STEP_NAMES.items()},
        "can_edit": editable,
        "can_decide": any(r["reviewer_user_id"] == me for r in pending),
        "can_sign_steps": signer
        and (
            status == SUBMITTED
            or (status == APPROVED and found.detail.signature_provider != MANUAL)
        ),
        "can_upload_signed": clerk and status == APPROVED,
        "users": [(p.id, p.name) for p in candidates if p.id != me],
        "signers": await signers(unit, candidates),
        "signing_forms": [(f, f or _("(không)")) for f in SIGNING_FORMS],
        "base": BASE,
        "comment_error": "",
    }


@authenticated
async def draft_page(request: Request) -> Response:
    """A draft's page: metadata, files, reviews, comments, timeline, the forms of my steps.
    Opening it is traced on the timeline, as for incoming documents."""
    found = await load_outgoing(path_id(request, "document_id"))
    await documents.trace_view(found.document)
    context = await detail_context(request, found)
    # The reference data only feeds the drafter's edit form.
    context.update(await form_context(None) if context["can_edit"] else {"form": None})
    return await render(request, "registry/outgoing/detail.html", context)
