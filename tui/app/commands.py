"""The command palette's long tail: switch scenario and the market's policies.

Each command is a call on the app (``switch_scenario`` or ``configure``), so the
palette does nothing the keys could not; the theme picker comes with Textual's own
system commands.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from engine.adl import AdlPrice, RankingPolicy
from engine.insurance import TriggerPolicy
from engine.pricing import MarkPolicy
from engine.waterfall import LossPolicy

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
    config = app.session.exchange.config
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
