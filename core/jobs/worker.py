"""``congvan worker``: the process that runs jobs.

With a Redis broker it runs a dramatiq worker (``settings.job_workers`` threads sharing one
event-loop thread from the AsyncIO middleware) consuming ``congvan_run_message``, plus the
outbox dispatcher as a task on that same loop. Tortoise is initialised on that loop, before
the first message is taken. In embedded mode (``inprocess://``) it runs the dispatcher and
in-process workers in an asyncio loop instead. Both stop cleanly on SIGTERM or SIGINT: no new
messages are taken, running ones finish, and nothing taken but unfinished is lost.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import signal
import threading
from types import FrameType
from typing import Any

from dramatiq import Worker
from dramatiq.asyncio import EventLoopThread, get_event_loop_thread
from dramatiq.broker import Broker
from dramatiq.middleware import Middleware, MiddlewareError

from core.db.connection import check_rls_role, close_db, init_db
from core.errors import ConfigurationError
from core.jobs.dispatcher import Dispatcher
from core.jobs.dramatiq_backend import DramatiqBackend, build_broker, close_broker, redact
from core.jobs.runtime import job_runtime_from_settings
from core.plugins.apps import model_apps
from core.plugins.manager import get_host
from core.settings import Settings, get_settings

log = logging.getLogger("congvan.jobs")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class WorkerBootError(MiddlewareError):
    """The worker could not open its database; it takes no message."""


async def open_database(settings: Settings) -> None:
    """Initialise tortoise for this process and refuse a role that bypasses RLS."""
    await init_db(
        settings.resolved_database_url,
        model_apps(get_host()),
        pool_size=settings.database_pool_size,
    )
    try:
        await check_rls_role(settings.allow_rls_bypass)
    except Exception:
        await close_db()
        raise


def run_worker(settings: Settings | None = None, *, dispatch: bool = True) -> None:
    """Run jobs until SIGTERM/SIGINT. ``dispatch=False`` leaves dispatching to other processes.

    Raises :class:`ConfigurationError` when the database cannot be opened.
    """
    settings = settings or get_settings()
    if not logging.getLogger().handlers:  # the process's entry point: nobody configured logs
        logging.basicConfig(level=settings.log_level, format=LOG_FORMAT)
    if settings.embedded_jobs:
        asyncio.run(_run_embedded(settings))
    else:
        _run_dramatiq(settings, dispatch=dispatch)


# ------------------------------------------------------------------------ embedded


async def _run_embedded(settings: Settings) -> None:
    await open_database(settings)
    try:
        runtime = job_runtime_from_settings(settings, role="worker")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, stop.set)
        await runtime.start()
        log.info("congvan worker: in-process jobs, %d workers", settings.job_workers)
        try:
            await stop.wait()
        finally:
            log.info("congvan worker: stopping")
            await runtime.stop()
    finally:
        await close_db()


# ------------------------------------------------------------------------ dramatiq


class WorkerLifecycle(Middleware):
    """Opens the database on the AsyncIO event-loop thread and runs the dispatcher there.

    Added after ``AsyncIO``, so its loop thread exists at ``before_worker_boot``; its
    ``after_worker_shutdown`` runs before ``AsyncIO`` stops that loop (after-hooks run in
    reverse order).
    """

    def __init__(self, settings: Settings, dispatcher: Dispatcher | None) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self._stop: asyncio.Event | None = None
        self._running: concurrent.futures.Future[None] | None = None

    def before_worker_boot(self, broker: Broker, worker: Any) -> None:
        loop_thread = self._loop_thread()
        try:
            loop_thread.run_coroutine(open_database(self.settings))
        except Exception as exc:
            raise WorkerBootError(str(exc)) from exc
        if self.dispatcher is not None:
            self._stop = asyncio.Event()
            self._running = asyncio.run_coroutine_threadsafe(
                self.dispatcher.run_forever(self._stop), loop_thread.loop
            )

    def before_worker_shutdown(self, broker: Broker, worker: Any) -> None:
        loop_thread = get_event_loop_thread()
        if self._running is None or self._stop is None or loop_thread is None:
            return
        loop_thread.loop.call_soon_threadsafe(self._stop.set)
        try:
            self._running.result(timeout=30)
        except Exception:
            log.exception("the dispatcher did not stop cleanly")
        self._running = None

    def after_worker_shutdown(self, broker: Broker, worker: Any) -> None:
        loop_thread = get_event_loop_thread()
        if loop_thread is not None and loop_thread.loop.is_running():
            loop_thread.run_coroutine(close_db())

    @staticmethod
    def _loop_thread() -> EventLoopThread:
        loop_thread = get_event_loop_thread()
        if loop_thread is None:
            raise WorkerBootError(
                "the dramatiq AsyncIO middleware must come before WorkerLifecycle"
            )
        return loop_thread


def _run_dramatiq(settings: Settings, *, dispatch: bool) -> None:
    broker = build_broker(settings.broker_url)
    backend = DramatiqBackend(broker=broker)
    dispatcher = Dispatcher(backend, interval=settings.dispatch_interval) if dispatch else None
    broker.add_middleware(WorkerLifecycle(settings, dispatcher))
    worker = Worker(broker, worker_threads=settings.job_workers)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in STOP_SIGNALS}
    try:
        try:
            worker.start()
        except WorkerBootError as exc:
            worker.stop()
            raise ConfigurationError(str(exc)) from None
        log.info(
            "congvan worker: %s, %d threads, dispatcher %s",
            redact(settings.broker_url),
            settings.job_workers,
            "on" if dispatch else "off",
        )
        while not stop.wait(0.5):
            pass
        log.info("congvan worker: stopping")
        worker.stop()
    finally:
        close_broker(broker)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main() -> None:
    """``python -m core.jobs.worker``: the same as ``congvan worker``."""
    run_worker(get_settings())


if __name__ == "__main__":
    main()
