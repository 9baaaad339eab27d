"""The published ADL ranking: each side's queue and every position's lights (SPEC §5.6).

Ranks and lights are refreshed on a cadence, as venues publish them; between
refreshes a position's lights show its place in the last published queue. The
queue keeps each side's positions as they were when they last changed, so a refresh
ranks without rebuilding every snapshot (except for policies whose score moves
with the mark on its own), and, from the moment a side first holds ``COLUMNS_FROM``
positions, also as columns (``engine/position_columns.py``): such a side is ranked by
numpy (``engine/column_ranking.py``), 100,000 positions in tens of milliseconds. A
smaller side never pays for columns it would not use (a column queue's order depends
only on the positions, not on their rows).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from engine import adl, column_ranking
from engine.adl import Holder, RankingPolicy
from engine.column_ranking import COLUMN_POLICIES, ColumnQueue, ranking
from engine.position_columns import SideColumns
from engine.slices import PIECE, Slices, finish
from engine.units import PPM

COLUMNS_FROM = 500  # numpy wins from ~200 a side; 500 leaves it unimported for shipped crowds


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


class PublishedRows:
    """One side's published queue as numpy ranked it: each account's row, each row's
    place, and per place the score and the weight ranked up to it."""

    def __init__(self, ranked: ColumnQueue, by_count: bool) -> None:
        import numpy as np

        count = len(ranked.order)
        self.rows, self.scores = ranked.rows, ranked.scores
        self.places = np.empty(count, dtype=np.int64)
        self.places[ranked.order] = np.arange(count)
        weights = np.ones(count, np.int64) if by_count else ranked.lots[ranked.order]
        self.cumulative = np.cumsum(weights.astype(np.int64))
        self.total = int(self.cumulative[-1])

    def entry(self, account_id: str) -> tuple[int, int, float, int] | None:
        row = self.rows.get(account_id)
        if row is None:
            return None
        place = int(self.places[row])
        cumulative = int(self.cumulative[place])
        return place + 1, 6 + (-cumulative * 5 // self.total), float(self.scores[place]), cumulative


NOTHING_PUBLISHED = GroupedSide({}, 1)
NO_LIGHTS = 1 << 62  # µs between lights that publishes none, not even the first


class AdlQueue:
    def __init__(self, every: int, start: int, columns_from: int = COLUMNS_FROM) -> None:
        self.every = every  # µs between refreshes
        self.next_refresh = start if every < NO_LIGHTS else NO_LIGHTS  # the first at once
        self.columns_from = columns_from
        self._sides: dict[int, PublishedSide | GroupedSide | PublishedRows] = {
            1: NOTHING_PUBLISHED,
            -1: NOTHING_PUBLISHED,
        }
        self._holders: dict[int, dict[str, Holder]] = {1: {}, -1: {}}  # by side, as last changed
        # the same as columns, once the side has held ``columns_from`` (None: not yet)
        self._columns: dict[int, SideColumns | None] = {1: None, -1: None}

    def track(self, account_id: str, holder: Holder | None) -> None:
        """An account changed: keep its position as it is now (None: it has none)."""
        for side in (1, -1):
            self._holders[side].pop(account_id, None)
            columns = self._columns[side]
            if columns is not None and (holder is None or side != holder.side):
                columns.drop(account_id)
        if holder is not None:
            side = holder.side
            holders = self._holders[side]
            holders[account_id] = holder
            columns = self._columns[side]
            if columns is not None:
                columns.put(holder)  # in place if it was on this side
            elif len(holders) >= self.columns_from:
                self._columns[side] = _columns_of(holders.values())

    def holder(self, account_id: str, side: int) -> Holder | None:
        """An account's position on ``side`` as last tracked (None: none there)."""
        return self._holders[side].get(account_id)

    def tracked(self, side: int) -> list[Holder]:
        return list(self._holders[side].values())

    def scored(
        self, policy: RankingPolicy, side: int, mark: int, cv: int
    ) -> tuple[list[float], int] | None:
        """``adl.scores_and_capacity`` of ``tracked(side)``, in its order, worked out by
        numpy from the columns (an ADL event on a big side); None where ``adl`` must."""
        if not self._by_columns(policy, side, "size"):
            return None
        import numpy as np

        columns, holders = self._columns[side], self._holders[side]
        ranked = ColumnQueue(columns, holders.__getitem__, with_rows=False)
        values, capacity = column_ranking.scores_and_capacity(policy, ranked, side, mark, cv)
        rows = np.fromiter(map(columns.rows.__getitem__, holders), np.int64, len(holders))
        return values[rows].tolist(), capacity

    def due(self, time: int) -> bool:
        return time >= self.next_refresh

    def refresh_soon(self, time: int) -> None:
        """Relight at the next step (a new ranking policy is in force)."""
        self.next_refresh = time

    def publish(
        self,
        policy: RankingPolicy,
        holders: dict[int, list[Holder]] | None,
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
        holders: dict[int, list[Holder]] | None,
        mark: int,
        cv: int,
        time: int,
        rule: str = "size",
    ) -> Slices[None]:
        """``publish`` in slices (``engine/slices.py``); the new lights replace the old
        ones at the end, both sides at once. ``holders`` None: the tracked positions."""
        sides = {}
        for side in (1, -1):
            if holders is None and self._by_columns(policy, side, rule):
                ranked = ColumnQueue(self._columns[side], self._holders[side].__getitem__)
                yield
                ranked = yield from ranking(policy, ranked, side, mark, cv)
                sides[side] = PublishedRows(ranked, rule == "count")
                continue
            mine = self.tracked(side) if holders is None else holders[side]
            ordered = yield from adl.ranking(policy, mine, mark, cv)
            sides[side] = yield from _published(policy, ordered, rule)
        self._sides = sides
        self.next_refresh = time + self.every

    def _by_columns(self, policy: RankingPolicy, side: int, rule: str) -> bool:
        columns = self._columns[side]
        big = columns is not None and len(columns) >= max(1, self.columns_from)
        return big and rule != "none" and policy in COLUMN_POLICIES

    def light(self, account_id: str, side: int) -> LightView | None:
        """A position's place in its side's last published queue."""
        published = self._sides.get(side)
        entry = published.entry(account_id) if published is not None else None
        if entry is None:
            return None
        rank, lit, value, cumulative = entry
        return LightView(rank, lit, value, cumulative * PPM // published.total)


def _columns_of(holders) -> SideColumns:
    columns = SideColumns()
    for holder in holders:
        columns.put(holder)
    return columns


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
