"""The published ADL ranking: each side's queue and every position's lights (SPEC §5.6).

Ranks and lights are refreshed on a cadence, as venues publish them; between
refreshes a position's lights show its place in the last published queue. The
queue keeps each side's positions as they were when they last changed, so a refresh
ranks without rebuilding every snapshot (except for policies whose score moves
with the mark on its own).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine import adl
from engine.adl import Holder, RankingPolicy
from engine.units import PPM


@dataclass(frozen=True, slots=True)
class LightView:
    """A position's place in its side's ADL queue, and what its lights mean."""

    rank: int
    lights: int
    score: float
    share: int  # ppm: weight ranked ahead of it plus its own, over the side's total


class AdlQueue:
    def __init__(self, every: int, start: int) -> None:
        self.every = every  # µs between refreshes
        self.next_refresh = start
        self._lights: dict[str, tuple[int, int, float, int]] = {}  # (rank, lights, score, Σlots)
        self._queues: dict[int, list[tuple[Holder, float]]] = {1: [], -1: []}
        self._side_lots = {1: 0, -1: 0}  # each queue's total size, for the shares
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
        lights: dict[str, tuple[int, int, float, int]] = {}
        for side in (1, -1):
            ordered = self._queues[side] = adl.queue(policy, holders[side], mark, cv)
            by_count = rule == "count"
            self._side_lots[side] = len(ordered) if by_count else sum(h.lots for h in holders[side])
            lights.update(adl.lights(policy, ordered, rule))
        self._lights = lights
        self.next_refresh = time + self.every

    def published(self, side: int) -> list[tuple[Holder, float]]:
        """One side's queue as last published: (position then, score), rank 1 first."""
        return self._queues[side]

    def light(self, account_id: str, side: int) -> LightView | None:
        """A position's place in its side's last published queue."""
        entry = self._lights.get(account_id)
        if entry is None or not side:
            return None
        rank, lit, value, cumulative = entry
        total = self._side_lots[side] or 1
        return LightView(rank, lit, value, cumulative * PPM // total)
