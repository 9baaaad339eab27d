"""Where liquidations (and margin warnings) start: an index of positions by the mark
price that would trigger them.

The index keeps each position under one integer tick, the one the mark must cross:
longs trigger when the mark falls below their tick, shorts when it rises above. A
mark update then costs O(log n + k) for k positions actually crossed, and an entry
is recomputed only when its account changes (trade, funding, deposit). The
liquidation engine keeps one for equity < MM, the margin warnings another for
ratio ≥ 80 %.
"""

from __future__ import annotations

from sortedcontainers import SortedList


class LiquidationIndex:
    def __init__(self) -> None:
        self._ticks = {1: SortedList(), -1: SortedList()}  # (tick, account) pairs
        self._entries: dict[str, tuple[int, int]] = {}  # account → (side, tick)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, account: str) -> bool:
        return account in self._entries

    def entry(self, account: str) -> tuple[int, int] | None:
        return self._entries.get(account)

    def put(self, account: str, side: int, tick: int) -> None:
        old = self._entries.get(account)
        if old == (side, tick):
            return
        if old is not None:
            self._ticks[old[0]].remove((old[1], account))
        self._entries[account] = (side, tick)
        self._ticks[side].add((tick, account))

    def remove(self, account: str) -> None:
        old = self._entries.pop(account, None)
        if old is not None:
            self._ticks[old[0]].remove((old[1], account))

    def triggered(self, mark: int) -> list[str]:
        """Accounts the mark has crossed, most underwater first (longs, then shorts)."""
        longs, shorts = self._ticks[1], self._ticks[-1]
        first_long = longs.bisect_left((mark + 1, ""))
        last_short = shorts.bisect_left((mark, ""))
        if first_long == len(longs) and not last_short:  # most steps: no one
            return []
        hit_longs = [a for _, a in reversed(longs[first_long:])]
        hit_shorts = [a for _, a in shorts[:last_short]]
        return hit_longs + hit_shorts

    def between(self, old_mark: int, new_mark: int) -> list[str]:
        """Accounts whose tick lies between two marks: a move from one to the other
        crossed it, one way or the other."""
        low, high = sorted((old_mark, new_mark))
        found = []
        for side in (1, -1):
            found.extend(a for _, a in self._ticks[side].irange((low, ""), (high + 1, "")))
        return found
