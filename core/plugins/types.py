"""Value types that plugins return from hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class PluginInfo:
    """Who a plugin is. ``name`` is its key everywhere (enablement, settings, tortoise app)."""

    name: str
    version: str
    title: str
    description: str = ""
    settings_model: type[BaseModel] | None = None


@dataclass(frozen=True)
class Action:
    """A permission a plugin declares, e.g. ``registry.incoming.register``.

    ``default_roles`` are the seeded role keys that get it (tenant_admin, unit_admin, clerk,
    leader, specialist).
    """

    key: str
    title: str
    description: str = ""
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuItem:
    """An entry of the shell's menu; shown only to actors holding ``permission``."""

    key: str
    title: str
    url: str
    permission: str | None = None
    order: int = 100
    icon: str = ""


JobFunction = Callable[[dict[str, Any], str], Awaitable[None]]


@dataclass(frozen=True)
class JobHandler:
    """An outbox handler: ``fn(payload, message_id)`` runs in the message's tenant context.

    Delivery is at least once: ``fn`` must be idempotent, keyed by ``message_id``.
    """

    name: str
    fn: JobFunction
    max_attempts: int = 8


@dataclass(frozen=True)
class Event:
    """Base of every event dataclass published through ``on_event``."""

    extra: dict[str, Any] = field(default_factory=dict, kw_only=True)
