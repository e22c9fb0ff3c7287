# mypy: disable-error-code="empty-body"
"""Hooks the registry publishes for other plugins (``register_hookspecs``).

Call them with ``core.call_hook``; they run on the current tenant's enabled plugins only.
"""

from __future__ import annotations

from typing import Any

from core import hookspec


class RegistryHookSpecs:
    @hookspec
    def registry_sign_document(self, document_id: int, signer_user_id: int) -> Any:
        """Take over the signing step of the outgoing document ``document_id``. Tenant-scoped.

        Called when the signer signs an approved document. A signing plugin returns a
        description of what it did (e.g. ``{"provider": "pkcs11", "status": "pending"}``) and
        later stores the signed PDF through the registry's service; returning ``None`` (or no
        plugin enabled) leaves the manual step: the clerk attaches the PDF signed elsewhere.
        """

    @hookspec
    def registry_dispatch_document(self, document_id: int, recipient_ids: list[int]) -> Any:
        """Send the issued outgoing document ``document_id`` to its external recipients
        ``recipient_ids`` (``Recipient`` rows in status ``to_be_sent``). Tenant-scoped.

        Called by the outbox job ``registry.outgoing.dispatch`` after an issue commits. An
        interconnect plugin returns a description of what it did and later sets each
        recipient's status (``sent``, ``send_failed``); with none enabled the recipients stay
        ``to_be_sent`` and the document's timeline records that nothing is connected. (The
        plugin may instead listen to the ``DocumentIssued`` event.)
        """
