"""Page actions on one incoming document (forms posted from its page): present it to a
leader, assign it (or pass a unit's assignment on), write an opinion, finish a part, complete.

Each handler reads the form (CSRF checked), runs the service once (``core.submit_once``: a
second submit of the same form is told so and changes nothing) and redirects back to the
document with a flash message; when the service refuses, the document's page is shown again
with the typed values and the error next to the field (422, or 409 for a conflict). The
services check every permission; the route decorators only ask that the user is signed in or
holds the action somewhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from core import (
    Conflict,
    CongvanError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    authenticated,
    read_form,
    requires,
    submit_once,
)
from core import gettext as _
from plugins.registry.actions import INCOMING_ASSIGN, INCOMING_REGISTER
from plugins.registry.api import path_id
from plugins.registry.services import assignments, documents, presentation
from plugins.registry.services.assignments import Assignee, AssignmentRequest
from plugins.registry.services.incoming_files import IncomingFile
from plugins.registry.views.pages_admin_common import parse_id
from plugins.registry.views.pages_incoming_common import parse_assignee, parse_date
from plugins.registry.views.pages_incoming_detail import MAX_ROWS, render_detail

Change = Callable[[], Awaitable[Any]]


def _vietnamese(message: str) -> str:
    """The services' short English field messages, in the page's language."""
    text = str(message)
    if "deactivated" in text:
        return _("Người dùng hoặc đơn vị này đã ngừng hoạt động.")
    if text == "before the arrival date":
        return _("Hạn xử lý không được trước ngày đến của văn bản.")
    if text.startswith(("not in unit", "not below unit")):
        return _("Không thuộc đơn vị được giao văn bản.")
    known = {
        "required": _("Vui lòng nhập trường này."),
        "not a leader of this unit": _("Người này không có quyền phân công văn bản của đơn vị."),
        "unknown user": _("Không tìm thấy người dùng."),
        "a user or a unit": _("Chọn một người hoặc một đơn vị."),
    }
    return known.get(text, text)


def _conflict_text(exc: CongvanError) -> str:
    detail = exc.detail or ""
    if "already has a lead" in detail:
        return _("Văn bản đã có người chủ trì; đánh dấu “Thay người chủ trì” để thay.")
    if "already waiting" in detail:
        return _("Văn bản đang chờ lãnh đạo này phân công.")
    if "is completed" in detail or "completed;" in detail:
        return _("Văn bản đã hoàn thành xử lý.")
    return detail


async def _act(
    request: Request,
    key: str | Callable[[Any], str],
    change: Callable[[Any], Change | None],
    message: str,
    rename: Callable[[str], str] = lambda name: name,
    errors: tuple[type[CongvanError], ...] = (InvalidInput, Conflict),
) -> Response:
    """Read the form, run ``change(form)`` once, redirect or show the page again.

    ``change`` returns the service call, or ``None`` after marking input errors on the form;
    ``rename`` maps a service error field to the form's field name; ``key`` names the form on
    the page (or computes it from the form)."""
    document_id = path_id(request, "document_id")
    document = await documents.get_document(document_id)
    form = await read_form(request)
    url = f"/registry/incoming/{document.id}"
    conflict = False

    def record(f: Any, exc: CongvanError) -> None:
        nonlocal conflict
        if isinstance(exc, InvalidInput) and exc.errors:
            for name, text in exc.errors.items():
                f.error(rename(name), _vietnamese(text))
        elif isinstance(exc, NotFound):
            f.error(rename("__not_found__"), _("Không tìm thấy."))
        else:
            conflict = isinstance(exc, Conflict)
            f.error("__form__", _conflict_text(exc))

    call = change(form) if form.ok else None
    if call is not None:
        done = await submit_once(
            request, form, call, url=url, message=message, on_error=record, errors=errors
        )
        if done is not None:
            return done
    status = 409 if conflict else form.status
    name = key(form) if callable(key) else key
    return await render_detail(request, document, {name: form}, status=status)


# ------------------------------------------------------------------------------ present


@requires(INCOMING_REGISTER, anywhere=True)
async def present(request: Request) -> Response:
    """The clerk presents the document to a leader (``leader_user_id``, ``note``)."""
    document_id = path_id(request, "document_id")

    def change(form: Any) -> Change | None:
        leader = parse_id(form.get("leader_user_id"))
        if leader is None:
            form.error("leader_user_id", _("Vui lòng chọn lãnh đạo."))
            return None
        return lambda: presentation.present(document_id, leader, note=form.get("note"))

    return await _act(request, "present", change, _("Đã trình văn bản cho lãnh đạo."))


# ------------------------------------------------------------------------------ assign


def _assign_field(name: str, co_index: list[int], info_index: list[int]) -> str:
    """A service error field (``cohandlers.1.deadline``) → the form's (``co_deadline.3``)."""
    parts = name.split(".")
    if parts[0] == "lead":
        return "lead_deadline" if parts[-1] == "deadline" else "lead"
    if parts[0] in ("cohandlers", "informed") and len(parts) > 1 and parts[1].isdigit():
        rows = co_index if parts[0] == "cohandlers" else info_index
        i = int(parts[1])
        row = rows[i] if i < len(rows) else 0
        if parts[0] == "cohandlers":
            return f"co_deadline.{row}" if parts[-1] == "deadline" else f"co.{row}"
        return f"info.{row}"
    return name if name == "direction" else "__form__"


