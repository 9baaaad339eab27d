"""The glossary: every word the screen uses, each policy the palette offers, and each
column of the policy comparison, in one line each — while the market waits."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from engine.policies import POLICIES, MarketSettings
from tui.app.glossary import TERMS
from tui.app.policy_words import COMPARISON_COLUMNS, FORMULAS, WORDS
from tui.app.screens.reading import ReadingScreen, title


class GlossaryScreen(ReadingScreen):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="glossary-close"),
        Binding("g", "dismiss", "Close", show=False, id="glossary-toggle"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="glossary", classes="dialog wide"):
            yield Static(title("Glossary"))
            frame = self.app.frame
            settings = frame.settings if frame is not None else MarketSettings()
            yield Static(Content("\n").join(glossary_lines(settings)), id="glossary-body")


def glossary_lines(settings: MarketSettings) -> list[Content]:
    """The terms; then each rule the palette switches, its choices (the one in force
    marked), a ranking with its score; then the policy comparison's columns."""
    lines = [Content.styled("Words on the screen", "bold")]
    lines += entries(TERMS)
    for policy in POLICIES:
        current = str(getattr(settings, policy.field))
        lines += [Content(""), Content.styled(f"{policy.title}: {policy.meaning}", "bold")]
        width = max(len(name) for name in policy.names)
        for name in policy.names:
            mark = "  ← in force" if name == current else ""
            lines.append(
                Content.assemble(
                    (f"  {name:<{width}}  ", "bold $accent"), WORDS[policy.field][name], mark
                )
            )
            if policy.field == "ranking":
                lines.append(Content.styled(f"  {'':<{width}}  score = {FORMULAS[name]}", "dim"))
    lines += [
        Content(""),
        Content.styled("The same event under every policy (the ADL page, d): its columns", "bold"),
        *entries(COMPARISON_COLUMNS),
    ]
    return lines


def entries(pairs: tuple[tuple[str, str], ...]) -> list[Content]:
    width = max(len(name) for name, _ in pairs)
    return [
        Content.assemble((f"  {name:<{width}}  ", "bold $accent"), words) for name, words in pairs
    ]
