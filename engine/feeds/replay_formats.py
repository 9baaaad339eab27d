"""The CSV layouts the replay reader knows, and how their cells become integers.

Pure text-to-number code, no files: every converter raises ``ValueError`` with a short
reason (``'abc' is not a number``) and ``replay.py`` adds the file, line and column, so
the location is written in one place and the reasons in another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

MAX_PRICE = Decimal(10**12)
MAX_TIME_US = 10**18  # the year 33658: beyond it a number is garbage, not a time
TIME_NAMES = "timestamp,time,ts,date,datetime,date_time,open_time"
KLINES = (
    "open_time,open,high,low,close,volume,close_time,quote_volume,count,"
    "taker_buy_volume,taker_buy_quote_volume,ignore"
)


@dataclass(frozen=True)
class Spec:
    """One format: its columns in file order, which are also their places without a header.

    ``loose`` formats are written by people and pandas rather than exchanges: only the
    price columns must be named, and the time column may carry any of ``TIME_NAMES`` or
    no name at all in the first place (pandas writes an empty header cell for the index).
    """

    description: str
    columns: tuple[str, ...]
    time: tuple[str, ...]  # names the time column may have
    price: tuple[str, ...]  # the price column, then the ones to use when it is empty
    bar: tuple[str, ...]  # open, high, low, close
    close_time: str | None
    loose: bool

    def required(self) -> set[str]:
        return set(self.price + self.bar) if self.loose else set(self.columns)


def _normal(name: str) -> str:
    """A header name as compared: any case, spaces as underscores."""
    return name.strip().lower().replace(" ", "_")


def _spec(
    description: str,
    header: str,
    time: str,
    price: str = "",
    bar: str = "",
    close_time: str | None = None,
    loose: bool = False,
) -> Spec:
    """A Spec from comma-separated names, written as they appear in the files."""
    names = [tuple(_normal(n) for n in text.split(",") if n) for text in (header, time, price, bar)]
    return Spec(description, *names, close_time, loose)


SPECS: dict[str, Spec] = {
    "generic": _spec("time,price; header optional", "timestamp,price", TIME_NAMES, "price",
                     loose=True),
    "ohlc": _spec("bars with open,high,low,close (any case) and a time or pandas index column",
                  "time,open,high,low,close", TIME_NAMES, bar="open,high,low,close", loose=True),
    "binance_aggtrades": _spec(
        "Binance futures aggTrades (7 columns, header optional)",
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker",
        "transact_time", "price"),
    "binance_trades": _spec("Binance futures trades (6 columns, header optional)",
                            "id,price,qty,quote_qty,time,is_buyer_maker", "time", "price"),
    "binance_spot_aggtrades": _spec(
        "Binance spot aggTrades (8 columns, header optional)",
        "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,"
        "is_best_match", "transact_time", "price"),
    "binance_spot_trades": _spec(
        "Binance spot trades (7 columns, header optional)",
        "id,price,qty,quote_qty,time,is_buyer_maker,is_best_match", "time", "price"),
    "binance_klines": _spec("Binance klines (12 columns, header optional)", KLINES, "open_time",
                            bar="open,high,low,close", close_time="close_time"),
    "binance_markprice_klines": _spec(
        "Binance markPriceKlines (the klines layout; told by the file name)", KLINES,
        "open_time", bar="open,high,low,close", close_time="close_time"),
    "bybit_trades": _spec(
        "Bybit public trades (timestamp in seconds)",
        "timestamp,symbol,side,size,price,tickDirection,trdMatchID,grossValue,homeNotional,"
        "foreignNotional", "timestamp", "price"),
    "tardis_trades": _spec(
        "Tardis trades (timestamps in µs)",
        "exchange,symbol,timestamp,local_timestamp,id,side,price,amount", "timestamp", "price"),
    "tardis_derivative_ticker": _spec(
        "Tardis derivative_ticker: index_price, else mark_price, else last_price",
        "exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,"
        "predicted_funding_rate,open_interest,last_price,index_price,mark_price",
        "timestamp", "index_price,mark_price,last_price"),
}  # fmt: skip
FORMATS: dict[str, str] = {name: spec.description for name, spec in SPECS.items()}

# A header is told by the most specific format whose names it all carries (a spot file's
# are a futures file's and one more); a file without one by its width (``_by_width``).
_BY_HEADER = ("binance_klines", "tardis_derivative_ticker", "bybit_trades", "tardis_trades",
              "binance_spot_aggtrades", "binance_spot_trades", "binance_aggtrades",
              "binance_trades", "ohlc", "generic")  # fmt: skip
_BY_WIDTH = {2: "generic", 6: "binance_trades", 7: "binance_aggtrades",
             8: "binance_spot_aggtrades", 12: "binance_klines"}  # fmt: skip
_BOOLEANS = ("true", "false")
_KNOWN_NAMES = {name for spec in SPECS.values() for name in spec.columns + spec.time}


@dataclass(frozen=True)
class Layout:
    """Where the numbers are in one file's rows (column indexes) and what to call them."""

    format: str
    header: bool
    labels: tuple[str, ...]
    time: int
    price: tuple[int, ...]
    bar: tuple[int, ...]
    close_time: int | None

    def label(self, column: int) -> str:
        named = column < len(self.labels) and self.labels[column]
        return self.labels[column] if named else f"column {column + 1}"


