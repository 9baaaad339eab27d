"""One visitor's app: started when their browser connects, ended however it leaves.

textual-serve's ``AppService`` starts the command through a shell and, when the
websocket closes, sends "quit" and waits for the app's output to end, with no limit
and no signal. Two things let an app outlive its visitor that way:

- the websocket closed mid-load: the first write to it fails, textual-serve stops
  reading the app's output, and an app still drawing its first screens can fill the
  pipe and block in a write before it acts on "quit", for good (its loop, stuck in
  the write, never runs the SIGTERM handler Textual's web driver installs);
- the server itself ends or dies: the app is never told, and Textual's driver
  does not notice that its input ended (``driver.py`` mends that side).

Here the app runs without a shell, as the leader of a process group of its own (the
group takes any worker it starts along); its output is read to the end whether or
not anyone is still watching; and ending it is bounded: "quit", then SIGTERM (the
app saves and ends as ``q`` does), then SIGKILL, each after ``grace`` seconds.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
from contextlib import suppress
from pathlib import Path
from typing import Any

from textual_serve.app_service import AppService

from tui.web.driver import IMPORT_PATH

GRACE = 3.0  # seconds each way of ending is given before the next, harder one


class Visitor(AppService):
    """The app process for one browser connection, in ``home`` (its ADL_SANDBOX_HOME)."""

    def __init__(self, argv: list[str], home: Path, grace: float = GRACE, **service: Any):
        super().__init__(shlex.join(argv), **service)
        self.argv, self.home, self.grace = argv, home, grace
        self._stopping: asyncio.Future[None] | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        """textual-serve's environment, with our driver and the visitor's own home
        (and no config path of the server's: the home holds the visitor's copy)."""
        environment = super()._build_environment(width, height)
        environment["TEXTUAL_DRIVER"] = IMPORT_PATH
        environment["ADL_SANDBOX_HOME"] = str(self.home)
        environment.pop("ADL_SANDBOX_CONFIG", None)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        pipe = asyncio.subprocess.PIPE
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=pipe,
            stdout=pipe,
            stderr=pipe,
            env=self._build_environment(width, height),
            start_new_session=True,  # a group of its own: signalled whole, never by a ^C
        )
        self._stdin = process.stdin
        return process

    async def on_data(self, payload: bytes) -> None:
        """To the browser while it is there; afterwards read and dropped, so the app
        never blocks on a full pipe."""
        with suppress(ConnectionError):
            await super().on_data(payload)

    async def on_meta(self, data: bytes) -> None:
        with suppress(ConnectionError):
            await super().on_meta(data)

    async def stop(self) -> None:
        """End the app, however long it takes to listen. Every caller (the websocket's
        handler, the server's shutdown) waits for the same one ending, which a caller
        cancelled half-way does not cut short."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        task, self._task = self._task, None
        if task is None:  # never started
            return
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        await self.send_meta({"type": "quit"})
        await self._end_process()
        self._signal(signal.SIGKILL)  # whatever the app left in its group
        with suppress(Exception):  # its output ends once every holder of the pipe is gone;
            await asyncio.wait_for(task, self.grace)  # however its reading ended, it did
        with suppress(ConnectionError):  # a browser still there sees the session end
            await self.remote_close()

    @property
    def exit_status(self) -> int | None:
        """The app's exit status once it has ended (negative: the signal that ended it)."""
        return None if self._process is None else self._process.returncode

    async def _end_process(self) -> None:
        """Wait for the app to act on "quit"; then SIGTERM it; then SIGKILL it."""
        process = self._process
        assert process is not None
        for number in (None, signal.SIGTERM, signal.SIGKILL):
            if number is not None:
                self._signal(number)
            with suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), self.grace)
                return

    def _signal(self, number: int) -> None:
        """Signal the app's whole group (gone already: nothing to do)."""
        if self._process is not None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, number)
