"""The few colours the trading screen speaks in, taken from the current Textual theme.

Widgets that draw their own rows (the ladder, the chart, the log) need rich styles
rather than CSS; reading them from the theme's variables keeps every theme coherent.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color as RichColor
from rich.style import Style
from textual.color import Color, ColorParseError


@dataclass(frozen=True, slots=True)
class Colors:
    up: Style  # bids, longs, gains
    down: Style  # asks, shorts, losses
    warn: Style
    accent: Style  # the user's own things
    primary: Style
    text: Style
    muted: Style
    up_depth: Style  # background of cumulative depth bars
    down_depth: Style
    own_row: Style  # a log line of the user's own
    alarm_row: Style  # a log line about the user's liquidation or ADL

    @classmethod
    def from_variables(cls, variables: dict[str, str]) -> Colors:
        background = _parse(variables.get("background", "#121212"), "#121212")

        def color(name: str, fallback: str) -> RichColor:
            """Alpha flattened onto the background; ANSI themes stay ANSI (rich has no
            names like ``ansi_green``, so it gets the colour itself, not its text)."""
            parsed = _parse(variables.get(name, fallback), fallback)
            return (background + parsed).rich_color

        return cls(
            up=Style(color=color("success", "#4EBF71")),
            down=Style(color=color("error", "#B93C5B")),
            warn=Style(color=color("warning", "#FEA62B")),
            accent=Style(color=color("accent", "#FEA62B"), bold=True),
            primary=Style(color=color("primary", "#0178D4")),
            text=Style(color=color("foreground", "#E0E0E0")),
            muted=Style(color=color("foreground-muted", "#E0E0E099")),
            up_depth=Style(bgcolor=color("success-muted", "#24452E")),
            down_depth=Style(bgcolor=color("error-muted", "#441E27")),
            own_row=Style(color=color("text-primary", "#57A5E2"), bold=True),
            alarm_row=Style(
                color=color("foreground", "#E0E0E0"), bgcolor=color("error-muted", "#441E27")
            ),
        )


def _parse(text: str, fallback: str) -> Color:
    """A theme value as a colour; ANSI themes write some as ``ansi_default 50%``, which
    the parser refuses: then the colour without its alpha, else the fallback."""
    for candidate in (text, text.split()[0] if text.split() else "", fallback):
        try:
            return Color.parse(candidate)
        except ColorParseError:
            continue
    return Color.parse("#808080")
