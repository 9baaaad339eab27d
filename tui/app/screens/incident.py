"""What happened to the user's position, step by step: a liquidation or an ADL.

A liquidation keeps unfolding while the backstop holds the position, so while this
screen is on top it takes each frame's newest version of its incident from the app
and redraws; space and n run the market from here, to watch it unfold. For an ADL
the screen ends with the teaching counterfactual (SPEC §6): what the same deficit
would have cost the user, and how many accounts it would have touched, under every
policy; the policy in force is marked.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from engine.frames import Frame
from engine.units import format_moment
from tui.app.incidents import Incident
from tui.app.policy_words import COMPARISON_COLUMNS
from tui.app.screens.modal import Modal

HEADER = tuple(name for name, _ in COMPARISON_COLUMNS)


class IncidentScreen(Modal):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="incident-close"),
        Binding("space", "app.toggle_pause", "Pause/resume", id="incident-pause"),
        Binding("n", "app.step", "Step", id="incident-step"),
    ]

    def __init__(self, incident: Incident) -> None:
        super().__init__(classes="modal")
        self.incident = incident

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="incident", classes="dialog wide"):
            yield Static(self._title(), id="incident-title")
            yield Static(self._body(), id="incident-body")

    def update_view(self, frame: Frame) -> None:
        """A new frame (the app hands this screen every frame while it is on top)."""
        self.catch_up()

    def on_screen_resume(self) -> None:
        """Back on top (a dialog over it closed): frames it missed may have grown it."""
        self.catch_up()

    def catch_up(self) -> None:
        """Take the app's newest version of this incident, and redraw if it grew."""
        newest = next((i for i in reversed(self.app.incidents) if i.key == self.incident.key), None)
        if newest is None or newest is self.incident:
            return
        self.incident = newest
        self.query_one("#incident-title", Static).update(self._title())
        self.query_one("#incident-body", Static).update(self._body())

    def _title(self) -> Content:
        incident = self.incident
        state = " · still unfolding: n steps, space runs" if incident.open else ""
        return Content.assemble(
            (incident.title, "bold $error"),
            (f"  at {format_moment(incident.time, incident.dated)}{state} · esc closes", "dim"),
        )

    def _body(self) -> Content:
        return Content("\n").join(incident_lines(self.incident))


def incident_lines(incident: Incident) -> list[Content]:
    lines = [Content(f"{n}. {step}") for n, step in enumerate(incident.steps, start=1)]
    if incident.comparison:
        lines += [
            Content(""),
            Content.styled("The same event under every policy", "bold"),
            *comparison_table(incident),
            *comparison_legend(),
        ]
    return lines


def comparison_legend() -> list[Content]:
    """A line for each column under the table: what it counts (the glossary says the same)."""
    width = max(len(name) for name in HEADER)
    return [
        Content.styled(f"  {name:>{width}}  {words}", "dim") for name, words in COMPARISON_COLUMNS
    ]


def comparison_table(incident: Incident) -> list[Content]:
    rows = [HEADER, *incident.comparison]
    widths = [max(len(row[c]) for row in rows) for c in range(len(HEADER))]
    out = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        line = "  " + "   ".join(cells)
        if n == 0:
            out.append(Content.styled(line, "dim"))
        elif row[0] == incident.policy:
            out.append(Content.styled(line + "   ← in force", "bold"))
        else:
            out.append(Content(line))
    return out
