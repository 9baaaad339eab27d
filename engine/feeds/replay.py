"""Stream a price feed from a market-data CSV file as (time µs, price ticks) points.

A replay file can be a gigabyte of trades, so it is read row by row and never loaded
whole (except to sort it, which needs every row). ``points()`` re-reads the file on each
call, so a run can be restarted without keeping anything in memory. Plain ``.csv``,
gzip (``.csv.gz``) and a zip holding one CSV are told apart by their first bytes. Only a
regular file is opened: a pipe or a device could not be read twice, and would hang.

The whole file is scanned once when it is opened, before any run: the grid must suit
every price, and a damaged file must not end a run halfway. The scan reads every row the
run will read (to the end of a ``start``/``end`` window) through the same checks, so a
bad row, a cut-off ``.csv.gz``, rows out of time order or more than ``MAX_GAP_DAYS``
apart (a time unit that changed mid-file) are refused before the run starts. It also
finds the tick, the finest step of any price read, so every price is exactly on the grid.
Two kinds of digits are rounded, half-even, by less than half a tick: float noise (a
price written with 15 or more significant digits counts its first 12), and digits past
the 10th significant digit of the highest price, finer than the engine's money unit can
carry. The highest price sets the lot (``regrid`` in ``engine/simulation.py``), so one
lot stays affordable over the file's whole range. The scan costs one more read of the
file, about 0.8 s per million rows.

Every problem is a ``ReplayError`` whose text is one line naming the file, and for a bad
row the line number and the column: ``trades.csv:17: price: 'abc' is not a number``.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, TypeVar

from engine.datafile import open_file
from engine.errors import UserFacingError
from engine.feeds.replay_formats import (
    FORMATS,
    MAX_TIME_US,
    Clock,
    Layout,
    Prices,
    PriceSurvey,
    detect,
    iso,
)

__all__ = ["FORMATS", "MAX_GAP_DAYS", "Replay", "ReplayError", "open_replay"]

Point = tuple[int, int]
Bar = tuple[int, int | None, int, int, int, int]  # start, length or None, open, high, low, close
_EARLIEST, _LATEST = -(2**63), 2**63
_DEFAULT_BAR_US = 60 * 10**6
_DAY_US = 86_400 * 10**6
MAX_GAP_DAYS = 31  # monthly bars are the widest real step; a unit switch jumps decades
_MAX_GAP_US = MAX_GAP_DAYS * _DAY_US
_GAP_RULE = (
    f"rows more than {MAX_GAP_DAYS} days apart are refused "
    "(a time unit that changed mid-file, or a damaged row)"
)
_SNIFF = 8192
_T = TypeVar("_T")
_Timed = TypeVar("_Timed", Point, Bar)
_UNREADABLE = (OSError, EOFError, UnicodeDecodeError, csv.Error, zlib.error, zipfile.BadZipFile)


class ReplayError(UserFacingError):
    """A replay file that cannot be used; ``str()`` is the one-line reason."""


def open_replay(
    path: str | Path,
    fmt: str | None = None,
    sort: bool = False,
    start: int | None = None,
    end: int | None = None,
) -> Replay:
    """Check a file, tell its format and scan every row once for its tick and price range.

    ``fmt`` names one of ``FORMATS`` instead of detecting it. ``sort=True`` accepts rows out
    of time order by loading the whole file and sorting it (stable: equal times keep file
    order); it is the one case that holds a whole file in memory. ``start`` and ``end``
    keep only points in that window (µs, inclusive); as rows must be in time order, reading
    stops at the first point past ``end``, so rows after it are not checked.
    """
    path = Path(path)
    if fmt is not None and fmt not in FORMATS:
        raise ReplayError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    source = _source(path)
    head = _head(source)
    try:
        layout = detect(head[0][1], source.name, fmt)
    except ValueError as error:
        raise ReplayError(f"{path}: {error}") from None
    data = head[1:] if layout.header else head
    if not data:
        raise ReplayError(f"{path}: a header but no data rows")
    return Replay(source, layout, data[0], sort, start, end)


class Replay:
    """A checked CSV price feed; ``points()`` streams it, ``tick()`` and ``highest`` are
    what the scan found for its grid."""

    def __init__(
        self,
        source: _Source,
        layout: Layout,
        first: tuple[int, list[str]],
        sort: bool,
        start: int | None,
        end: int | None,
    ) -> None:
        """``first`` is the first data row (line, cells): it decides the file's time unit.
        Reads the whole file once (up to ``end``): a bad file fails here, not mid-run."""
        self.path = source.path
        self.format = layout.format
        self._source, self._layout, self._sort = source, layout, sort
        self._start = _EARLIEST if start is None else start
        self._end = _LATEST if end is None else end
        line, row = first
        self._clock = self._cell(row, line, layout.time, Clock)
        self._survey = self._scan()

    def __repr__(self) -> str:
        return f"Replay({str(self.path)!r}, format={self.format!r})"

    def tick(self) -> Decimal:
        """The tick that puts every price of the file on the grid (``PriceSurvey.tick``)."""
        return self._survey.tick()

    @property
    def highest(self) -> Decimal:
        """The highest price read, which the lot must stay affordable at."""
        assert self._survey.high is not None  # the scan found at least one point
        return self._survey.high

    def points(self, tick: Decimal) -> Iterator[Point]:
        """(time µs, price in ticks) in time order, re-reading the file; bars become 4 points.

        Prices are rounded half-even to ``tick``. Raises ReplayError while iterating, at the
        first bad row (only if the file changed since it was scanned, or for a price that
        rounds to zero ticks of a tick chosen elsewhere).
        """
        try:
            prices = Prices(tick)
        except ValueError as error:
            raise ReplayError(str(error)) from None
        return self._points(prices)

    def _scan(self) -> PriceSurvey:
        """Every row the run will read, read now, with every check the run makes."""
        survey = PriceSurvey()
        if not deque(self._points(survey), maxlen=1):  # drained at C speed
            windowed = self._start != _EARLIEST or self._end != _LATEST
            raise ReplayError(f"{self.path}: no price points{' in the window' * windowed}")
        return survey

    def _points(self, prices: Prices | PriceSurvey) -> Iterator[Point]:
        """The points with ``prices`` turning price cells into numbers (ticks or Decimals)."""
        if self._layout.bar:
            bars = self._bars(prices)
            if self._sort:
                bars = self._continuous(_sorted(bars))
            return _window(_expand(bars), self._start, self._end)
        points = self._trade_points(prices)
        return self._continuous(_sorted(points)) if self._sort else points

    def _trade_points(self, prices: Prices | PriceSurvey) -> Iterator[Point]:
        """The hot loop: a dict lookup per price and an int() per time, else the exact path.

        ``last <= t <= limit`` is the one test per row for order, plausibility and gaps:
        in file order ``limit`` is ``MAX_GAP_DAYS`` past the row above; sorted, any time
        within ``MAX_TIME_US`` passes here and gaps are checked after sorting.
        """
        time, price = self._layout.time, self._layout.price[0]
        clock, mul, cached, convert = self._clock, self._clock.mul, prices.cache.get, prices.convert
        start, end, ordered, gap = self._start, self._end, not self._sort, _MAX_GAP_US
        last, limit = -MAX_TIME_US, MAX_TIME_US
        with self._reading() as rows:
            for row in rows:
                try:
                    cell = row[time]
                    t = int(cell) * mul if mul else clock(cell)
                    cell = row[price]
                    p = cached(cell) or convert(cell)
                except (ValueError, IndexError):
                    point = self._exact(row, rows.line_num, prices)
                    if point is None:
                        continue
                    t, p = point
                if not last <= t <= limit:
                    raise self._jump(rows.line_num, row, t, last, limit)
                if ordered:
                    last, limit = t, t + gap
                if start <= t <= end:
                    yield t, p
                elif t > end and ordered:
                    return

    def _exact(self, row: list[str], line: int, prices: Prices | PriceSurvey) -> Point | None:
        """One trade row the careful way: errors located, blank rows and priceless ticks skipped."""
        if not row:
            return None
        t = self._cell(row, line, self._layout.time, self._clock)
        columns = self._layout.price
        filled = [column for column in columns if column < len(row) and row[column].strip()]
        if not filled and len(columns) > 1:
            return None  # a ticker row with none of its prices
        return t, self._cell(row, line, filled[0] if filled else columns[0], prices)

    def _bars(self, prices: Prices | PriceSurvey) -> Iterator[Bar]:
        """Bars in file order, checked like trade rows (see ``_trade_points``)."""
        layout, clock, ordered = self._layout, self._clock, not self._sort
        last, limit = -MAX_TIME_US, MAX_TIME_US
        with self._reading() as rows:
            for row in rows:
                if not row:
                    continue
                line = rows.line_num
                start = self._cell(row, line, layout.time, clock)
                open_, high, low, close = (self._cell(row, line, c, prices) for c in layout.bar)
                length = None
                if layout.close_time is not None:
                    closed = self._cell(row, line, layout.close_time, clock)
                    length = closed + clock.step - start
                    if length <= 0:
                        raise self._error(line, layout.close_time, "is before the open time")
                if not last <= start <= limit:
                    raise self._jump(line, row, start, last, limit)
                if ordered:
                    last, limit = start, start + _MAX_GAP_US
                yield start, length, open_, high, low, close

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """CSV rows after the header; unreadable bytes become a ReplayError with the line."""
        rows = None
        try:
            with self._source.text() as text:
                rows = csv.reader(text)
                if self._layout.header:
                    next((row for row in rows if row), None)
                yield rows
        except _UNREADABLE as error:
            where = f"{self.path}:{rows.line_num}" if rows is not None else str(self.path)
            if isinstance(error, EOFError):
                problem = "the compressed file is cut short (an interrupted download?)"
                raise ReplayError(f"{where}: {problem}; it ends after this line") from None
            raise ReplayError(f"{where}: cannot be read ({_reason(error)})") from None

    def _cell(self, row: list[str], line: int, column: int, convert: Callable[[str], _T]) -> _T:
        try:
            return convert(row[column])
        except IndexError:
            problem = f"missing (the row has {len(row)} columns)"
        except ValueError as error:
            problem = str(error)
        raise self._error(line, column, problem)

    def _error(self, line: int, column: int, problem: str) -> ReplayError:
        return ReplayError(f"{self.path}:{line}: {self._layout.label(column)}: {problem}")

    def _jump(self, line: int, row: list[str], t: int, last: int, limit: int) -> ReplayError:
        """Why a row's time failed ``last <= t <= limit``: before the row above, not a
        plausible time at all, or too far after the row above."""
        column = self._layout.time
        if abs(t) > MAX_TIME_US and (t < last or limit == MAX_TIME_US):
            return self._error(line, column, f"{row[column]!r} is not a plausible time")
        if t < last:
            problem = (
                f"{iso(t)} is before the row above ({iso(last)}); "
                "rows must be in time order, or run with --sort"
            )
            return self._error(line, column, problem)
        numeric = self._clock.exponent is not None
        unit = f", read in {self._clock.unit} as the first row was" if numeric else ""
        problem = f"{row[column]!r} is {_span(t - last)} after the row above{unit}; {_GAP_RULE}"
        return self._error(line, column, problem)

    def _continuous(self, items: Iterator[_Timed]) -> Iterator[_Timed]:
        """Sorted points or bars, refused at a gap over ``MAX_GAP_DAYS`` (times, not lines,
        name it: sorting has lost the file order)."""
        last = None
        for item in items:
            t = item[0]
            if last is not None and t - last > _MAX_GAP_US:
                raise ReplayError(
                    f"{self.path}: no rows from {iso(last)} to {iso(t)} once sorted, "
                    f"{_span(t - last)}; {_GAP_RULE}"
                )
            last = t
            yield item


def _span(us: int) -> str:
    """A long time for a message: whole days, or years past a thousand days."""
    days = us // _DAY_US
    return f"{days:,} days" if days < 1000 else f"{us // (_DAY_US * 36525 // 100):,} years"


def _sorted(items: Iterator[_T]) -> Iterator[_T]:
    """All items by time (their first field), stable; the one place a file is held whole."""
    yield from sorted(items, key=itemgetter(0))


def _expand(bars: Iterator[Bar]) -> Iterator[Point]:
    """Four points per bar; its length is the file's, else the gap to the next bar's start.

    The last bar reuses the length before it, and a lone bar lasts a minute.
    """
    previous: Bar | None = None
    length = _DEFAULT_BAR_US
    for bar in bars:
        if previous is not None:
            length = previous[1] or bar[0] - previous[0]
            yield from _bar_path(previous, length)
        previous = bar
    if previous is not None:
        yield from _bar_path(previous, previous[1] or length)


def _bar_path(bar: Bar, length: int) -> tuple[Point, ...]:
    """A plausible path inside a bar: a rising bar dips to its low first, a falling one
    reaches its high first; at 0, ¼, ½ and ¾ of the bar."""
    start, _, open_, high, low, close = bar
    first, second = (low, high) if close >= open_ else (high, low)
    return (
        (start, open_),
        (start + length // 4, first),
        (start + length // 2, second),
        (start + 3 * length // 4, close),
    )


def _window(points: Iterator[Point], start: int, end: int) -> Iterator[Point]:
    """Points inside [start, end]; they come in time order, so the first past the end stops."""
    for point in points:
        if point[0] > end:
            return
        if point[0] >= start:
            yield point


# --- files --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    """Where the CSV text is: a plain file, a gzip file, or the one CSV inside a zip."""

    path: Path
    compression: str  # "plain", "gzip" or "zip"
    member: str = ""

    @property
    def name(self) -> str:
        """What the format may be told by, beside the columns (markPriceKlines)."""
        return f"{self.path.name} {self.member}"

    @contextmanager
    def binary(self) -> Iterator[IO[bytes]]:
        with ExitStack() as stack:
            if self.compression == "zip":
                archive = stack.enter_context(zipfile.ZipFile(self.path))
                yield stack.enter_context(archive.open(self.member))
            elif self.compression == "gzip":
                yield stack.enter_context(gzip.open(self.path, "rb"))
            else:
                yield stack.enter_context(self.path.open("rb"))

    @contextmanager
    def text(self) -> Iterator[IO[str]]:
        """UTF-8 text; a leading byte-order mark (Excel writes one) is dropped.

        A stray undecodable byte deep in the file stays in the text as a lone surrogate, so
        it is reported by the cell that holds it (with its true line number) if that cell
        is used at all; the first bytes were checked to be UTF-8 when the file was opened.
        """
        with (
            self.binary() as raw,
            io.TextIOWrapper(raw, "utf-8-sig", "surrogateescape", newline="") as text,
        ):
            yield text


def _source(path: Path) -> _Source:
    """The file's compression, by its magic bytes rather than its name."""
    with open_file(path, ReplayError) as handle:
        magic = handle.read(4)
    if magic.startswith(b"\x1f\x8b"):
        return _Source(path, "gzip")
    if magic.startswith(b"PK"):
        return _Source(path, "zip", _zip_member(path))
    return _Source(path, "plain")


