"""What every symbol on the charts means: one table the charts draw from, and every
legend — the help page, the charts' titles, the fund page — reads.

A symbol drawn without an entry would be a riddle to a learner, so the charts take
their characters from these entries rather than from literals of their own, and a
test draws every kind of column and checks each character drawn has its entry.
"""

from __future__ import annotations

from typing import NamedTuple


class Symbol(NamedTuple):
    char: str
    meaning: str  # in the full legend (the help page, under the fund chart)
    short: str  # in a chart's border title, where room is scarce


# -- the price chart ---------------------------------------------------------------
RANGE = Symbol("│", "the mark's range over the column", "range")
MARK = Symbol("•", "the last mark", "mark")
INDEX = Symbol("·", "the index", "index")
LIQ_LINE = Symbol("─", "your liquidation price", "your liq.")
ENTRY_LINE = Symbol("┈", "your entry price", "entry")
BELOW = Symbol("↓", "a price line below the chart (named at the edge)", "below")
ABOVE = Symbol("↑", "a price line above the chart", "above")

# -- the fund chart ----------------------------------------------------------------
FUND_RANGE = Symbol("│", "the fund's equity range over the column", "equity range")
FUND_EQUITY = Symbol(
    "•", "the fund's equity: its balance + what the backstop holds, at the mark", "equity"
)
FUND_BALANCE = Symbol("·", "the fund's balance (its cash)", "balance")
FLOOR_LINE = Symbol(
    "─", "the ADL floor: the fund may not pay below it, ADL takes over", "ADL floor"
)

# -- under both charts: what happened in the column --------------------------------
LIQUIDATION = Symbol("L", "a liquidation", "liq.")
ADL = Symbol("A", "an ADL", "ADL")
BOTH = Symbol("✱", "a liquidation and an ADL in the same column", "both")
OWN = "inverse when it was yours"  # a style, not a character: said after the markers

# -- the order book ----------------------------------------------------------------
SIZE_BAR = Symbol("█", "the level's size, against the largest level shown", "size")
DEPTH_BAR = Symbol("░", "the depth up to the level, against the deeper side", "depth")
OWN_ORDER = Symbol("▶", "your resting order at that price", "yours")

MARKERS = (LIQUIDATION, ADL, BOTH)
PRICE_CHART = (RANGE, MARK, INDEX, LIQ_LINE, ENTRY_LINE, BELOW, ABOVE, *MARKERS)
FUND_CHART = (FUND_RANGE, FUND_EQUITY, FUND_BALANCE, FLOOR_LINE, *MARKERS)
BOOK = (SIZE_BAR, DEPTH_BAR, OWN_ORDER)


def sentence(symbols: tuple[Symbol, ...]) -> str:
    """The full legend in one line of prose: ``│ the mark's range …, L a liquidation, …``."""
    return ", ".join(f"{s.char} {s.meaning}" for s in symbols) + f" ({OWN})."


def line(symbols: tuple[Symbol, ...]) -> str:
    """Every symbol with its short name, in one line: ``│ mark range  • mark  …``."""
    return pairs(symbols) + "  inverse: yours"


def pairs(symbols: tuple[Symbol, ...]) -> str:
    """The symbols with their short names and nothing else: ``█ size  ░ depth``."""
    return "  ".join(f"{s.char} {s.short}" for s in symbols)


def title(symbols: tuple[Symbol, ...], width: int) -> str:
    """A chart's border title that fits ``width`` cells: every symbol with its short name,
    or, when that is too long, the symbols alone and where the legend is."""
    full = line(symbols)
    if len(full) <= width:
        return full
    return " ".join(s.char for s in symbols) + "  (? says what they are)"
