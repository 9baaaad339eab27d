"""What happened to the user, told: a margin warning, the end of the run, and an incident
(their liquidation or ADL), which pauses the market and opens its step-by-step page.

Read from each frame the app draws; the app is passed in (typed ``Any``, as the
lesson desk does) so this module does not import the app's."""

from __future__ import annotations

from typing import Any

import engine.events as ev
from engine.frames import Frame
from engine.orders import REDUCE_ONLY_CUT
from tui.app import text
from tui.app.incidents import Incident


def react(app: Any, frame: Frame, found: list[Incident]) -> None:
    """Notifications for what happened to the user; a new incident pauses the market."""
    app.follow_trades(frame)
    for event in frame.own_events():
        if type(event) is ev.OrderCancelled and event.reason == REDUCE_ONLY_CUT:
            i = frame.instrument
            app.notify(
                f"Reduce-only: {text.qty(i, event.qty)} cut off order {event.order_id}, "
                "more than the position holds.",
                title="Order cut",
                severity="warning",
                markup=False,
            )
        if type(event) is ev.MarginWarning:
            app.notify(
                f"Margin ratio {text.percent(event.ratio)}: liquidation at 100%.",
                title="Margin warning",
                severity="warning",
            )
    if frame.finished:  # the run's end is among the last events, after it only commands
        ended = next((e for e in reversed(frame.events) if type(e) is ev.FeedEnded), None)
        if ended is not None:
            app.notify(
                f"The run ended: {ended.reason}. ctrl+p, then Scenario: starts another; "
                "q quits (the session is saved).",
                title="End of run",
                markup=False,
            )
    if found:
        _stop_for(app, found)


def _stop_for(app: Any, found: list[Incident]) -> None:
    """Tell the new incidents (the last three), pause, and open the newest's page."""
    from tui.app.screens.incident import IncidentScreen
    from tui.app.screens.reading import ReadingScreen, keep_paused

    app.market.halted = False
    for incident in found[-3:]:
        app.notify(
            f"{incident.summary} The market is paused: d shows it step by step.",
            title=incident.label,
            severity="error",
            timeout=12,
            markup=False,
        )
    app.market.paused = True
    keep_paused(app)
    if len(app.screen_stack) == 1 or isinstance(app.screen, ReadingScreen):  # over a page
        app.push_screen(IncidentScreen(found[-1]))
    app.after_command()
