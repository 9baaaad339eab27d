"""Screens to read — help, explain, the glossary, the ADL queue, the fund: the market waits.

A learner reading why a position stands where it does should not miss the move the
page explains, so opening one pauses the market and closing it resumes what it
paused (nothing else: a market paused before stays paused). ``space`` and ``n`` work
here too: resume to watch the figures live, or step.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer

from tui.app.screens.modal import Modal

PAUSED_NOTE = "the market waits while you read · space resumes · n steps · esc closes"


class ReadingScreen(Modal):
    """A page the market waits for."""

    BINDINGS = [
        Binding("space", "pause(False)", "Market paused: resume", id="reading-resume"),
        Binding("space", "pause(True)", "Market running: pause", id="reading-pause"),
        Binding("n", "step", "Step", id="reading-step"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(classes="modal", **kwargs)
        self._paused_market = None  # the Market this page paused, to resume on closing

    def on_mount(self) -> None:
        self.mount(Footer())  # this page's keys, where the trading screen's were
        market = self.app.market
        if not market.paused and not market.finished:
            market.paused = True
            self._paused_market = market
            self.app.after_clock_change()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Of the two ``space`` keys, the one that changes the market's state: the footer
        says whether the market waits."""
        if action == "pause":
            market = self.app.market
            return not market.finished and parameters[0] != market.paused
        return True

    def action_pause(self, pause: bool) -> None:
        self._paused_market = None  # the user has the market in hand now: closing leaves it
        self.app.action_toggle_pause()
        self.refresh_bindings()

    def action_step(self) -> None:
        self._paused_market = None
        self.app.action_step()  # pauses the market: the footer says so
        self.refresh_bindings()

    def on_unmount(self) -> None:
        market = self._paused_market
        if market is not None and market is self.app.market and market.paused:
            market.paused = False
            self.app.after_clock_change()


def title(words: str) -> Content:
    """A reading page's first line: what it is, and that the market waits."""
    return Content.assemble((words, "bold"), "  ", (PAUSED_NOTE, "dim"))


def keep_paused(app) -> None:
    """A stop the user must see (their liquidation or ADL, a lesson's step done) while a
    page is open: no open page resumes the market when it closes."""
    for screen in app.screen_stack:
        if isinstance(screen, ReadingScreen):
            screen._paused_market = None
            screen.refresh_bindings()