def _assignee(form: Any, field: str, value: str, deadline: str) -> Assignee | None:
    who = parse_assignee(value)
    if who is None:
        form.error(field, _("Lựa chọn không hợp lệ."))
        return None
    when = parse_date(deadline)
    if when == "bad":
        form.error(
            field.replace("co.", "co_deadline.").replace("lead", "lead_deadline"),
            _("Ngày không hợp lệ."),
        )
        return None
    return Assignee(
        user_id=who[0], unit_id=who[1], deadline=when if isinstance(when, date) else None
    )


@requires(INCOMING_ASSIGN, anywhere=True)
async def assign(request: Request) -> Response:
    """Assign the document: ``lead`` (``u:<id>``/``n:<id>``) and ``lead_deadline``, rows of
    ``co``/``co_deadline`` and ``info``, ``direction``, ``replace_lead``; with
    ``parent_assignment_id`` a unit's assignment is passed on inside that unit."""
    document_id = path_id(request, "document_id")
    co_index: list[int] = []
    info_index: list[int] = []

    def change(form: Any) -> Change | None:
        parent = parse_id(form.get("parent_assignment_id"))
        lead = None
        if form.get("lead").strip():
            lead = _assignee(form, "lead", form.get("lead"), form.get("lead_deadline"))
        deadlines = form.getlist("co_deadline")
        cohandlers: list[Assignee] = []
        for i, value in enumerate(form.getlist("co")[:MAX_ROWS]):
            if value.strip():
                when = deadlines[i] if i < len(deadlines) else ""
                found = _assignee(form, f"co.{i}", value, when)
                if found is not None:
                    cohandlers.append(found)
                    co_index.append(i)
        informed: list[Assignee] = []
        for i, value in enumerate(form.getlist("info")[:MAX_ROWS]):
            if value.strip():
                found = _assignee(form, f"info.{i}", value, "")
                if found is not None:
                    informed.append(found)
                    info_index.append(i)
        if form.errors:
            return None
        wanted = AssignmentRequest(
            lead=lead,
            cohandlers=cohandlers,
            informed=informed,
            direction=form.get("direction"),
            replace_lead=form.checked("replace_lead"),
            parent_assignment_id=parent,
        )
        return lambda: assignments.assign(document_id, wanted)

    def rename(name: str) -> str:
        return _assign_field(name, co_index, info_index)

    def key(form: Any) -> str:
        parent = parse_id(form.get("parent_assignment_id"))
        return "assign" if parent is None else f"reassign-{parent}"

    return await _act(request, key, change, _("Đã phân công xử lý văn bản."), rename)


# ------------------------------------------------------------------------------ handle


@authenticated
async def add_opinion(request: Request) -> Response:
    """An assignee's opinion: ``text`` and an optional ``file`` (multipart)."""
    document_id = path_id(request, "document_id")
    assignment_id = path_id(request, "assignment_id")
    found = await assignments.get_assignment(assignment_id)
    if found.document_id != document_id:
        raise NotFound(f"No assignment {assignment_id} in document {document_id}.")

    async def change_with_file(form: Any) -> Any:
        data = await request.form()  # cached: the same parsed body
        upload = data.get("file")
        attached = None
        if isinstance(upload, UploadFile) and upload.filename:
            attached = IncomingFile(upload.filename, upload.file, "attachment", upload.content_type)
        return await assignments.add_opinion(assignment_id, form.get("text"), attached)

    def change(form: Any) -> Change | None:
        if not form.get("text").strip():
            form.error("text", _("Vui lòng nhập ý kiến."))
            return None
        return lambda: change_with_file(form)

    def rename(name: str) -> str:
        return "file" if name.startswith("files") else name

    return await _act(
        request,
        f"opinion-{assignment_id}",
        change,
        _("Đã ghi ý kiến xử lý."),
        rename,
        (InvalidInput, Conflict, PayloadTooLarge),
    )


@authenticated
async def mark_done(request: Request) -> Response:
    """The assignee finished its part."""
    document_id = path_id(request, "document_id")
    assignment_id = path_id(request, "assignment_id")
    found = await assignments.get_assignment(assignment_id)
    if found.document_id != document_id:
        raise NotFound(f"No assignment {assignment_id} in document {document_id}.")
    return await _act(
        request,
        f"opinion-{assignment_id}",
        lambda form: lambda: assignments.mark_done(assignment_id),
        _("Đã báo cáo hoàn thành phần việc."),
    )


@authenticated
async def complete(request: Request) -> Response:
    """The lead completes the document, optionally naming its reply (``reply_document_id``)."""
    document_id = path_id(request, "document_id")

    def change(form: Any) -> Change | None:
        raw = form.get("reply_document_id").strip()
        reply = parse_id(raw) if raw else None
        if raw and reply is None:
            form.error("reply_document_id", _("Mã văn bản trả lời là một số."))
            return None
        return lambda: assignments.complete(document_id, reply_document_id=reply)

    def rename(name: str) -> str:
        return "reply_document_id" if name == "__not_found__" else name

    return await _act(
        request,
        "complete",
        change,
        _("Đã hoàn thành xử lý văn bản."),
        rename,
        (InvalidInput, Conflict, NotFound),
    )
