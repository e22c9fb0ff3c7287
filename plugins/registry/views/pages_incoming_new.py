"""Page: receive an incoming document (``/registry/incoming/new``) — register it, or refuse it
with a reason.

The form is ``multipart/form-data``: the CSRF token and the submit-once nonce travel as
ordinary fields of the multipart body (``core.read_form`` reads them from it), the files as
``main`` and ``attachments`` parts (several of each; ``read_form`` keeps only the first file of a
name, so the handler takes every one from the parsed form, which Starlette caches).

A probable duplicate is not registered: the page comes back with links to the documents it may
duplicate and a "register anyway" box (the files must be chosen again: browsers never refill a
file input). Encrypted or damaged PDFs are registered and the warning is flashed on the
document's page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from core import (
    AlreadySubmitted,
    Conflict,
    CongvanError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    current_unit_id,
    has_permission,
    read_form,
    redirect,
    render,
    requires,
)
from core import gettext as _
from plugins.registry.actions import INCOMING_REGISTER
from plugins.registry.models import INCOMING, Registry
from plugins.registry.models_documents import (
    ROLE_ATTACHMENT,
    ROLE_MAIN,
    SOURCE_SCAN,
    SOURCE_UPLOAD,
    Document,
)
from plugins.registry.services import incoming
from plugins.registry.services.incoming_files import MAX_FILES, IncomingFile
from plugins.registry.services.incoming_input import IncomingMetadata
from plugins.registry.services.reference import list_items
from plugins.registry.views.pages_admin_common import parse_id, vietnamese
from plugins.registry.views.pages_incoming_common import arrival_text, parse_date

REQUIRED = (
    "registry_id",
    "organ_name",
    "code_number",
    "code_notation",
    "document_type",
    "issued_date",
    "subject",
    "signer_full_name",
    "priority",
    "confidentiality",
    "page_amount",
)
TEXTS = (
    "organ_name",
    "organ_id",
    "code_number",
    "code_notation",
    "subject",
    "signer_full_name",
    "signer_position",
    "document_identifier",
    "description",
    "document_type",
    "priority",
    "confidentiality",
)


def _no_registry(form: Any) -> None:
    form.error("registry_id", _("Không có sổ văn bản này."))


class PossibleDuplicate(Conflict):
    """Raised inside the form's transaction so that its nonce is not kept: the clerk confirms
    and sends the same form again."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__(_("Văn bản này có thể đã được vào sổ."))
        self.ids = ids


def _vietnamese(message: str) -> str:
    """The services' short English field messages, in the page's language."""
    known = {
        "not an incoming registry": _("Đây không phải sổ văn bản đến."),
        "inactive registry": _("Sổ văn bản này đã ngừng sử dụng."),
        "a main file is required": _("Vui lòng chọn tệp văn bản chính."),
    }
    return known.get(message) or vietnamese(message)


async def _registries() -> list[Registry]:
    """Active incoming registries of the units where the user may register documents."""
    found = await Registry.filter(direction=INCOMING, is_active=True).order_by(
        "unit_id", "name", "id"
    )
    return [r for r in found if await has_permission(INCOMING_REGISTER, unit_id=r.unit_id)]


async def _context(request: Request, form: Any, duplicates: list[Document]) -> dict[str, Any]:
    registries = await _registries()
    current = await current_unit_id(request)
    default = next((r.id for r in registries if r.unit_id == current), None)
    return {
        "form": form,
        "registries": [(r.id, r.name) for r in registries],
        "default_registry": default,
        "types": [
            (t.code, t.name) for t in await list_items("document-types", include_inactive=False)
        ],
        "urgencies": [
            (u.code, u.name) for u in await list_items("urgency-levels", include_inactive=False)
        ],
        "levels": [
            (c.code, c.name)
            for c in await list_items("confidentiality-levels", include_inactive=False)
        ],
        "sources": [
            (SOURCE_UPLOAD, _("Văn bản điện tử")),
            (SOURCE_SCAN, _("Bản quét văn bản giấy")),
        ],
        "duplicates": duplicates,
        "max_files": MAX_FILES,
    }


def _uploads(data: Any, name: str) -> list[UploadFile]:
    """The files sent under ``name``; an empty file input sends a part with no name."""
    return [f for f in data.getlist(name) if isinstance(f, UploadFile) and f.filename]


def _metadata(form: Any) -> IncomingMetadata:
    """The metadata of the form (fields checked first by :func:`_precheck`)."""
    issued = parse_date(form.get("issued_date"))
    due = parse_date(form.get("due_date"))
    values = {name: form.get(name).strip() for name in TEXTS}
    pages = form.get("page_amount").strip()
    return IncomingMetadata(
        issued_date=issued if isinstance(issued, date) else None,
        due_date=due if isinstance(due, date) else None,
        page_amount=int(pages) if pages.isascii() and pages.isdigit() else None,
        **values,
    )


