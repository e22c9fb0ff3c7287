"""Types and helpers shared by the job tests (not a test module, not a plugin)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

#: The ``wait_until`` fixture: ``await wait_until(check, within=…, what=…)``.
WaitUntil = Callable[..., Awaitable[Any]]


@dataclass
class Child:
    """A child process running ``jobs_probe.py``; stderr goes to ``log``."""

    process: subprocess.Popen[str]
    log: Path
    _stderr: IO[str]

    def output(self) -> str:
        self._stderr.flush()
        return self.log.read_text()

    async def read_line(self, within: float = 30.0) -> str:
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), within)
        except TimeoutError:
            raise AssertionError(f"no output within {within}s:\n{self.output()}") from None
        if not line:
            raise AssertionError(f"the child exited ({self.process.poll()}):\n{self.output()}")
        return line.strip()

    def kill(self) -> None:
        """SIGKILL: no cleanup of any kind, like a crash or the OOM killer."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


Spawn = Callable[..., Child]
