"""What the market owes the wall clock: steps, or market time.

A scripted or random-walk run moves one simulated second a step, so its speed counts
steps: X× owes X steps a wall second. A replay's rows are as uneven as the market was
(tens a second in a busy minute of aggTrades, none for a while in a quiet one), so
counting rows would play a day of trades over weeks: its speed counts market time
instead, X× owes X seconds of the file a wall second, whatever its density.
Either way a debt the time budget could not pay is dropped rather than caught up in a
burst, and a pause owes nothing.
"""

from __future__ import annotations

import math

from engine.session import Session
from engine.units import SECOND


class StepDebt:
    """Steps owed: X steps per wall second at X×; at most one carried past a budget."""

    def __init__(self) -> None:
        self._owed = 0.0

    def add(self, elapsed: float, speed: float) -> None:
        self._owed = math.inf if math.isinf(speed) else self._owed + elapsed * speed

    def due(self) -> bool:
        return self._owed >= 1

    def paid(self) -> None:
        self._owed -= 1

    def drop(self) -> None:
        self._owed = min(self._owed, 1.0)

    def clear(self) -> None:
        self._owed = 0.0


class TimeDebt:
    """Market time owed: the clock runs X seconds of the feed per wall second at X×, and
    a step is due once it has reached the step's time (``Session.next_time``)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._until: float | None = None  # µs of market time the clock has reached

    def add(self, elapsed: float, speed: float) -> None:
        """The clock moves on; at first, and after a pause, it starts from the next row,
        so neither the pause nor the steps taken by hand meanwhile are owed."""
        start = self._session.next_time() if self._until is None else self._until
        if start is not None:
            self._until = math.inf if math.isinf(speed) else start + round(elapsed * speed * SECOND)

    def due(self) -> bool:
        moment = self._session.next_time()
        return moment is not None and self._until is not None and moment <= self._until

    def paid(self) -> None:
        """Nothing to count: the step moves the market's time itself."""

    def drop(self) -> None:
        """Rows still due when the budget ran out: only the next stays owed."""
        moment = self._session.next_time()
        if moment is not None and self._until is not None:
            self._until = min(self._until, moment)

    def clear(self) -> None:
        self._until = None


def debt_for(session: Session) -> StepDebt | TimeDebt:
    """A replay owes market time; any other feed owes steps."""
    return TimeDebt(session) if session.replaying else StepDebt()
