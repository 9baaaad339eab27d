"""The header strip: the market's vital signs and the sandbox's own state.

Facts are laid out left to right and wrap onto another line when the terminal is
too narrow, never in the middle of a fact. A ``LineCanvas``: the strip changes every
step (the clock), so it is drawn as plain styled rows, the cheapest way Textual has.
"""

from __future__ import annotations

from rich.style import Style

from engine.frames import Frame
from engine.units import PPM, format_duration, format_moment
from tui.app import policy_words, text
from tui.app.market import Market, speed_text
from tui.app.widgets.canvas import LineCanvas, Row

Piece = tuple[str, str]  # (text, tone): "", "strong", "muted", "up", "warn", "down", "accent"
Fact = tuple[Piece, ...]  # one fact: its pieces, never split across lines

GAP = "  "


class MarketHeader(LineCanvas):
    DEFAULT_CSS = """
    MarketHeader { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._facts: list[Fact] = []

    def show(self, facts: list[Fact]) -> None:
        if facts != self._facts:
            self._facts = facts
            self.draw()

    def draw(self) -> None:
        lines = self._lines()
        if self.styles.height is None or self.styles.height.value != len(lines):
            self.styles.height = len(lines)  # a layout pass, only when the wrapping changes
        tones = self._tones()
        rows: list[Row] = []
        for line in lines:
            pieces: list[tuple[str, Style | None]] = []
            for k, fact in enumerate(line):
                if k:
                    pieces.append((GAP, None))
                pieces += [(t, tones[tone]) for t, tone in fact]
            rows.append(tuple(pieces))
        self.paint(rows)

    def _tones(self) -> dict[str, Style]:
        c = self.app.tones
        bold = Style(bold=True)
        return {
            "": c.text,
            "strong": c.text + bold,
            "muted": c.muted,
            "up": c.up + bold,
            "warn": c.warn + bold,
            "down": c.down + bold,
            "accent": c.accent,
        }

    def _lines(self) -> list[list[Fact]]:
        width = max(1, self.size.width or 80)
        lines: list[list[Fact]] = [[]]
        used = 0
        for fact in self._facts:
            size = sum(len(t) for t, _ in fact)
            need = size + (len(GAP) if lines[-1] else 0)
            if lines[-1] and used + need > width:
                lines.append([])
                used, need = 0, size
            lines[-1].append(fact)
            used += need
        return lines

    @property
    def text(self) -> str:
        return "\n".join(
            GAP.join("".join(t for t, _ in fact) for fact in line) for line in self._lines()
        )


def header_facts(frame: Frame, market: Market) -> list[Fact]:
    """The strip's facts, in reading order: the market (from the frame), then the
    sandbox's own state (the pace the app keeps)."""
    i, view, settings = frame.instrument, frame.market, frame.settings
    until = format_duration(max(0, view.next_funding - view.time))
    if frame.finished:
        state = (("■ ended", "down"),)
    elif market.paused:
        state = (("❚❚ paused", "warn"),)
    else:
        state = (("▶ running", "up"),)
    return [
        ((i.symbol, "strong"),),
        _pair("last", text.price(i, view.last)),
        _pair("mark", text.price(i, view.mark)),
        _pair("index", text.price(i, view.index)),
        _pair("funding", f"{text.rate(view.funding_rate)} in {until}"),
        *fund_facts(frame),
        ((format_moment(view.time, frame.dated), "strong"),),
        state,
        ((speed_text(market.speed), "strong"),),
        ((frame.scenario, "accent"),),
        _pair(*policy_words.in_force(settings)),
        _pair("mark", policy_words.short("mark_policy", settings.mark_policy)),
    ]


def fund_facts(frame: Frame) -> list[Fact]:
    """The insurance fund: its balance and drawdown from the trailing peak; and while the
    backstop holds liquidated positions, the fund's equity (the balance plus their
    profit or loss at the mark) and what it holds."""
    i, view = frame.instrument, frame.market
    fund, peak = view.insurance_fund, view.insurance_peak
    drawdown = (peak - fund) * PPM // peak if peak > 0 else 0
    facts: list[Fact] = [
        (
            ("fund ", "muted"),
            (text.money(fund), "down" if drawdown >= 100_000 else "warn" if drawdown else "up"),
            (f" (peak −{text.percent(drawdown)})", "muted"),
        )
    ]
    sides = ((view.backstop_long, 1), (view.backstop_short, -1))
    held = [f"{text.qty(i, lots)} {text.side_word(side)}" for lots, side in sides if lots]
    if held:
        equity = view.fund_equity
        tone = "down" if equity < 0 else "warn" if equity < fund else "up"
        facts += [
            (("equity ", "muted"), (text.money(equity), tone)),
            (("backstop holds ", "muted"), (", ".join(held), "warn")),
        ]
    return facts


def _pair(label: str, value: str) -> Fact:
    return ((f"{label} ", "muted"), (value, ""))