def detect(first_row: list[str], file_name: str, fmt: str | None = None) -> Layout:
    """The layout of a file from its first row (a header or data) and its name."""
    names = tuple(_normal(cell) for cell in first_row)
    header = any(name in _KNOWN_NAMES for name in names)
    if fmt is None:
        fmt = _by_header(names) if header else _by_width(names)
        if fmt is None:
            known = ", ".join(FORMATS)
            if header:
                raise ValueError(f"cannot tell the format from the header; name one of: {known}")
            raise ValueError(
                f"cannot tell the format of {len(names)} columns without a header; "
                f"name one of: {known}"
            )
        if fmt == "binance_klines" and "markpriceklines" in file_name.lower():
            fmt = "binance_markprice_klines"
    spec = SPECS[fmt]
    if header and (found := _locate(spec, names)):
        labels = tuple(cell.strip() for cell in first_row)
        return Layout(fmt, True, labels, *found)
    found = _locate(spec, spec.columns)
    assert found is not None, fmt
    return Layout(fmt, header, spec.columns, *found)


def _by_width(cells: tuple[str, ...]) -> str | None:
    """A headerless file by its width. Seven columns are Binance futures aggTrades or spot
    trades (Binance's public dumps carry no header): the sixth cell tells them apart, a
    spot trade's is_buyer_maker (true or false) where an aggTrade has its time."""
    if len(cells) == 7 and cells[5] in _BOOLEANS:
        return "binance_spot_trades"
    return _BY_WIDTH.get(len(cells))


def _by_header(names: tuple[str, ...]) -> str | None:
    return next((fmt for fmt in _BY_HEADER if _locate(SPECS[fmt], names)), None)


def _locate(spec: Spec, names: tuple[str, ...]) -> tuple | None:
    """Column indexes of (time, price, bar, close_time), or None if the names do not fit."""
    unnamed_first = 0 if spec.loose and names and names[0] == "" else None
    time = next((names.index(name) for name in spec.time if name in names), unnamed_first)
    if time is None or not spec.required() <= set(names):
        return None
    close_time = names.index(spec.close_time) if spec.close_time else None
    return time, tuple(map(names.index, spec.price)), tuple(map(names.index, spec.bar)), close_time


# --- time ---------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_UNITS = (
    (Decimal("1e11"), 6, "seconds"),
    (Decimal("1e14"), 3, "milliseconds"),
    (Decimal("1e17"), 0, "microseconds"),
    (Decimal("Infinity"), -3, "nanoseconds"),
)


class Clock:
    """One file's time cells as integer µs since the Unix epoch (UTC).

    Numbers are seconds, ms, µs or ns by their size; the first row decides for the whole
    file. A later row in another unit lands decades away or before the row above, and the
    reader refuses such a jump (``replay.MAX_GAP_DAYS``). ``mul`` is the streaming loop's fast
    path for whole numbers in s, ms or µs, ``int(cell) * mul`` (0 when the first row is not
    one); everything else is converted exactly here, by string arithmetic where it can.
    """

    def __init__(self, first: str) -> None:
        number = _number(first)
        self.exponent: int | None = None
        self.unit = "text"
        if number is not None:
            _, self.exponent, self.unit = next(unit for unit in _UNITS if abs(number) < unit[0])
        self.step = 10 ** max(self.exponent or 0, 0)  # one unit of the file's time, in µs
        whole_units = self.exponent is not None and self.exponent >= 0 and first.isdigit()
        self.mul = self.step if whole_units else 0
        self(first)

    def __call__(self, text: str) -> int:
        if self.exponent is None:
            return _text_us(text)
        us = self._plain(text)
        if us is None:
            number = _number(text)
            if number is None:
                raise ValueError(f"{text!r} is not a time in {self.unit}, as the first row was")
            us = int(number.scaleb(self.exponent).to_integral_value(ROUND_FLOOR))
        if abs(us) > MAX_TIME_US:
            raise ValueError(f"{text!r} is not a plausible time")
        return us

    def _plain(self, text: str) -> int | None:
        """µs by string arithmetic for plain decimals such as Bybit's ``1585180700.0647``
        (digits finer than a µs are cut off, the floor); None for anything else."""
        whole, _, fraction = text.partition(".")
        if self.exponent is None or self.exponent < 0 or not 0 < len(whole) <= 18:
            return None
        if not (whole + fraction).isdigit():
            return None
        return int(whole) * self.step + int((fraction + "000000")[: self.exponent] or 0)


