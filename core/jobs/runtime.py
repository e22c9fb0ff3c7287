"""The job machinery that lives inside a process's event loop, started and stopped as one.

The web app's lifespan calls ``runtime = job_runtime_from_settings(settings)``, then
``await runtime.start()`` after the database is open and ``await runtime.stop()`` before it
closes. What runs depends on the broker:

* ``inprocess://`` (embedded): the dispatcher and ``settings.job_workers`` in-process workers —
  the web process runs the jobs itself.
* ``redis://`` (production): by default nothing — web processes never consume jobs and leave
  dispatching to ``congvan worker`` (which runs a dispatcher beside its dramatiq workers), so
  adding web replicas adds no polling load. ``dispatch=True`` also runs a sending-only
  dispatcher in the web process (useful when no worker process runs a dispatcher).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Literal

from core.jobs.backends import Backend
from core.jobs.dispatcher import Dispatcher
from core.settings import Settings

Role = Literal["web", "worker"]


class JobRuntime:
    """A backend (consuming or not) and an optional dispatcher, started and stopped together."""

    def __init__(
        self, backend: Backend | None = None, dispatcher: Dispatcher | None = None
    ) -> None:
        self.backend = backend
        self.dispatcher = dispatcher
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._started = False

    @property
    def running(self) -> bool:
        return self._started

    async def start(self) -> None:
        """Start consuming and dispatching (call outside any transaction and tenant scope)."""
        if self._started:
            return
        if self.backend is not None:
            await self.backend.start()
        if self.dispatcher is not None:
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(
                self.dispatcher.run_forever(self._stop), name="congvan-dispatcher"
            )
        self._started = True

    async def stop(self, grace: float = 30.0) -> None:
        """Stop dispatching, let running jobs finish, return queued ones to the outbox."""
        if not self._started:
            return
        self._started = False
        if self._task is not None and self._stop is not None:
            self._stop.set()
            try:
                await asyncio.wait_for(self._task, grace)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._task = None
        if self.backend is not None:
            await self.backend.stop()


def job_runtime_from_settings(
    settings: Settings, *, role: Role = "web", dispatch: bool = False
) -> JobRuntime:
    """The runtime for a web process (``role="web"``) or an embedded worker process.

    ``dispatch`` matters only with a Redis broker in a web process (see the module docstring).
    A worker process with a Redis broker is :func:`core.jobs.worker.run_worker`'s business.
    """
    if settings.embedded_jobs:
        from core.jobs.inprocess import InProcessBackend

        workers = InProcessBackend(settings.job_workers)
        return JobRuntime(workers, Dispatcher(workers, interval=settings.dispatch_interval))
    if role == "worker":
        raise ValueError("with a Redis broker the worker process is run by run_worker()")
    if not dispatch:
        return JobRuntime()
    from core.jobs.dramatiq_backend import DramatiqBackend

    sender = DramatiqBackend(settings.broker_url)
    return JobRuntime(sender, Dispatcher(sender, interval=settings.dispatch_interval))
