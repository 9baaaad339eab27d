"""The price chart's memory: mark and index after every step, and where the waterfall struck.

Recorded once per engine step (not per frame), so a crash run at full speed keeps
every spike. Points are bucketed into chart columns by their step number, so a
column keeps its contents as new points arrive and the chart scrolls instead of
shimmering. Bounded: the oldest points are dropped in chunks.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

from engine.events import AdlExecuted, AutoDeleveraged, Event, Liquidation

LIQUIDATION, ADL, OWN_LIQUIDATION, OWN_ADL = 1, 2, 4, 8


class Column(NamedTuple):
    low: int  # lowest mark in the bucket, ticks
    high: int
    mark: int  # the bucket's last mark
    index: int  # the bucket's last index
    flags: int  # LIQUIDATION | ADL | OWN_… bits of what happened in the bucket


class PriceHistory:
    def __init__(self, capacity: int = 3600) -> None:
        self.capacity = capacity
        self.first = 0  # step number of the oldest point kept
        self.times: list[int] = []
        self.marks: list[int] = []
        self.indexes: list[int] = []
        self.markers: dict[int, int] = {}  # step number → flags

    def __len__(self) -> int:
        return len(self.times)

    def record(self, time: int, mark: int, index: int) -> None:
        self.times.append(time)
        self.marks.append(mark)
        self.indexes.append(index)
        if len(self.times) >= 2 * self.capacity:
            drop = len(self.times) - self.capacity
            del self.times[:drop], self.marks[:drop], self.indexes[:drop]
            self.first += drop
            self.markers = {k: v for k, v in self.markers.items() if k >= self.first}

    def flag(self, time: int, flag: int) -> None:
        """Mark the step at (or last before) simulated ``time``."""
        at = bisect_right(self.times, time) - 1
        if at >= 0:
            step = self.first + at
            self.markers[step] = self.markers.get(step, 0) | flag

    def columns(self, width: int) -> list[Column]:
        """At most ``width`` columns over the last ``capacity`` points, newest last."""
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
        marks, indexes, offset = self.marks, self.indexes, self.first
        columns = []
        for bucket in range(first_bucket, last_bucket + 1):
            lo = max(bucket * per, start) - offset
            hi = min((bucket + 1) * per, end) - offset
            window = marks[lo:hi]
            columns.append(
                Column(min(window), max(window), window[-1], indexes[hi - 1], flags.get(bucket, 0))
            )
        return columns

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


def flag_events(chart: PriceHistory, events: Sequence[Event], user: str) -> None:
    """Mark the steps where liquidations and ADL happened (the user's own apart). A crash
    frame can hold 50,000 events: each step and kind is flagged once."""
    flags: dict[tuple[int, int], None] = {}
    for event in events:
        cls = type(event)
        if cls is Liquidation:
            flags[event.time, OWN_LIQUIDATION if event.account == user else LIQUIDATION] = None
        elif cls is AdlExecuted:
            flags[event.time, ADL] = None
        elif cls is AutoDeleveraged and event.account == user:
            flags[event.time, OWN_ADL] = None
    for time, flag in flags:
        chart.flag(time, flag)
