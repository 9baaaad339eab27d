"""The session, stepped on the app's event loop at the pace the user chose.

Speed X means X engine steps per wall second (a random walk's step is one simulated
second); in a replay, X seconds of the file's market time per wall second, however
dense its rows (``tui/app/pace.py``). Each timer callback runs the steps owed since
the last one, but never for longer than its time budget, so key presses still get the
loop; a debt the budget could not pay is dropped rather than caught up in a burst.
``max`` runs as many steps as the budget allows. A step longer than the budget (a crash with 100,000
traders) runs in slices over several callbacks (``engine/slices.py``); until it is
whole the session is ``busy``, and a command first ``settle``s it; the cyclic
garbage collector waits until it is whole too (see ``_begin``). Nothing here
touches Textual: the app calls ``run`` from a timer and tests call ``step`` by hand.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable

from engine.events import AutoDeleveraged, Liquidation
from engine.session import Session
from engine.slices import Slices
from tui.app.history import PriceHistory
from tui.app.pace import debt_for

SPEEDS: tuple[float, ...] = (1, 2, 5, 10, 30, 100, 300, math.inf)
HALTS = (Liquidation, AutoDeleveraged)  # what happens to the user's position that stops the run


def speed_text(speed: float) -> str:
    return "max" if math.isinf(speed) else f"{speed:g}×"


class Market:
    def __init__(
        self,
        session: Session,
        speed: float = 1,
        paused: bool = False,
        history: PriceHistory | None = None,
    ) -> None:
        """``history``: the chart so far (a resumed session's, ``tui/replayed_chart.py``)."""
        self.session = session
        self.speed = speed
        self.paused = paused
        self.history = history if history is not None else PriceHistory()
        self.halted = False  # the user was liquidated or ADL'd: stop until the screen shows it
        self.stop_when: Callable[[int, list], bool] | None = None  # a lesson: step done?
        self._debt = debt_for(session)  # steps, or a replay's market time
        self._stepping: Slices[bool] | None = None  # the step under way, if one is
        self._collecting = True  # the collector ran before the step under way
        self._held_until = -math.inf  # no engine work before this time (``hold``)
        session.listeners.append(self._watch)

    @property
    def finished(self) -> bool:
        return self.session.finished

    @property
    def busy(self) -> bool:
        """A step is under way: the session may not be read or commanded until it is whole."""
        return self._stepping is not None

    def settle(self) -> None:
        """Finish the step under way at once (before a command or a read of the session)."""
        while self._stepping is not None:
            self._slice()

    def step(self) -> bool:
        """One engine step, recorded for the chart; False once the run is over."""
        self.settle()
        return self._recorded(self.session.step())

    def run(
        self, elapsed: float, budget: float, clock: Callable[[], float] = time.perf_counter
    ) -> int:
        """Run the steps owed for ``elapsed`` wall seconds, within ``budget`` seconds; a
        step the budget cannot hold goes on at the next call (paused or not). Returns
        the steps completed."""
        now = clock()
        if now < self._held_until:
            return 0
        deadline = now + budget
        steps = 0
        if self._stepping is not None:
            if not self._slices(clock, deadline):
                return 0
            steps += 1
        debt = self._debt
        if self.paused or self.finished:
            debt.clear()
            return steps
        debt.add(elapsed, self.speed)
        while not (self.halted or self.finished) and clock() < deadline and debt.due():
            debt.paid()
            self._begin()
            if not self._slices(clock, deadline):
                break
            steps += 1
        debt.drop()
        return steps

    def hold(self, seconds: float, clock: Callable[[], float] = time.perf_counter) -> None:
        """No engine work for ``seconds``: a key's answer passes from one part of the
        screen to the next several times before it is drawn, and an engine slice run
        at any of those moments would delay it (see ``KEY_HOLD`` in the app)."""
        self._held_until = clock() + seconds

    def held(self, clock: Callable[[], float] = time.perf_counter) -> bool:
        """A key's answer is on its way: heavy work (a crash frame) can wait too."""
        return clock() < self._held_until

    def _slices(self, clock: Callable[[], float], deadline: float) -> bool:
        """The step under way, slice by slice: True once it is whole, False when the
        budget ran out first."""
        while not self._slice():
            if clock() >= deadline:
                return False
        return True

    def _begin(self) -> None:
        """Start a step in slices, the cyclic collector held until it is whole: a crash
        step makes some 100,000 short-lived tuples, and each collection that caught them
        half-way would stop the app for 40 to 60 ms in one slice; once the step is whole
        most are gone, and one collection costs some 20 ms."""
        self._collecting = gc.isenabled()
        gc.disable()
        self._stepping = self.session.stepping()

    def _end(self) -> None:
        self._stepping = None
        if self._collecting:
            gc.enable()

    def _slice(self) -> bool:
        """One slice of the step under way; True when that completed it."""
        try:
            next(self._stepping)
        except StopIteration as done:
            self._end()
            self._recorded(done.value)
            return True
        except BaseException:
            self._end()  # a failed step is not resumed
            raise
        return False

    def _recorded(self, running: bool) -> bool:
        if running:
            point = self.session.price_point()
            self.history.record(
                point.time, point.mark, point.index,
                point.fund_equity, point.fund_balance, point.fund_floor,
            )  # fmt: skip
        return running

    def _watch(self, step: int, time: int, command: object, events: list) -> None:
        """Session listener: the step that liquidates or deleverages the user, or that
        completes a lesson's step (``stop_when``), pauses the market at once, even at
        full speed, so the screen can tell what happened."""
        user = self.session.user
        for event in events:
            if isinstance(event, HALTS) and event.account == user:
                self.halted = self.paused = True
        if self.stop_when is not None and self.stop_when(time, events):
            self.halted = self.paused = True  # a lesson's step is done: its next one is read

    def faster(self) -> float:
        self.speed = next((s for s in SPEEDS if s > self.speed), SPEEDS[-1])
        return self.speed

    def slower(self) -> float:
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0])
        return self.speed
