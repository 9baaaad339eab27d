"""One side's ADL queue at one mark, kept current across the ADL events of a step.

In a crash step the backstop may hold hundreds of bankrupt positions, and each one
the fund cannot pay for is an ADL event against the same opposite side, at the same
mark. Ranking that side afresh for every event costs O(positions) each time: with
100,000 traders and hundreds of events, seconds per step. A ``LiveQueue`` scores the
side once, then after each event re-scores only the positions it closed.

The first event walks the queue's head without ordering the rest (``adl.head``), as
a lone event does; from the second on, the side is kept as a heap of ranking keys,
popped in queue order, with the closed positions pushed back under their new keys.
The order is exactly ``adl.queue``'s: score, then larger size, earlier open, name.

Only for the policies that walk a queue by score (``adl.walks_by_score``); the others
need the whole side at once, by their nature.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass

from engine import adl
from engine.adl import Holder, RankingPolicy
from engine.slices import PIECE, Slices, finish

Key = tuple[float, int, int, str]  # (−score, −lots, opened at, account): heap order = queue order


@dataclass(frozen=True, slots=True)
class SeenQueue:
    """The side as one ADL event saw it, without copying it: the positions at the
    step's first event, and the first ``upto`` changes since (the log only grows)."""

    base: tuple[Holder, ...]
    log: list[tuple[str, Holder | None]]
    upto: int

    def holders(self) -> tuple[Holder, ...]:
        if not self.upto:
            return self.base
        changed = dict(self.log[: self.upto])
        now = (changed.get(h.account, h) for h in self.base)
        return tuple(h for h in now if h is not None)


def seen(holders: list[Holder]) -> SeenQueue:
    """A side seen by an event that ranked it on its own."""
    return SeenQueue(tuple(holders), [], 0)


