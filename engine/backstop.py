"""The backstop's book: the liquidated positions the liquidation engine holds.

A position passes here at its owner's bankruptcy price (SPEC §5.2), so its cost is
kept in money (Q·P_bk·cv = C·cv − s·margin, an integer) rather than in lot·ticks.
It stays until it is worked off, over as many steps as liquidity takes; meanwhile
its profit or loss against the take-over price is the insurance fund's, and a loss
beyond the bankruptcy price is its **deficit**.
"""

from __future__ import annotations

from fractions import Fraction

from engine.views import HeldSide


class Held:
    """One liquidated position the backstop holds, and how it has been closed so far."""

    __slots__ = (
        "id",
        "account",
        "side",
        "lots",
        "cost",
        "since",
        "taken",
        "book_qty",
        "band_qty",
        "adl_qty",
        "fund_in",
        "fund_out",
    )

    def __init__(self, held_id: int, account: str, side: int, lots: int, cost: int, since: int):
        self.id = held_id
        self.account = account  # whose position it was
        self.side = side
        self.lots = lots
        self.cost = cost  # money units
        self.since = since  # µs: taken over then
        self.taken = lots
        self.book_qty = 0  # closed on the book at the bankruptcy price or better
        self.band_qty = 0  # closed on the book beyond it, paid by the fund
        self.adl_qty = 0  # closed against opposite positions
        self.fund_in = 0  # surplus the fund received
        self.fund_out = 0  # losses the fund paid

    def unrealized(self, mark: int, cv: int) -> int:
        return self.side * (self.lots * mark * cv - self.cost)

    def deficit(self, mark: int, cv: int) -> int:
        """The loss beyond the bankruptcy price at ``mark``: what the fund would pay."""
        return max(0, -self.unrealized(mark, cv))

    def bankruptcy_tick(self, cv: int) -> int:
        """The take-over price rounded toward the fund: a counterparty never gets a
        better price than the bankruptcy price."""
        units = self.lots * cv
        return -(-self.cost // units) if self.side > 0 else self.cost // units

    def cost_of(self, lots: int) -> int:
        """The money cost ``lots`` of it carry, rounded in the fund's favour (a loss the
        fund was allowed is never exceeded by rounding); all of it for the last lots."""
        if lots == self.lots:
            return self.cost
        if self.side > 0:
            return self.cost * lots // self.lots
        return -(-self.cost * lots // self.lots)


class Backstop:
    def __init__(self) -> None:
        self.held: list[Held] = []  # in the order taken over
        self._next_id = 1
        self._lots = {1: 0, -1: 0}  # lots held on each side, counted as they move
        self._cost = {1: 0, -1: 0}  # their money cost: the fund's equity and page need it
        self._count = {1: 0, -1: 0}  # positions held on each side

    def take_over(self, account: str, side: int, lots: int, cost: int, time: int) -> Held:
        held = Held(self._next_id, account, side, lots, cost, time)
        self._next_id += 1
        self.held.append(held)
        self._lots[side] += lots
        self._cost[side] += cost
        self._count[side] += 1
        return held

    def release(self, held: Held, lots: int, price: int, cv: int) -> int:
        """Close ``lots`` of a held position at ``price`` (ticks); returns the realized PnL,
        the fund's, in money."""
        removed = held.cost_of(lots)
        held.lots -= lots
        held.cost -= removed
        self._lots[held.side] -= lots
        self._cost[held.side] -= removed
        return held.side * (lots * price * cv - removed)

    def closed(self) -> list[Held]:
        """Take out the positions fully worked off since the last call."""
        done = [held for held in self.held if not held.lots]
        if done:
            self.held = [held for held in self.held if held.lots]
            for held in done:
                self._count[held.side] -= 1
        return done

    def unrealized(self, mark: int, cv: int) -> int:
        """Σ the held positions' profit at ``mark``: with the fund's balance, its equity.
        From the running totals: a crash's frame would otherwise sum thousands."""
        lots, cost = self._lots, self._cost
        return (lots[1] - lots[-1]) * mark * cv - (cost[1] - cost[-1])

    def lots_on(self, side: int) -> int:
        return self._lots[side]

    def on(self, side: int) -> tuple[int, int, int]:
        """(positions, lots, money cost) held on ``side``, from the running totals: what
        the fund's page shows of the backstop without summing a crash's thousands."""
        return self._count[side], self._lots[side], self._cost[side]

    def sides(self, mark: int, cv: int) -> tuple[HeldSide, ...]:
        """What is held, a side a line (longs first), with its profit or loss at ``mark``."""
        return tuple(
            HeldSide(
                side, count, lots, cost, Fraction(cost, lots * cv), side * (lots * mark * cv - cost)
            )
            for side in (1, -1)
            for count, lots, cost in (self.on(side),)
            if lots
        )

    def counted(self, mark: int, cv: int) -> bool:
        """The running totals agree with the positions held (an invariant of the audit)."""
        return self.unrealized(mark, cv) == sum(h.unrealized(mark, cv) for h in self.held) and all(
            self.on(side)
            == (
                sum(1 for h in self.held if h.side == side),
                sum(h.lots for h in self.held if h.side == side),
                sum(h.cost for h in self.held if h.side == side),
            )
            for side in (1, -1)
        )