def _number(text: str) -> Decimal | None:
    """A finite decimal of sane size (``1e999999`` would overflow arithmetic), else None."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() and abs(number.adjusted()) < 40 else None


def _text_us(text: str) -> int:
    """ISO 8601 or ``YYYY-MM-DD HH:MM:SS[.ffffff]``, offset optional (naive means UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


def iso(time_us: int) -> str:
    """A time for a message: ISO 8601 in UTC."""
    try:
        return (_EPOCH + time_us * _MICROSECOND).isoformat().replace("+00:00", "Z")
    except OverflowError:
        return f"{time_us} µs"


# --- price --------------------------------------------------------------------------------

_EXACT = Context(prec=80, rounding=ROUND_HALF_EVEN)
_CACHE_SIZE = 1 << 16
FINEST_DIGIT = 10  # a derived tick is never finer than this digit of the highest price
_FLOAT_DIGITS = 15  # a price with this many significant digits is a float printed in full
_MEANT_DIGITS = 12  # of which only these are taken as meant
_MEANT = Context(prec=_MEANT_DIGITS, rounding=ROUND_HALF_EVEN)


class Prices:
    """Price text → whole ticks of one tick size, exactly, rounding half-even to the tick.

    Market data repeats the same few price strings over and over, so each text is
    converted once and then looked up in ``cache`` (which the streaming loop reads
    directly). Text with no more decimals than a power-of-ten tick is converted by
    string arithmetic; anything else goes through ``Decimal``.
    """

    def __init__(self, tick: Decimal) -> None:
        if not isinstance(tick, Decimal) or not tick.is_finite() or tick <= 0:
            raise ValueError(f"tick {tick!r} must be a positive Decimal")
        self.tick = tick
        _, digits, exponent = tick.normalize().as_tuple()
        power_of_ten = digits == (1,) and int(exponent) <= 0
        self.places = -int(exponent) if power_of_ten else None
        self.cache: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.cache.get(text) or self.convert(text)

    def convert(self, text: str) -> int:
        """Ticks for a text not in the cache (a tick count is never 0, so ``or`` is safe)."""
        ticks = self._plain(text) or self._rounded(text)
        if len(self.cache) >= _CACHE_SIZE:
            self.cache.clear()
        self.cache[text] = ticks
        return ticks

    def _plain(self, text: str) -> int | None:
        """Ticks by string arithmetic, or None when the text is not a plain exact decimal."""
        if self.places is None:
            return None
        whole, _, fraction = text.partition(".")
        padding = self.places - len(fraction)
        digits = whole + fraction
        if padding < 0 or not 0 < len(whole) <= 12 or not (digits.isdigit() and digits.isascii()):
            return None
        return int(digits) * 10**padding or None  # zero: let the slow path word the error

    def _rounded(self, text: str) -> int:
        ticks = int(_EXACT.divide(price_value(text), self.tick).to_integral_value(ROUND_HALF_EVEN))
        if ticks == 0:
            raise ValueError(f"{text!r} rounds to zero ticks of {self.tick}")
        return ticks


def price_value(text: str) -> Decimal:
    """A price cell as an exact positive Decimal, or ValueError with the reason."""
    if not text.strip():
        raise ValueError("is empty")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    if value <= 0:
        raise ValueError(f"{text!r} is not positive")
    if value > MAX_PRICE:
        raise ValueError(f"{text!r} is absurdly large (over {MAX_PRICE:,})")
    return value


class PriceSurvey:
    """Price text → exact Decimal while a whole file is read once, to choose its tick.

    Used in place of ``Prices`` for the scan before a run (same ``cache``/``convert``
    shape, so the streaming loop is shared): it records the most decimals any price
    needs and the highest price, each worked out once per distinct text.
    """

    def __init__(self) -> None:
        self.cache: dict[str, Decimal] = {}
        self.decimals = 0
        self.high: Decimal | None = None

    def __call__(self, text: str) -> Decimal:
        return self.cache.get(text) or self.convert(text)

    def convert(self, text: str) -> Decimal:
        value = price_value(text)
        self.decimals = max(self.decimals, _decimals(value))
        self.high = value if self.high is None else max(self.high, value)
        if len(self.cache) >= _CACHE_SIZE:
            self.cache.clear()
        self.cache[text] = value
        return value

    def tick(self) -> Decimal:
        """10**-d for the most decimals d any price has, so every price is on the grid;
        but never finer than the ``FINEST_DIGIT``-th significant digit of the highest
        price, the finest grid on which a lot worth 10–100 of the quote currency at that
        price is still worth a money unit (1e-8) per tick. Digits past it are rounded
        half-even: less than half a tick, under 5e-10 of the highest price."""
        if self.high is None:
            return Decimal(1)
        finest = self.high.adjusted() - (FINEST_DIGIT - 1)
        return Decimal((0, (1,), max(-self.decimals, finest)))


def _decimals(value: Decimal) -> int:
    """Decimals a price needs. Trailing zeros do not count, and a number written with
    ``_FLOAT_DIGITS`` or more significant digits is a binary float printed in full
    (pandas writes 0.1 + 0.2 as 0.30000000000000004): only its first ``_MEANT_DIGITS``
    count, so float noise cannot make the tick absurdly fine."""
    value = value.normalize(_EXACT)
    if len(value.as_tuple().digits) >= _FLOAT_DIGITS:
        value = _MEANT.plus(value).normalize(_EXACT)
    return max(0, -int(value.as_tuple().exponent))
