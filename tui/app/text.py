"""Engine integers as the screen shows them: prices, sizes, money, rates, percentages.

The engine keeps exact integers and fractions; rounding for display happens here
only, one rule per figure: a price half away from zero at the instrument's own
decimals, except a liquidation or bankruptcy price, which goes to the tick on the
mark's side (``threshold``); money half away from zero to the cent; a score to four
significant digits. Thousands separators make five-digit prices readable at a glance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from engine.instrument import Instrument
from engine.side import position
from engine.units import (
    PPM,
    SECOND,
    format_money_short,
    format_price,
    format_score,
    toward_mark,
)


def price(instrument: Instrument, ticks: int | Fraction | None) -> str:
    """A price in the quote currency at the tick's decimals, e.g. ``50,012.3``."""
    if ticks is None:
        return "—"
    if type(ticks) is int:
        return format_price(ticks, instrument.tick_size)
    value = _decimal(Fraction(ticks) * Fraction(instrument.tick_size))
    places = Decimal(1).scaleb(-instrument.price_decimals)
    return f"{value.quantize(places, rounding=ROUND_HALF_UP):,}"


def threshold(instrument: Instrument, side: int, ticks: int | Fraction | None) -> str:
    """A liquidation or bankruptcy price of a ``side`` position, at the tick on the mark's
    side (``units.toward_mark``): the row, the chart, explain and the incidents show it
    through here, and ``calc`` with the same two engine functions, so one position's
    price reads the same everywhere."""
    if ticks is None:
        return "—"
    return format_price(toward_mark(side, ticks), instrument.tick_size)


def qty(instrument: Instrument, lots: int) -> str:
    """A size in base units at the lot's decimals: ``0.250``."""
    return instrument.qty_text(lots)


def money(units: int | Fraction, decimals: int = 2) -> str:
    """Money in the quote currency with separators: ``10,000.00``."""
    return format_money_short(round(units), decimals)


def signed_money(units: int, decimals: int = 2) -> str:
    text = money(units, decimals)
    return text if units < 0 else f"+{text}"


def percent(ppm: int | Fraction | float, decimals: int = 2) -> str:
    """A ppm ratio as a percentage: 812_345 → ``81.23%``."""
    return f"{float(ppm) / PPM * 100:.{decimals}f}%"


def signed_percent(ratio: Fraction | float, decimals: int = 2) -> str:
    """A plain ratio (0.1 = 10 %) as a signed percentage."""
    return f"{float(ratio) * 100:+.{decimals}f}%"


def rate(ppm: int) -> str:
    """A funding rate, signed, to a hundredth of a basis point: ``+0.0100%``."""
    return f"{ppm / PPM * 100:+.4f}%"


def span(us: int) -> str:
    """A length of simulated time, short: ``28 s``, ``2 min 5 s``, ``1 h 3 min``."""
    seconds = max(0, us) // SECOND
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    return f"{seconds} s"


def side_word(side: int) -> str:
    """``long`` or ``short`` (the one Side type names it)."""
    return position(side)


def score(value: float | None) -> str:
    """An ADL score in the one format of ``units.format_score``."""
    return "—" if value is None else format_score(value)


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)
