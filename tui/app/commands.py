"""The command palette's long tail: switch scenario and the market's policies.

Each command is a call on the app (``switch_scenario`` or ``configure``), so the
palette does nothing the keys could not; the theme picker comes with Textual's own
system commands.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import partial

from textual.await_complete import AwaitComplete
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches

from engine.adl import AdlPrice, RankingPolicy
from engine.policies import LossPolicy, TriggerPolicy
from engine.pricing import MarkPolicy
from tui.app.screens.modal import dismiss_once

POLICIES: tuple[tuple[str, str, type, str], ...] = (
    ("ranking", "ADL ranking", RankingPolicy, "who is deleveraged first"),
    ("adl_price", "ADL price", AdlPrice, "the price ADL closes positions at"),
    ("trigger_policy", "ADL trigger", TriggerPolicy, "when the insurance fund stops paying"),
    ("loss_policy", "Loss policy", LossPolicy, "ADL, or clawback of the winners' profit"),
    ("mark_policy", "Mark price", MarkPolicy, "how the mark price is made"),
)

Command = tuple[str, str, Callable[[], None]]


def commands(app) -> list[Command]:
    """(title, help, callback) of every palette command, scenarios first."""
    found: list[Command] = [
        (f"Scenario: {name}", description, partial(app.switch_scenario, name))
        for name, description in app.scenarios()
    ]
    config = app.session.exchange.settings
    for key, title, choices, meaning in POLICIES:
        current = str(getattr(config, key))
        for choice in choices:
            mark = " (in force)" if choice.value == current else ""
            found.append(
                (
                    f"{title}: {choice.value}",
                    f"{meaning}{mark}",
                    partial(app.configure, **{key: choice.value}),
                )
            )
    return found


class SandboxCommands(Provider):
    async def discover(self) -> Hits:
        for title, help_text, callback in commands(self.app):
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in commands(self.app):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class SettledPalette(CommandPalette):
    """Textual's palette, made safe for keys that arrive faster than it closes (a paste,
    a key storm), two races a key-storm test found in Textual 8:

    - ``Screen.dismiss`` pops whatever screen is on top, so a selection landing after
      Escape closed the palette would pop the trading screen itself and end the app;
    - the palette's search worker may update its list after the list is gone.

    Both hooks are Textual's own (the second a private watcher; Textual is pinned < 9).
    """

    def dismiss(self, result=None) -> AwaitComplete:  # type: ignore[override]
        return dismiss_once(self, super().dismiss, result)

    def _watch__list_visible(self) -> None:
        with suppress(NoMatches):  # the palette is being torn down
            super()._watch__list_visible()
