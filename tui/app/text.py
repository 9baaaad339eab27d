"""Engine integers as the screen shows them: prices, sizes, money, rates, percentages.

The engine keeps exact integers and fractions; rounding for display happens here
only, half away from zero, at the instrument's own decimals. Thousands separators
make a ladder of five-digit prices readable at a glance.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache

from engine.instrument import Instrument
from engine.side import position
from engine.units import PPM, SECOND, format_money_short


def price(instrument: Instrument, ticks: int | Fraction | None) -> str:
    """A price in the quote currency at the tick's decimals, e.g. ``50,012.3``."""
    if ticks is None:
        return "—"
    if type(ticks) is int and ticks >= 0 and _decimal_tick(instrument):
        places = instrument.price_decimals  # a tick of 10^-places: plain integer digits
        whole, part = divmod(ticks, 10**places)
        return f"{whole:,}.{part:0{places}d}" if places else f"{whole:,}"
    value = _decimal(Fraction(ticks) * Fraction(instrument.tick_size))
    places = Decimal(1).scaleb(-instrument.price_decimals)
    return f"{value.quantize(places, rounding=ROUND_HALF_UP):,}"


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
    """An ADL score (a float ranking device) to four significant digits."""
    if value is None:
        return "—"
    if value == float("inf"):
        return "∞"
    return f"{value:.4g}"


def _decimal_tick(instrument: Instrument) -> bool:
    return _power_of_ten(instrument.tick_size)


@cache
def _power_of_ten(tick: Decimal) -> bool:
    return tick == Decimal(1).scaleb(tick.as_tuple().exponent) and tick.as_tuple().exponent <= 0


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)
