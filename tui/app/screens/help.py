"""Every key, with what it does, and how to read the screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui.app import legend
from tui.app.screens.reading import ReadingScreen, title

LEGEND = (
    "Margin ratio = maintenance margin / equity: the bar fills toward 100%, the liquidation "
    "line; it turns amber from 50% and red with ⚠ from 80%.",
    "ADL lights (▮▮▮▯▯): your place in your side's auto-deleveraging queue under the ranking "
    "in force; five lit means the top 20% of the queue's size, first to be closed against a "
    "bankrupt trader once the insurance fund can no longer pay.",
    f"Chart: {legend.sentence(legend.PRICE_CHART)}",
    f"Fund chart (f): {legend.sentence(legend.FUND_CHART)}",
    "ctrl+p opens the command palette: scenario, ADL ranking, ADL price, ADL trigger, loss "
    "policy, mark price policy, theme, and the policy lab (compare policies on this crash).",
)


class HelpScreen(ReadingScreen):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="help-close"),
        Binding("question_mark", "dismiss", "Close", show=False, id="help-toggle"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog wide"):
            yield Static(title("Keys"))
            bindings = [b for b in self.app.BINDINGS if isinstance(b, Binding)]
            yield Static(Content("\n").join(help_lines(bindings)), id="help-body")


def help_lines(bindings: list[Binding]) -> list[Content]:
    keys = [(b.key_display or b.key, b.tooltip or b.description) for b in bindings]
    keys.append(("ctrl+p", "command palette"))
    keys.append(
        (
            "tab",
            "the event log takes the keys: ↑/↓ pick a line, pgup/pgdn, enter shows it whole, "
            "y only your events, esc gives the keys back",
        )
    )
    width = max(len(k) for k, _ in keys)
    lines = [Content.assemble((f"  {k:<{width}}  ", "bold $accent"), d) for k, d in keys]
    lines += [Content(""), Content.styled("Reading the screen", "bold")]
    lines += [Content(f"  {paragraph}") for paragraph in LEGEND]
    return lines
