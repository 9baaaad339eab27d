"""The published ADL ranking: each side's queue and every position's lights (SPEC §5.6).

Ranks and lights are refreshed on a cadence, as venues publish them; between
refreshes a position's lights show its place in the last published queue. The
queue keeps each side's positions as they were when they last changed, so a refresh
ranks without rebuilding every snapshot (except for policies whose score moves
with the mark on its own).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from engine import adl
from engine.adl import Holder, RankingPolicy
from engine.slices import PIECE, Slices, finish
from engine.units import PPM


@dataclass(frozen=True, slots=True)
class LightView:
    """A position's place in its side's ADL queue, and what its lights mean."""

    rank: int
    lights: int
    score: float
    share: int  # ppm: weight ranked ahead of it plus its own, over the side's total


class PublishedSide:
    """One side's published queue, as compact as 100,000 positions want it: each
    account's place, and per place the score and the weight ranked up to it. A
    position's lights are worked out when asked for (SPEC §5.6), not stored."""

    def __init__(
        self, places: dict[str, int], scores: list[float], cumulative: list[int], total: int
    ) -> None:
        self.places, self.scores, self.cumulative, self.total = places, scores, cumulative, total

    def entry(self, account_id: str) -> tuple[int, int, float, int] | None:
        """(rank, lights, score, cumulative weight), as ``adl.lights`` gives it."""
        place = self.places.get(account_id)
        if place is None:
            return None
        cumulative = self.cumulative[place]
        return place + 1, 6 + (-cumulative * 5 // self.total), self.scores[place], cumulative


class GroupedSide:
    """One side's published lights under a grouped policy (one rank per score group)."""

    def __init__(self, entries: dict[str, tuple[int, int, float, int]], total: int) -> None:
        self.entries, self.total = entries, total

    def entry(self, account_id: str) -> tuple[int, int, float, int] | None:
        return self.entries.get(account_id)


NOTHING_PUBLISHED = GroupedSide({}, 1)


class AdlQueue:
    def __init__(self, every: int, start: int) -> None:
        self.every = every  # µs between refreshes
        self.next_refresh = start
        self._sides: dict[int, PublishedSide | GroupedSide] = {
            1: NOTHING_PUBLISHED,
            -1: NOTHING_PUBLISHED,
        }
        self._holders: dict[int, dict[str, Holder]] = {1: {}, -1: {}}  # by side, as last changed

    def track(self, account_id: str, holder: Holder | None) -> None:
        """An account changed: keep its position as it is now (None: it has none)."""
        for side_holders in self._holders.values():
            side_holders.pop(account_id, None)
        if holder is not None:
            self._holders[holder.side][account_id] = holder

    def holder(self, account_id: str, side: int) -> Holder | None:
        """An account's position on ``side`` as last tracked (None: none there)."""
        return self._holders[side].get(account_id)

    def tracked(self, side: int) -> list[Holder]:
        return list(self._holders[side].values())

    def due(self, time: int) -> bool:
        return time >= self.next_refresh

    def refresh_soon(self, time: int) -> None:
        """Relight at the next step (a new ranking policy is in force)."""
        self.next_refresh = time

    def publish(
        self,
        policy: RankingPolicy,
        holders: dict[int, list[Holder]],
        mark: int,
        cv: int,
        time: int,
        rule: str = "size",
    ) -> None:
        """Rank both sides' ``holders`` and light every position by ``rule``."""
        finish(self.publishing(policy, holders, mark, cv, time, rule))

    def publishing(
        self,
        policy: RankingPolicy,
        holders: dict[int, list[Holder]],
        mark: int,
        cv: int,
        time: int,
        rule: str = "size",
    ) -> Slices[None]:
        """``publish`` in slices (``engine/slices.py``); the new lights replace the old
        ones at the end, both sides at once."""
        sides = {}
        for side in (1, -1):
            ordered = yield from adl.ranking(policy, holders[side], mark, cv)
            sides[side] = yield from _published(policy, ordered, rule)
        self._sides = sides
        self.next_refresh = time + self.every

    def light(self, account_id: str, side: int) -> LightView | None:
        """A position's place in its side's last published queue."""
        published = self._sides.get(side)
        entry = published.entry(account_id) if published is not None else None
        if entry is None:
            return None
        rank, lit, value, cumulative = entry
        return LightView(rank, lit, value, cumulative * PPM // published.total)


def _published(
    policy: RankingPolicy, ordered: list[tuple[Holder, float]], rule: str
) -> Slices[PublishedSide | GroupedSide]:
    """One ranked side as it is published: lit by ``rule`` (size, count or none)."""
    if rule == "none" or not ordered:
        return NOTHING_PUBLISHED
    by_count = rule == "count"
    if adl.grouped(policy):
        total = len(ordered) if by_count else sum(h.lots for h, _ in ordered)
        return GroupedSide(adl.lights(policy, ordered, rule), total)
    places: dict[str, int] = {}
    scores: list[float] = []
    cumulative: list[int] = []
    total = 0
    for start in range(0, len(ordered), PIECE):  # 100,000 positions: a slice per piece
        piece = ordered[start : start + PIECE]
        accounts = [h.account for h, _ in piece]
        places.update(zip(accounts, range(start, start + len(piece)), strict=True))
        scores += [value for _, value in piece]
        weights = itertools.repeat(1, len(piece)) if by_count else [h.lots for h, _ in piece]
        sums = list(itertools.accumulate(weights, initial=total))[1:]
        cumulative += sums
        total = sums[-1]
        yield
    return PublishedSide(places, scores, cumulative, total)
