"""Where liquidations start: an index of positions by the mark price that would trigger
them.

The index keeps each position under two integer ticks: the one the mark must cross
to liquidate it (equity < MM) and the one that starts the margin warning (ratio ≥
80 %). A mark update then costs O(log n + k) for k positions actually crossed, and
an entry is recomputed only when its account changes (trade, funding, deposit).
"""

from __future__ import annotations

from sortedcontainers import SortedList


class LiquidationIndex:
    def __init__(self) -> None:
        # (tick, account) pairs; longs trigger when mark < tick, shorts when mark > tick
        self._liq = {1: SortedList(), -1: SortedList()}
        self._warn = {1: SortedList(), -1: SortedList()}
        self._entries: dict[str, tuple[int, int, int]] = {}  # account → (side, liq, warn)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, account: str) -> bool:
        return account in self._entries

    def entry(self, account: str) -> tuple[int, int, int] | None:
        return self._entries.get(account)

    def put(self, account: str, side: int, liq_tick: int, warn_tick: int) -> None:
        old = self._entries.get(account)
        if old == (side, liq_tick, warn_tick):
            return
        if old is not None:
            self.remove(account)
        self._entries[account] = (side, liq_tick, warn_tick)
        self._liq[side].add((liq_tick, account))
        self._warn[side].add((warn_tick, account))

    def remove(self, account: str) -> None:
        old = self._entries.pop(account, None)
        if old is not None:
            side, liq_tick, warn_tick = old
            self._liq[side].remove((liq_tick, account))
            self._warn[side].remove((warn_tick, account))

    def triggered(self, mark: int) -> list[str]:
        """Accounts the mark liquidates, most underwater first (longs, then shorts)."""
        longs = self._liq[1]
        shorts = self._liq[-1]
        hit_longs = [a for _, a in reversed(longs[longs.bisect_left((mark + 1, "")) :])]
        hit_shorts = [a for _, a in shorts[: shorts.bisect_left((mark, ""))]]
        return hit_longs + hit_shorts

    def warning_crossed(self, old_mark: int, new_mark: int) -> list[str]:
        """Accounts whose warning tick lies between two marks: they entered or left
        the warning zone."""
        low, high = sorted((old_mark, new_mark))
        found = []
        for side in (1, -1):
            ticks = self._warn[side]
            found.extend(a for _, a in ticks.irange((low, ""), (high + 1, "")))
        return found
