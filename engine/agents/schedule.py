"""When the members of a crowd act: each step, each member acts with one chance.

``Scheduled`` draws, for each member, the number of steps until it next acts (a
geometric gap, drawn once) and keeps the members in a heap by that step: a step costs
the members who act, not the crowd's size. ``EveryStep`` draws a number per member
per step; the two are the same law, but not the same draws, so a journal written
with ``EveryStep`` (before scheduling existed) is replayed with it.

Both hand out members in the order of their number within a step, one at a time, so
a member's own draws (what it does) interleave with the schedule's as they must.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_left
from collections.abc import Iterator

SCHEDULED = "scheduled"
EVERY_STEP = "every_step"


class EveryStep:
    def __init__(self, count: int, chance: float, rng: random.Random) -> None:
        self.count, self.chance, self.rng = count, chance, rng

    def due(self) -> Iterator[int]:
        """The members acting this step."""
        chance, draw = self.chance, self.rng.random
        for member in range(self.count):
            if draw() < chance:
                yield member


class Scheduled:
    def __init__(self, count: int, chance: float, rng: random.Random) -> None:
        self.rng, self.now = rng, 0
        self._survival = _survival(chance)
        self._heap = [] if chance <= 0 else [(self._gap(), member) for member in range(count)]
        heapq.heapify(self._heap)

    def due(self) -> Iterator[int]:
        """The members acting this step; each is given its next step as it is handed out."""
        self.now += 1
        heap = self._heap
        while heap and heap[0][0] <= self.now:
            member = heap[0][1]
            yield member
            heapq.heapreplace(heap, (self.now + self._gap(), member))

    def _gap(self) -> int:
        """Steps until the next act: k with chance (1 − p)^(k−1)·p. The gap exceeds k with
        chance S_k = (1 − p)^k, so it is one more than the number of S_k above a uniform
        draw in (0, 1]."""
        return 1 + bisect_left(self._survival, -(1.0 - self.rng.random()))


def _survival(chance: float) -> list[float]:
    """−S_k for k = 1, 2, … while S_k is above 2⁻⁶⁰ (ascending, for ``bisect``). Made by
    repeated multiplication, exact in IEEE arithmetic, so every machine draws the same
    gaps (a logarithm from the platform's maths library need not be)."""
    if chance <= 0:
        return []
    table, survival = [], 1.0
    while True:
        survival *= 1.0 - chance
        table.append(-survival)
        if survival < 2.0**-60:
            return table


def schedule(kind: str, count: int, chance: float, rng: random.Random) -> Scheduled | EveryStep:
    if kind == SCHEDULED:
        return Scheduled(count, chance, rng)
    if kind == EVERY_STEP:
        return EveryStep(count, chance, rng)
    raise ValueError(f"unknown crowd schedule {kind!r}")
