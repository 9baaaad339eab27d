"""The charts of a resumed session: what the journal's replay went through, step by step.

The app's charts remember one point per engine step (``tui/app/history.py``), recorded
as the app steps the market; a session rebuilt from its journal was stepped before the
app existed. This session listener sees the replay's steps and records the same point
for each (``engine.session.price_point``), with the liquidations and ADL flagged, so
``--resume`` opens on the chart as it was. It leaves the session once the replay is
over (``detach``): from there on the app records as it steps.
"""

from __future__ import annotations

from engine.session import Listener, Session, price_point
from engine.simulation import USER, Simulation
from tui.app.history import PriceHistory, flag_events


class ReplayedChart:
    def __init__(self, user: str = USER) -> None:
        self.user = user
        self.history = PriceHistory()
        self._simulation: Simulation | None = None

    def listeners(self, simulation: Simulation) -> list[Listener]:
        """What ``sessions.resume`` adds to the rebuilt session before its replay."""
        self._simulation = simulation
        return [self.hear]

    def hear(self, step: int, time: int, command: object, events: list) -> None:
        """A step (not a command, nor the set-up at step 0) adds its point, as the app's
        ``Market`` does; the markers of what happened go on the point they fell in. The
        fund's movements are left to the app's first frame, which drains these events."""
        if command is None and step > 0:
            point = price_point(self._simulation.exchange)
            self.history.record(
                point.time, point.mark, point.index,
                point.fund_equity, point.fund_balance, point.fund_floor,
            )  # fmt: skip
        if events:
            flag_events(self.history, events, self.user, moves=False)

    def detach(self, session: Session) -> PriceHistory:
        """Stop listening (the app records from here) and hand over the history."""
        session.listeners.remove(self.hear)
        return self.history