def _zip_member(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as error:
        raise ReplayError(f"{path}: not a readable zip file ({_reason(error)})") from None
    csvs = [n for n in names if n.lower().endswith(".csv") and not n.startswith("__MACOSX/")]
    if len(csvs) != 1:
        listed = f": {', '.join(csvs[:3])}{' …' if len(csvs) > 3 else ''}" if csvs else ""
        raise ReplayError(
            f"{path}: a zip must hold exactly one CSV file, this one holds {len(csvs)}{listed}"
        )
    return csvs[0]


def _head(source: _Source) -> list[tuple[int, list[str]]]:
    """The first two non-blank rows with their line numbers, after checking it is text."""
    try:
        with source.binary() as raw:
            sniff = raw.read(_SNIFF)
        if not sniff.strip():
            raise ReplayError(f"{source.path}: the file is empty")
        if b"\0" in sniff:
            raise ReplayError(f"{source.path}: binary data, not a CSV text file")
        codecs.getincrementaldecoder("utf-8")().decode(sniff)
        with source.text() as text:
            rows = csv.reader(text)
            head = [(rows.line_num, row) for row in islice(filter(None, rows), 2)]
    except UnicodeDecodeError:
        raise ReplayError(f"{source.path}: binary data, not UTF-8 text") from None
    except _UNREADABLE as error:
        raise ReplayError(f"{source.path}: cannot be read ({_reason(error)})") from None
    if not head:
        raise ReplayError(f"{source.path}: the file is empty")
    return head


def _reason(error: BaseException) -> str:
    """An exception's message on one line."""
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return " ".join(text.split())
