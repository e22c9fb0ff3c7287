"""The table that makes a form submission count once (a platform table)."""

from __future__ import annotations

from tortoise import fields

from core.db.base import PlatformModel


class FormSubmission(PlatformModel):
    """A form nonce that was used: a second submission of the same form is recognised."""

    nonce = fields.CharField(max_length=64, primary_key=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "core_form_submission"
