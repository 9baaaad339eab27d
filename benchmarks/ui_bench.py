"""The trading screen's speed: one frame's cost, start-up, and a key's way to the screen.

- ``ui_frame_ms``: median CPU time of one render frame at 160×48, headless, with every
  panel changing: the calm market at 10× (one step a frame: header, ladder, chart
  and position move) and the user's resting order moved each frame (the orders and
  the log move too). A frame is the view pulls and widget updates, then Textual's
  repaint of what changed; the pilot's own wait, measured alone, is taken off.
- ``startup_s``: from spawning ``adl-sandbox`` under a 160×48 pseudo-terminal to the
  first frame on it (the header's symbol drawn), median of three, with a bytecode
  cache as any installed copy has; wall time, as a user waits.
- ``key_latency_ms``: at ``--speed 10``, from writing a space (pause / resume) into the
  terminal to the header's new state appearing in its output, median of twenty.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from tui.app import SandboxApp
from tui.runtime import settle_heap

SIZE = (160, 48)
FRAMES = 80
STEPS_PER_FRAME = 1  # 10× speed at 10 frames a second
LAUNCH = "from tui.cli import entry; entry()"


def ui_frame_ms() -> float:
    return asyncio.run(_frame_costs())


async def _frame_costs() -> float:
    session = Session(Simulation(load_scenario("calm")))
    app = SandboxApp(session, paused=True, live=False, warmup=600)
    costs = []
    async with app.run_test(size=SIZE) as pilot:
        session.set_leverage(20)
        session.submit("buy", "0.5", order_type="market")
        await pilot.pause()
        settle_heap()  # as the command does before it runs the app
        for n in range(FRAMES):
            app.run_steps(STEPS_PER_FRAME)
            _touch_orders(session, n)
            started = time.process_time()
            app.render_frame()
            await pilot.pause()  # the repaint: Textual's compositor and driver
            spent = time.process_time() - started
            started = time.process_time()
            await pilot.pause()  # the same wait with nothing to draw: the harness's own cost
            costs.append(spent - (time.process_time() - started))
    return statistics.median(costs) * 1000


def _touch_orders(session: Session, n: int) -> None:
    """Move the user's resting order to a new price: the orders table and the log change
    every frame (as a trader amending an order would), its height does not."""
    session.cancel_all()
    mark = session.exchange.market_view().mark  # 1 % below: it rests, whatever the book
    session.submit("buy", "0.010", session.exchange.instrument.price_text(mark * 99 // 100 - n))


def startup_s() -> float:
    """Median of three starts, each as a user's second start is: with Python's bytecode
    cache, which one untimed start fills (in a temporary folder: this machine's
    environment sets ``PYTHONDONTWRITEBYTECODE``, and would have every start compile
    every module from source, some 0.4 s a start that no installed copy pays)."""
    with tempfile.TemporaryDirectory() as bytecode:
        with Terminal(bytecode=bytecode):
            pass
        times = []
        for _ in range(3):
            with Terminal(bytecode=bytecode) as terminal:
                times.append(terminal.started)
    return statistics.median(times)


def key_latency_ms() -> float:
    latencies = []
    with Terminal("--speed", "10") as terminal:
        for n in range(20):
            word = b"paused" if n % 2 == 0 else b"running"
            latencies.append(terminal.answer(b" ", word))
    return statistics.median(latencies) * 1000


class Terminal:
    """The app in a pseudo-terminal of 160×48, as a user's terminal would run it."""

    def __init__(self, *args: str, home: str | None = None, bytecode: str | None = None) -> None:
        self.args = args
        self.home = home  # where the app keeps its sessions (None: the user's own)
        self.bytecode = bytecode  # a folder for Python's bytecode cache (None: as set)

    def __enter__(self) -> Terminal:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]))
        if self.home is not None:
            env["ADL_SANDBOX_HOME"] = self.home
        if self.bytecode is not None:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = self.bytecode
        began = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, *self.args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.wait_for(b"BTCUSDT", began)
        self.started = time.perf_counter() - began
        return self

    def answer(self, key: bytes, word: bytes) -> float:
        """Seconds from writing ``key`` to ``word`` appearing on the terminal."""
        self.read(0.3)  # let the screen settle, and drop what it drew so far
        began = time.perf_counter()
        os.write(self.master, key)
        self.wait_for(word, began)
        return time.perf_counter() - began

    def wait_for(self, word: bytes, began: float, limit: float = 20.0) -> None:
        seen = b""
        while word not in seen:
            if time.perf_counter() - began > limit:
                raise RuntimeError(f"{word!r} never appeared: {seen[-300:]!r}")
            seen = seen[-4096:] + self.read(0.05, until=word)

    def read(self, seconds: float, until: bytes | None = None) -> bytes:
        out = b""
        deadline = time.perf_counter() + seconds
        while (left := deadline - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.master], [], [], left)
            if not ready:
                break
            try:
                out += os.read(self.master, 65536)
            except OSError:
                break
            if until is not None and until in out:
                break
        return out

    def __exit__(self, *exc: object) -> None:
        try:
            os.write(self.master, b"q")
            deadline = time.perf_counter() + 5
            while self.process.poll() is None and time.perf_counter() < deadline:
                self.read(0.05)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(5)
            os.close(self.master)


FIGURES = {
    "ui_frame_ms": ui_frame_ms,
    "startup_s": startup_s,
    "key_latency_ms": key_latency_ms,
}