def _precheck(form: Any, action: str, main: list[UploadFile]) -> int | None:
    """Errors the page can tell without the services; the registry id when it is a number."""
    for name in REQUIRED:
        if not form.get(name).strip():
            form.error(name, _("Vui lòng nhập trường này."))
    for name in ("issued_date", "due_date"):
        if parse_date(form.get(name)) == "bad":
            form.error(name, _("Ngày không hợp lệ."))
    pages = form.get("page_amount").strip()
    if pages and not (
        pages.isascii() and pages.isdigit() and len(pages) <= 6 and 0 < int(pages) <= 100_000
    ):
        form.error("page_amount", _("Số trang là số nguyên từ 1 đến 100.000."))
    if action == "refuse" and not form.get("reason").strip():
        form.error("reason", _("Vui lòng nêu lý do từ chối."))
    if not main:
        form.error("main", _("Vui lòng chọn tệp văn bản chính."))
    registry_id = parse_id(form.get("registry_id"))
    if registry_id is None and form.get("registry_id").strip():
        _no_registry(form)
    return registry_id


def _record_errors(form: Any, exc: CongvanError, main_count: int) -> None:
    """Service errors next to their fields (``files.<i>`` → the main or attachment input)."""
    errors = exc.extra.get("errors") if isinstance(exc, PayloadTooLarge) else None
    if isinstance(exc, InvalidInput):
        errors = exc.errors
    if not errors:
        form.error("__form__", exc.detail)
        return
    for name, message in errors.items():
        if name.startswith("files."):
            index = name.partition(".")[2]
            name = "main" if index.isdigit() and int(index) < main_count else "attachments"
        elif name == "files":
            name = "main"
        elif name not in (*REQUIRED, *TEXTS, "due_date", "reason", "source"):
            name = "__form__"
        form.error(name, _vietnamese(str(message)))


@requires(INCOMING_REGISTER, anywhere=True)
async def new_incoming(request: Request) -> Response:
    """The form (GET), registration or refusal (POST)."""
    if request.method != "POST":
        return await render(
            request, "registry/incoming/new.html", await _context(request, None, [])
        )
    form = await read_form(request)
    data = await request.form()  # cached by Starlette: the same parsed body
    main, attachments = _uploads(data, "main"), _uploads(data, "attachments")
    action = "refuse" if form.get("action") == "refuse" else "register"
    registry_id = _precheck(form, action, main)
    duplicates: list[Document] = []
    if form.ok and registry_id is not None:
        files = [IncomingFile(f.filename or "", f.file, ROLE_MAIN, f.content_type) for f in main]
        files += [
            IncomingFile(f.filename or "", f.file, ROLE_ATTACHMENT, f.content_type)
            for f in attachments
        ]
        source = form.get("source") or SOURCE_UPLOAD
        try:
            async with form.once():
                if action == "refuse":
                    result = await incoming.refuse_incoming(
                        registry_id,
                        _metadata(form),
                        files,
                        reason=form.get("reason"),
                        source=source,
                    )
                else:
                    result = await incoming.register_incoming(
                        registry_id,
                        _metadata(form),
                        files,
                        source=source,
                        confirm_duplicate=form.checked("confirm_duplicate"),
                    )
                    if result.document is None:
                        raise PossibleDuplicate(result.duplicate_of)
        except AlreadySubmitted:
            return redirect(request, "/registry/incoming", _("Biểu mẫu này đã được gửi."), "info")
        except PossibleDuplicate as exc:
            duplicates = list(await Document.filter(id__in=exc.ids).order_by("id"))
            form.error("__form__", exc.detail)
        except NotFound:  # no such registry in this tenant (a stale or altered form)
            _no_registry(form)
        except (InvalidInput, Conflict, PayloadTooLarge) as exc:
            _record_errors(form, exc, len(main))
        else:
            document = result.document
            assert document is not None
            url = f"/registry/incoming/{document.id}"
            if action == "refuse":
                return redirect(request, url, _("Đã ghi nhận từ chối tiếp nhận văn bản."))
            done = _("Đã vào sổ văn bản đến, số đến %(number)s.") % {
                "number": arrival_text(document)
            }
            if result.warnings:
                notes = " ".join(f"{w.filename}: {w.message}" for w in result.warnings)
                return redirect(request, url, f"{done} {notes}", "warning")
            return redirect(request, url, done)
    status = form.status if not duplicates else 409
    context = await _context(request, form, duplicates)
    return await render(request, "registry/incoming/new.html", context, status=status)
