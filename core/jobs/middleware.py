"""The dramatiq middleware that carries the tenant from the sender to the worker.

``before_enqueue`` stamps ``message.options["tenant_id"]`` with the sender's tenant unless the
sender set it (the dispatcher always does: it runs in platform scope and names each row's
tenant). In the worker, ``before_process_message`` loads that tenant and enters its context and
the system actor for the worker thread; the AsyncIO middleware runs the actor's coroutine with
a copy of that thread's context, so services inside see ``current_tenant()``. The after-hooks
leave the context again. Arbitrary option keys survive the trip through Redis.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from dramatiq.asyncio import get_event_loop_thread
from dramatiq.broker import Broker, MessageProxy
from dramatiq.message import Message
from dramatiq.middleware import Middleware

from core.context import (
    SYSTEM,
    TenantInfo,
    acting_as,
    current_tenant_or_none,
    no_tenant,
    platform_scope,
    tenant_context,
)

TENANT_OPTION = "tenant_id"
TenantResolver = Callable[[int], TenantInfo | None]

log = logging.getLogger("congvan.jobs")


async def load_tenant(tenant_id: int) -> TenantInfo | None:
    """A fresh snapshot of the tenant from the database (``None`` if it no longer exists)."""
    from core.tenancy.models import Tenant
    from core.tenancy.registry import load_tenant_info

    with platform_scope():
        tenant = await Tenant.get_or_none(id=tenant_id)
        return await load_tenant_info(tenant) if tenant is not None else None


class TenantMiddleware(Middleware):
    """Stamp the tenant on enqueue; restore it around each message in the worker.

    ``resolve`` maps a tenant id to its snapshot synchronously (e.g. a loaded
    :class:`core.tenancy.registry.TenantRegistry`'s ``by_id``); by default the tenant is read
    from the database on the AsyncIO middleware's event-loop thread, where tortoise lives.
    """

    def __init__(self, resolve: TenantResolver | None = None) -> None:
        self._resolve = resolve
        self._local = threading.local()

    def before_enqueue(self, broker: Broker, message: Message[Any], delay: int | None) -> None:
        if TENANT_OPTION not in message.options:
            tenant = current_tenant_or_none()
            message.options[TENANT_OPTION] = tenant.id if tenant is not None else None

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        self._leave()  # a previous message on this thread that never reached an after-hook
        tenant_id = message.options.get(TENANT_OPTION)
        stack = ExitStack()
        tenant = self._tenant(tenant_id) if isinstance(tenant_id, int) else None
        stack.enter_context(tenant_context(tenant) if tenant is not None else no_tenant())
        stack.enter_context(acting_as(SYSTEM))
        self._local.stack = stack

    def after_process_message(
        self,
        broker: Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        self._leave()

    def after_skip_message(self, broker: Broker, message: MessageProxy) -> None:
        self._leave()

    def _leave(self) -> None:
        stack: ExitStack | None = getattr(self._local, "stack", None)
        if stack is not None:
            self._local.stack = None
            stack.close()

    def _tenant(self, tenant_id: int) -> TenantInfo | None:
        try:
            if self._resolve is not None:
                return self._resolve(tenant_id)
            loop_thread = get_event_loop_thread()
            if loop_thread is None:
                raise RuntimeError("the dramatiq AsyncIO middleware is not installed")
            return loop_thread.run_coroutine(load_tenant(tenant_id))
        except Exception:
            # The executor loads the tenant again from the outbox row, so the message still
            # runs in the right tenant; here we only lose the early context.
            log.warning("could not load tenant %s for a job message", tenant_id, exc_info=True)
            return None
