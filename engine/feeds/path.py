"""A scripted index: the price a scenario spells out, point by point.

``points`` are (µs after the start, ticks); between two points the index moves in a
straight line, one step at a time, and after the last it holds. A lesson or an
exact test knows, to the tick, where the index will be at every step.
"""

from __future__ import annotations

from collections.abc import Iterator

from engine.units import round_div


class PricePath:
    def __init__(self, points: tuple[tuple[int, int], ...], step: int, start_time: int) -> None:
        self.points_given = points
        self.step = step
        self.start_time = start_time
        self._offset = 0  # µs after the start of the next point

    @property
    def length(self) -> int:
        """µs from the start to the last point."""
        return self.points_given[-1][0]

    def price_at(self, offset: int) -> int:
        """The index (ticks) ``offset`` µs after the start."""
        points = self.points_given
        if offset >= points[-1][0]:
            return points[-1][1]
        for (t0, p0), (t1, p1) in zip(points, points[1:], strict=False):
            if t0 <= offset < t1:
                return p0 + round_div((p1 - p0) * (offset - t0), t1 - t0)
        return points[0][1]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return self

    def __next__(self) -> tuple[int, int]:
        """(time µs, index ticks) of the next step, forever (holding the last price); an
        iterator that holds its state, so that a run can be copied whole."""
        offset, self._offset = self._offset, self._offset + self.step
        return self.start_time + offset, self.price_at(offset)
