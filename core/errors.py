"""The one error hierarchy of Congvan.

Every error a user or a client can cause derives from :class:`CongvanError`; one place
(``core.web.problems``) maps it to an HTML page or ``application/problem+json``, and the CLI
prints its ``detail`` as one line and exits non-zero.
"""

from __future__ import annotations

from typing import Any


class CongvanError(Exception):
    """Base of every expected error: an HTTP status, a short code and a human detail."""

    status: int = 500
    code: str = "error"
    title: str = "Error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def to_problem(self) -> dict[str, Any]:
        """The RFC 9457 problem document for this error."""
        body: dict[str, Any] = {
            "type": f"https://congvan.dev/problems/{self.code}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        body.update(self.extra)
        return body


class InvalidInput(CongvanError):
    """The request is well-formed but a value is wrong; ``errors`` maps field → message."""

    status = 422
    code = "invalid-input"
    title = "Invalid input"

    def __init__(self, detail: str, errors: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail, errors=errors or {}, **extra)
        self.errors = errors or {}


class BadRequest(CongvanError):
    status = 400
    code = "bad-request"
    title = "Bad request"


class Unauthenticated(CongvanError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class PermissionDenied(CongvanError):
    """The actor lacks ``permission``; the message names it so an admin knows what to grant."""

    status = 403
    code = "permission-denied"
    title = "Permission denied"

    def __init__(self, permission: str, detail: str | None = None) -> None:
        super().__init__(detail or f"Missing permission: {permission}", permission=permission)
        self.permission = permission


class NotFound(CongvanError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(CongvanError):
    status = 409
    code = "conflict"
    title = "Conflict"


class PayloadTooLarge(CongvanError):
    status = 413
    code = "payload-too-large"
    title = "Payload too large"


class TooManyRequests(CongvanError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class UnknownTenant(CongvanError):
    status = 404
    code = "unknown-tenant"
    title = "Unknown tenant"


class TenantSuspended(CongvanError):
    status = 403
    code = "tenant-suspended"
    title = "Tenant suspended"


class TenantRequired(CongvanError):
    """Programming error: tenant-scoped data was touched with no tenant in context."""

    status = 500
    code = "tenant-required"
    title = "No tenant in context"


class BlobIntegrityError(CongvanError):
    """A stored object's bytes no longer match its SHA-256 name."""

    status = 500
    code = "blob-integrity"
    title = "Stored file is corrupted"


class ConfigurationError(CongvanError):
    """A setting is wrong or its service unreachable; ``detail`` names the setting and why."""

    code = "configuration"
    title = "Configuration error"


class ServiceUnavailable(CongvanError):
    status = 503
    code = "service-unavailable"
    title = "Service unavailable"
