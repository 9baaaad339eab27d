"""The charts' memory: mark and index, the insurance fund and its ADL floor after every
step, and where the waterfall struck.

Recorded once per engine step (not per frame), so a crash run at full speed keeps
every spike and every dip of the fund. Points are bucketed into chart columns by their
step number, so a column keeps its contents as new points arrive and the chart
scrolls instead of shimmering. Bounded: the oldest points are dropped in chunks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from collections.abc import Sequence
from typing import NamedTuple

from engine.events import AdlExecuted, AutoDeleveraged, Event, InsuranceFundChanged, Liquidation

LIQUIDATION, ADL, OWN_LIQUIDATION, OWN_ADL = 1, 2, 4, 8
MOVES_KEPT = 8  # the fund's latest movements, as the fund page lists them


class Column(NamedTuple):
    low: int  # lowest mark in the bucket, ticks
    high: int
    mark: int  # the bucket's last mark
    index: int  # the bucket's last index
    flags: int  # LIQUIDATION | ADL | OWN_… bits of what happened in the bucket


class FundColumn(NamedTuple):
    low: int  # the fund's lowest equity in the bucket, money
    high: int
    equity: int  # the bucket's last equity: balance + what the backstop holds, at the mark
    balance: int  # the bucket's last balance
    floor: int  # the bucket's last ADL floor (the trigger in force)
    flags: int


class PriceHistory:
    def __init__(self, capacity: int = 3600) -> None:
        self.capacity = capacity
        self.first = 0  # step number of the oldest point kept
        self.times: list[int] = []
        self.marks: list[int] = []
        self.indexes: list[int] = []
        self.funds: list[int] = []  # the fund's equity, money
        self.balances: list[int] = []
        self.floors: list[int] = []
        self.markers: dict[int, int] = {}  # step number → flags
        self.fund_moves: deque[InsuranceFundChanged] = deque(maxlen=MOVES_KEPT)

    def __len__(self) -> int:
        return len(self.times)

    def record(
        self, time: int, mark: int, index: int, fund: int = 0, balance: int = 0, floor: int = 0
    ) -> None:
        self.times.append(time)
        self.marks.append(mark)
        self.indexes.append(index)
        self.funds.append(fund)
        self.balances.append(balance)
        self.floors.append(floor)
        if len(self.times) >= 2 * self.capacity:
            drop = len(self.times) - self.capacity
            del self.times[:drop], self.marks[:drop], self.indexes[:drop]
            del self.funds[:drop], self.balances[:drop], self.floors[:drop]
            self.first += drop
            self.markers = {k: v for k, v in self.markers.items() if k >= self.first}

    def flag(self, time: int, flag: int) -> None:
        """Mark the step at (or last before) simulated ``time``."""
        at = bisect_right(self.times, time) - 1
        if at >= 0:
            step = self.first + at
            self.markers[step] = self.markers.get(step, 0) | flag

    def columns(self, width: int) -> list[Column]:
        """At most ``width`` columns of prices over the last ``capacity`` points, newest last."""
        marks, indexes = self.marks, self.indexes
        columns = []
        for lo, hi, flags in self._buckets(width):
            window = marks[lo:hi]
            columns.append(Column(min(window), max(window), window[-1], indexes[hi - 1], flags))
        return columns

    def fund_columns(self, width: int) -> list[FundColumn]:
        """The same columns for the insurance fund: its equity's range, its last equity,
        balance and floor, and the same markers as the price chart."""
        funds, balances, floors = self.funds, self.balances, self.floors
        columns = []
        for lo, hi, flags in self._buckets(width):
            window = funds[lo:hi]
            last = hi - 1
            columns.append(
                FundColumn(
                    min(window), max(window), window[-1], balances[last], floors[last], flags
                )
            )
        return columns

    def _buckets(self, width: int) -> list[tuple[int, int, int]]:
        """(first, end) list positions and the markers' flags of each of at most ``width``
        buckets of steps, aligned on step numbers so that a column keeps its contents."""
        count = min(len(self.times), self.capacity)
        if not count or width <= 0:
            return []
        per = -(-count // width)
        end = self.first + len(self.times)
        start = end - count
        last_bucket = (end - 1) // per
        first_bucket = max(start // per, last_bucket - width + 1)
        flags: dict[int, int] = {}
        for step, flag in self.markers.items():
            if step >= start:
                flags[step // per] = flags.get(step // per, 0) | flag
        offset = self.first
        return [
            (
                max(bucket * per, start) - offset,
                min((bucket + 1) * per, end) - offset,
                flags.get(bucket, 0),
            )
            for bucket in range(first_bucket, last_bucket + 1)
        ]

    def span(self, width: int) -> int:
        """Simulated µs covered by the columns ``columns(width)`` returns."""
        count = min(len(self.times), self.capacity)
        if count < 2:
            return 0
        per = -(-count // width)
        end = self.first + len(self.times)
        first_bucket = max((end - count) // per, (end - 1) // per - width + 1)
        first = max(first_bucket * per, end - count) - self.first
        return self.times[-1] - self.times[first]


def flag_events(
    chart: PriceHistory, events: Sequence[Event], user: str, moves: bool = True
) -> None:
    """Mark the steps where liquidations and ADL happened (the user's own apart), and keep
    the fund's latest movements (unless ``moves`` is False). A crash frame can hold
    50,000 events: each step and kind is flagged once."""
    flags: dict[tuple[int, int], None] = {}
    kept = chart.fund_moves
    for event in events:
        cls = type(event)
        if cls is InsuranceFundChanged:
            if moves:
                kept.append(event)
        elif cls is Liquidation:
            flags[event.time, OWN_LIQUIDATION if event.account == user else LIQUIDATION] = None
        elif cls is AdlExecuted:
            flags[event.time, ADL] = None
        elif cls is AutoDeleveraged and event.account == user:
            flags[event.time, OWN_ADL] = None
    for time, flag in flags:
        chart.flag(time, flag)
