"""Fixed-point units: the only place where text becomes integers and back.

Every amount inside the engine is an ``int`` in a fixed unit:

- money: ``MONEY_SCALE`` units per quote currency unit (1e-8 USDT), fine enough
  that fee and funding rates never round a payment away;
- rates: parts per million (``PPM``); 0.01 % is 100 ppm;
- time: microseconds of simulated time;
- price and size: ticks and lots of an instrument (see ``instrument.py``).

Decimal text appears only at the edges (screen, report, journal, data files).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import cache

from engine.errors import UserFacingError

MONEY_SCALE = 10**8
MONEY_DECIMALS = 8
PPM = 10**6
SECOND = 10**6
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE


class UnitError(UserFacingError):
    """A piece of text that is not a valid amount; the message says why in one line."""


def parse_decimal(text: str | int | Decimal, what: str = "value") -> Decimal:
    """Read a decimal number from text, refusing NaN, infinities and garbage."""
    if isinstance(text, Decimal):
        value = text
    else:
        try:
            value = Decimal(str(text).strip().replace("_", ""))
        except InvalidOperation:
            raise UnitError(f"{what} {str(text)!r} is not a number") from None
    if not value.is_finite():
        raise UnitError(f"{what} {str(text)!r} is not a finite number")
    return value


def to_scaled(text: str | int | Decimal, scale: int, what: str = "value") -> int:
    """Exact ``text × scale`` as an int; refuses values finer than the scale allows."""
    scaled = parse_decimal(text, what) * scale
    if scaled != scaled.to_integral_value():
        raise UnitError(f"{what} {text} has more precision than {Decimal(1) / scale} allows")
    return int(scaled)


def to_money(text: str | int | Decimal, what: str = "amount") -> int:
    return to_scaled(text, MONEY_SCALE, what)


def parse_rate(text: str | int | Decimal, what: str = "rate") -> int:
    """A rate in ppm from ``"0.05%"`` or ``"0.0005"``; exact or refused."""
    raw = str(text).strip()
    if raw.endswith("%"):
        return to_scaled(raw[:-1], PPM // 100, what)
    return to_scaled(raw, PPM, what)


MAX_DURATION = 366 * 24 * HOUR  # a year of 1 s steps already takes most of an hour to run


def parse_duration(text: str | int, what: str = "duration") -> int:
    """Simulated microseconds from ``"90s"``, ``"15m"``, ``"6h"``, ``"2d"`` or plain seconds."""
    raw = str(text).strip().lower()
    units = {"ms": 1000, "s": SECOND, "m": MINUTE, "h": HOUR, "d": 24 * HOUR}
    for suffix in ("ms", "s", "m", "h", "d"):
        if raw.endswith(suffix):
            number, unit = raw[: -len(suffix)], units[suffix]
            break
    else:
        number, unit = raw, SECOND
    try:
        value = to_scaled(number, unit, what)
    except UnitError:
        raise UnitError(f"{what} {str(text)!r} is not a duration like 90s, 15m, 6h or 2d") from None
    if value <= 0:
        raise UnitError(f"{what} {str(text)!r} must be positive")
    if value > MAX_DURATION:
        raise UnitError(f"{what} {str(text)!r} is longer than the longest run, 366d")
    return value


def ceil_div(a: int, b: int) -> int:
    """Integer division rounding toward +infinity (b > 0)."""
    return -(-a // b)


def round_div(a: int, b: int) -> int:
    """Integer division rounding half away from zero (b > 0)."""
    q, r = divmod(abs(a), b)
    if 2 * r >= b:
        q += 1
    return q if a >= 0 else -q


def format_scaled(value: int, decimals: int) -> str:
    """``value / 10**decimals`` as exact decimal text."""
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**decimals)
    if decimals == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:0{decimals}d}"


def format_money(units: int) -> str:
    """Exact money text, all eight decimals: what the ledger holds."""
    return format_scaled(units, MONEY_DECIMALS)


def format_money_short(units: int, decimals: int = 2) -> str:
    """Money for the screen, rounded half away from zero, with thousands separators."""
    rounded = round_div(units, 10 ** (MONEY_DECIMALS - decimals))
    sign = "-" if rounded < 0 else ""
    whole, frac = divmod(abs(rounded), 10**decimals)
    return f"{sign}{whole:,}.{frac:0{decimals}d}" if decimals else f"{sign}{whole:,}"


def format_price(ticks: int, tick_size: Decimal) -> str:
    """A price on its tick grid, exact, with thousands separators: ``50,012.3``. The app,
    the report and the calculators all write prices through here."""
    places = max(0, -tick_size.as_tuple().exponent)
    if ticks >= 0 and _power_of_ten(tick_size):  # plain integer digits: the ladder's fast path
        whole, part = divmod(ticks, 10**places)
        return f"{whole:,}.{part:0{places}d}" if places else f"{whole:,}"
    return f"{ticks * tick_size:,.{places}f}"


@cache
def _power_of_ten(tick: Decimal) -> bool:
    exponent = tick.as_tuple().exponent
    return exponent <= 0 and tick == Decimal(1).scaleb(exponent)


def toward_mark(side: int, ticks: Fraction | int) -> int:
    """A liquidation or bankruptcy price (exact, often between ticks) on the tick grid, for
    a position of ``side``: rounded toward the mark, up for a long, down for a short.

    That is the tick a venue displays and the engine acts on: a long is liquidated once
    the mark is below the shown price (a short, above), and the backstop takes a
    position over at the shown bankruptcy price (``Backstop.bankruptcy_tick``, rounded
    toward the fund, the same way). Rounding to the nearest tick would show a price the
    mark can touch while the position is already gone."""
    exact = Fraction(ticks)
    return math.ceil(exact) if side > 0 else math.floor(exact)


def format_score(value: float) -> str:
    """An ADL score (a ranking device, a float) in the one format every screen and table
    uses: four significant digits, half away from zero, plain decimals with thousands
    separators, never an exponent a reader must decode; ``∞`` for an unbounded score."""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if math.isnan(value):
        return "—"
    if value == 0:
        return "0"
    exact = Decimal(repr(value))
    step = Decimal(1).scaleb(exact.adjusted() - 3)
    return f"{exact.quantize(step, rounding=ROUND_HALF_UP).normalize():,f}"


def format_duration(us: int) -> str:
    """Simulated time as ``[Dd ]HH:MM:SS``."""
    seconds = us // SECOND
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{days}d {clock}" if days else clock


_EPOCH = datetime(1970, 1, 1)  # naive: the screen shows UTC
CALENDAR_FROM = 365 * 24 * HOUR  # 1971-01-01: a feed's times from here on are dates


def is_calendar(us: int) -> bool:
    """A feed whose first time is past 1970 reads real timestamps (a replayed file);
    one counted from zero (a synthetic file's 0, 1, 2 s) keeps the session clock."""
    return us >= CALENDAR_FROM


def format_moment(us: int, dated: bool) -> str:
    """A moment of simulated time: ``2021-12-31 23:16:45`` (UTC) when the feed's times are
    real dates (``dated``), else the session clock ``[Dd ]HH:MM:SS`` a scripted or
    random-walk run counts from its start. A length of time is ``format_duration``."""
    if dated:
        try:
            return (_EPOCH + timedelta(microseconds=us)).strftime("%Y-%m-%d %H:%M:%S")
        except OverflowError:  # past the year 9999: a file may say so, a calendar cannot
            pass
    return format_duration(us)
