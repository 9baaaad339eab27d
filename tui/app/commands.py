"""The command palette's long tail: open a lesson or a page, switch scenario, the policies,
the policy lab.

Each command is a call on the app (``switch_scenario`` or ``configure``), so the
palette does nothing the keys could not; the theme picker comes with Textual's own
system commands. The policies, their choices and their names are the engine's
registry; which choice is in force is read from the last frame.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from functools import cache, partial

from textual.await_complete import AwaitComplete
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches

from engine.lesson import shipped_lessons
from engine.policies import POLICIES
from tui.app.policy_words import WORDS
from tui.app.screens.modal import dismiss_once

Command = tuple[str, str, Callable[[], None]]
shipped = cache(shipped_lessons)  # read once: the palette asks at every keystroke
PAGE_COMMANDS = (  # pages a key opens, for whoever looks for them by name
    ("Glossary", "every word on the screen, each policy, each comparison column (g)", "glossary"),
    ("Insurance fund", "its equity against the ADL floor, what the backstop holds (f)", "fund"),
    ("Trade history", "your fills, fees, funding and realized PnL (h)", "history"),
)


LAB_TITLE = "Compare policies on this crash"
LAB_HELP = "re-run this scenario and seed to now under every ADL policy, side by side"


def open_lab(app) -> None:
    """The policy lab on this session (its module loaded when first asked for)."""
    from tui.app.screens.lab import open_lab

    open_lab(app)


def commands(app) -> list[Command]:
    """(title, help, callback) of every palette command: lessons, scenarios, policies."""
    found: list[Command] = [
        (
            f"Lesson {lesson.number}: {lesson.title}",
            lesson.summary,
            partial(app.switch_lesson, lesson),
        )
        for lesson in shipped()
    ]
    found += [
        (title, words, partial(app.action_open, page)) for title, words, page in PAGE_COMMANDS
    ]
    found.append((LAB_TITLE, LAB_HELP, partial(open_lab, app)))
    found += [
        (f"Scenario: {name}", description, partial(app.ask_switch_scenario, name))
        for name, description in app.scenarios()
    ]
    settings = app.frame.settings
    for policy in POLICIES:
        current = str(getattr(settings, policy.field))
        for choice in policy.choices:
            mark = " (in force)" if choice.value == current else ""
            found.append(  # the identifier to type, and what it means in words
                (
                    f"{policy.title}: {choice.value}",
                    f"{WORDS[policy.field][choice.value]}{mark}",
                    partial(app.configure, **{policy.field: choice.value}),
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
