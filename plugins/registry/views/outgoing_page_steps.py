"""The forms of a draft's page (``/registry/outgoing/{id}/…``): each runs one step once and
redirects back to the page (Post/Redirect/Get) with a message; a refused value comes back as
an error message, a missing permission as the 403 page naming it. The comment form answers
htmx with the refreshed comment list instead of a reload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import (
    AlreadySubmitted,
    Conflict,
    InvalidInput,
    authenticated,
    read_form,
    redirect,
    render,
    requires,
)
from core import gettext as _
from plugins.registry.actions import NUMBERS_ALLOCATE, OUTGOING_SIGN
from plugins.registry.api import path_id
from plugins.registry.services import outgoing_drafts, outgoing_review, outgoing_signing
from plugins.registry.services.outgoing_common import load_outgoing
from plugins.registry.views.outgoing_api import document_unit
from plugins.registry.views.outgoing_out import comment_dicts
from plugins.registry.views.outgoing_pages import BASE, metadata_of, uploads
from plugins.registry.views.pages_admin_common import parse_id, vietnamese


def _id(request: Request) -> int:
    return path_id(request, "document_id")


def _ids(form: Any, name: str) -> list[int]:
    """The ids chosen in the multiple field ``name`` (anything else is left out)."""
    return [i for i in map(parse_id, form.getlist(name)) if i is not None]


def _problem(form: Any, exc: InvalidInput | Conflict) -> str:
    if isinstance(exc, InvalidInput) and exc.errors:
        return "; ".join(f"{k}: {vietnamese(v)}" for k, v in exc.errors.items())
    if form.errors:
        return "; ".join(form.errors.values())
    return exc.detail


async def _step(
    request: Request, change: Callable[[Any], Awaitable[object]], message: str
) -> Response:
    """Read the form, run ``change(form)`` once, back to the page with ``message``."""
    url = f"{BASE}/{_id(request)}"
    form = await read_form(request)
    if not form.ok:
        return redirect(request, url, "; ".join(form.errors.values()), "error")
    try:
        async with form.once():
            await change(form)
    except AlreadySubmitted:
        return redirect(request, url, _("Biểu mẫu này đã được gửi."), "info")
    except (InvalidInput, Conflict) as exc:
        return redirect(
            request,
            url,
            _("Chưa thực hiện được: %(problem)s") % {"problem": _problem(form, exc)},
            "error",
        )
    return redirect(request, url, message)


@authenticated
async def edit(request: Request) -> Response:
    async def change(form: Any) -> None:
        metadata = metadata_of(form)
        if form.errors:
            raise InvalidInput("Invalid values.", dict(form.errors))
        await outgoing_drafts.update_draft(_id(request), metadata)

    return await _step(request, change, _("Đã lưu thông tin dự thảo."))


@authenticated
async def files(request: Request) -> Response:
    async def change(form: Any) -> None:
        removed = _ids(form, "remove_file_ids")
        await outgoing_drafts.replace_files(
            _id(request),
            main=next(iter(await uploads(request, "main")), None),
            attachments=await uploads(request, "attachments"),
            annexes=await uploads(request, "annexes"),
            remove_file_ids=removed,
        )

    return await _step(request, change, _("Đã cập nhật tệp của dự thảo."))


@authenticated
async def review(request: Request) -> Response:
    async def change(form: Any) -> None:
        ids = _ids(form, "reviewer_user_ids")
        mode = form.get("mode", "sequence")
        await outgoing_review.request_review(_id(request), ids, mode, note=form.get("note"))

    return await _step(request, change, _("Đã gửi dự thảo xin ý kiến."))


@authenticated
async def decide(request: Request) -> Response:
    async def change(form: Any) -> None:
        await outgoing_review.decide(_id(request), form.get("decision"), form.get("comment"))

    return await _step(request, change, _("Đã ghi nhận ý kiến của bạn."))


@authenticated
async def comment(request: Request) -> Response:
    """Add a comment; htmx gets the refreshed comment list, a browser without it a redirect."""
    if request.headers.get("hx-request") != "true":
        return await _step(
            request,
            lambda form: outgoing_review.add_comment(_id(request), form.get("text")),
            _("Đã thêm ý kiến."),
        )
    form = await read_form(request)
    error = "; ".join(form.errors.values())
    if form.ok:
        try:
            async with form.once():
                await outgoing_review.add_comment(_id(request), form.get("text"))
        except AlreadySubmitted:
            error = _("Biểu mẫu này đã được gửi.")
        except InvalidInput as exc:
            error = _problem(form, exc)
    found = await load_outgoing(_id(request))
    doc = {"id": found.document.id, "comments": await comment_dicts(found.document.id)}
    context = {"doc": doc, "comment_error": error, "base": BASE}
    return await render(request, "registry/outgoing/_comments.html", context)


@authenticated
async def submit(request: Request) -> Response:
    async def change(form: Any) -> None:
        signer = parse_id(form.get("signer_user_id"))
        if signer is None:
            raise InvalidInput("Choose the signer.", {"signer_user_id": _("Chọn người ký.")})
        await outgoing_signing.submit(_id(request), signer, form.get("signing_form"))

    return await _step(request, change, _("Đã trình ký."))


@requires(OUTGOING_SIGN, unit=document_unit)
async def approve(request: Request) -> Response:
    return await _step(
        request, lambda form: outgoing_signing.approve(_id(request)), _("Đã duyệt văn bản.")
    )


@requires(OUTGOING_SIGN, unit=document_unit)
async def return_document(request: Request) -> Response:
    return await _step(
        request,
        lambda form: outgoing_signing.return_to_drafter(_id(request), form.get("reason")),
        _("Đã trả lại văn bản cho người soạn thảo."),
    )


@requires(OUTGOING_SIGN, unit=document_unit)
async def sign(request: Request) -> Response:
    outcome: dict[str, bool] = {}

    async def change(form: Any) -> None:
        result = await outgoing_signing.sign(_id(request))
        outcome["manual"] = result.manual

    response = await _step(request, change, "")
    if response.status_code == 303 and "manual" in outcome:
        message = (
            _("Đã ký. Văn thư đính kèm bản PDF đã ký để hoàn tất.")
            if outcome["manual"]
            else _("Đã chuyển sang ký số; văn bản chuyển trạng thái Đã ký khi ký xong.")
        )
        return redirect(request, f"{BASE}/{_id(request)}", message)
    return response


@requires(NUMBERS_ALLOCATE, unit=document_unit)
async def signed_file(request: Request) -> Response:
    async def change(form: Any) -> None:
        files = await uploads(request, "file")
        if not files:
            raise InvalidInput("Send the signed PDF.", {"file": _("Chọn tệp PDF đã ký.")})
        await outgoing_signing.attach_signed_pdf(_id(request), files[0])

    return await _step(request, change, _("Đã đính kèm bản đã ký; văn bản đã ký."))
