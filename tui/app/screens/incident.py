"""What happened to the user's position, step by step: a liquidation or an ADL.

For an ADL the screen ends with the teaching counterfactual (SPEC §6): what the same
deficit would have cost the user, and how many accounts it would have touched,
under every policy; the policy in force is marked.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from engine.units import format_duration
from tui.app.incidents import Incident
from tui.app.screens.modal import Modal

HEADER = ("policy", "cost to you", "you close", "accounts", "top share")


class IncidentScreen(Modal):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="incident-close")]

    def __init__(self, incident: Incident) -> None:
        super().__init__(classes="modal")
        self.incident = incident

    def compose(self) -> ComposeResult:
        incident = self.incident
        with VerticalScroll(id="incident", classes="dialog wide"):
            yield Static(
                Content.assemble(
                    (incident.title, "bold $error"),
                    (f"  at {format_duration(incident.time)} · esc closes", "dim"),
                )
            )
            yield Static(Content("\n").join(incident_lines(incident)), id="incident-body")


def incident_lines(incident: Incident) -> list[Content]:
    lines = [Content(f"{n}. {step}") for n, step in enumerate(incident.steps, start=1)]
    if incident.comparison:
        lines += [
            Content(""),
            Content.styled("The same event under every policy", "bold"),
            *comparison_table(incident),
        ]
    return lines


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