class LiveQueue:
    def __init__(
        self,
        policy: RankingPolicy,
        holders: list[Holder],
        mark: int,
        cv: int,
        scored: tuple[list[float], int] | None = None,
    ) -> None:
        """``scored``: the holders' scores and capacity, when the caller has them
        (``adl.scoring`` works them out in slices)."""
        self.policy, self.mark, self.cv = policy, mark, cv
        self._base = tuple(holders)
        if scored is None:
            scored = adl.scores_and_capacity(policy, holders, mark, cv)
        self._values, self.capacity = scored
        self._log: list[tuple[str, Holder | None]] = []
        self._now: dict[str, Holder] = {}  # the side as it stands, once the heap is built
        self._keys: dict[str, Key] = {}  # each position's key in force (older ones are stale)
        self._heap: list[Key] | None = None
        self._read: list[Key] = []  # keys ``take`` read and did not close, in queue order
        self._failed: dict[str, tuple[int, int]] = {}  # account → (price, lots) it failed at

    def snapshot(self) -> SeenQueue:
        return SeenQueue(self._base, self._log, len(self._log))

    def values(self) -> list[float] | None:
        """The scores in base order, while nothing has changed (else None)."""
        return None if self._log else self._values

    def prepare(self) -> None:
        """Build the heap if the next walk needs it (something changed)."""
        finish(self.preparing())

    def preparing(self) -> Slices[None]:
        """``prepare`` in slices (``engine/slices.py``): 100,000 keys are built in pieces."""
        if self._heap is None and self._log:
            yield from self._building_heap()

    def walk(self, lots: int) -> Iterator[tuple[Holder, float]]:
        """(position, score) in queue order, as far as the caller reads; ``update``
        must follow before the next walk."""
        if not self._log:
            return adl.head(self.policy, self._base, lots, self.mark, self.cv, self._values)
        self.prepare()
        return self._in_order()

    def take(self, rest: int, price: int) -> list[tuple[Holder, int, int, float]]:
        """``adl.allocate`` of ``rest`` lots at ``price`` over the side as it stands:
        exactly the same (position, lots, rank, score) list, for the score-walking
        policies. ``update`` must follow before the next ``take``.

        In a crash the queue's head fills with winners too leveraged to be closed at
        the bankrupt positions' prices; every event would pop them again, check them
        again and push them back. Here they wait in ``_read`` (still counted in the
        ranks), and one that failed at some price and size is skipped unchecked while
        it must fail again: a loss-making close fails at any price worse for it and any
        larger size (``_fails_again``).
        """
        if not self._log:  # the step's first event: the head of the side, unsorted
            ordered = adl.head(self.policy, self._base, rest, self.mark, self.cv, self._values)
            return adl.allocate(
                self.policy, [], rest, self.mark, self.cv, price, None, ordered=ordered
            )
        self.prepare()
        heap, read, keys, now, failed = self._heap, self._read, self._keys, self._now, self._failed
        mark, cv, survives = self.mark, self.cv, adl.survives
        taken, rank, i = [], 0, 0
        while rest > 0:
            if i < len(read) and (not heap or read[i] < heap[0]):
                key, i = read[i], i + 1
            elif heap:
                key = heapq.heappop(heap)
                read.insert(i, key)  # read from now on, until it is closed
                i += 1
            else:
                break
            account = key[3]
            if keys.get(account) != key:
                del read[i - 1]  # an older key of a position closed in part since
                i -= 1
                continue
            rank += 1
            holder = now[account]
            lots = min(rest, holder.lots)
            if account in failed and _fails_again(holder, lots, price, failed[account]):
                continue
            if not survives(holder, lots, mark, price, cv):
                if holder.side * (price * holder.lots - holder.cost) < 0:  # a loss per lot
                    failed[account] = (price, lots)
                continue
            del read[i - 1]
            i -= 1
            taken.append((holder, lots, rank, -key[0]))
            rest -= lots
        return taken

    def update(self, changed: list[tuple[Holder, Holder | None]]) -> None:
        """Positions an event closed: each as it was, and as it is now (None: closed
        wholly). What the walk read past without closing goes back in line."""
        mark, cv = self.mark, self.cv
        for before, after in changed:
            self.capacity += _profit(after, mark, cv) - _profit(before, mark, cv)
            self._log.append((before.account, after))
            if self._heap is None:
                continue  # the heap, when built, starts from the log
            del self._keys[before.account]
            self._failed.pop(before.account, None)
            if after is None:
                del self._now[before.account]
            else:
                self._now[before.account] = after
                self._push(after, adl.score(self.policy, after, mark, cv))

    def _building_heap(self) -> Slices[None]:
        """Every position's key, heap-ordered: the base scores, re-scored where changed
        (the base's key of a changed position stays in the heap, stale, and is skipped)."""
        policy, mark, cv, base, values = self.policy, self.mark, self.cv, self._base, self._values
        heap: list[Key] = []
        for start in range(0, len(base), PIECE):  # 100,000 keys: a slice per piece
            part = base[start : start + PIECE]
            keys = [
                (-value, -h.lots, h.opened_at, h.account)
                for h, value in zip(part, values[start : start + PIECE], strict=True)
            ]
            heap += keys
            self._keys.update(zip([h.account for h in part], keys, strict=True))
            self._now.update({h.account: h for h in part})
            yield
        for account, holder in dict(self._log).items():  # each changed position as it is now
            del self._keys[account]
            if holder is None:
                del self._now[account]
            else:
                self._now[account] = holder
                key = (
                    -adl.score(policy, holder, mark, cv),
                    -holder.lots,
                    holder.opened_at,
                    account,
                )
                self._keys[account] = key
                heap.append(key)
        heapq.heapify(heap)
        self._heap = heap

    def _push(self, holder: Holder, value: float) -> None:
        key = (-value, -holder.lots, holder.opened_at, holder.account)
        self._keys[holder.account] = key
        heapq.heappush(self._heap, key)

    def _in_order(self) -> Iterator[tuple[Holder, float]]:
        """The queue as it stands: what was read before (``_read``) merged with the heap,
        each key popped staying in ``_read`` until it goes stale (its position closed)."""
        heap, read, keys, now = self._heap, self._read, self._keys, self._now
        i = 0
        while True:
            if i < len(read) and (not heap or read[i] < heap[0]):
                key, i = read[i], i + 1
            elif heap:
                key = heapq.heappop(heap)
                read.insert(i, key)
                i += 1
            else:
                return
            if keys.get(key[3]) != key:
                del read[i - 1]  # an older key of a position closed in part since
                i -= 1
                continue
            yield now[key[3]], -key[0]


def _fails_again(holder: Holder, lots: int, price: int, failed: tuple[int, int]) -> bool:
    """Whether closing ``lots`` at ``price`` must fail, as closing ``failed`` (price,
    lots) did at a loss: the collateral left is linear in the price, falling as the
    price moves against the holder, and falls with each more lot closed at a loss
    (the cost basis removed per lot rounds to at most the entry's ceiling, which a
    losing price is past). So a worse or equal price and a larger or equal size
    leave less than the failed close did, which was below zero."""
    failed_price, failed_lots = failed
    return holder.side * (price - failed_price) <= 0 and lots >= failed_lots


def _profit(holder: Holder | None, mark: int, cv: int) -> int:
    """A position's part of the side's capacity U (its unrealized profit, if any)."""
    return 0 if holder is None else max(0, holder.unrealized(mark, cv))
