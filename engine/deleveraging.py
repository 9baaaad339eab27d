"""Deleveraging (SPEC §5.3–7): the last resort after the insurance fund.

What the backstop could not close goes to ADL: it is matched against opposite
positions in the ranking policy's order, at the ADL price, or (``clawback``) the
fund's deficit is taken from every winner's profit. This part also publishes the
ranking as lights and keeps the recent ADL events for their counterfactual.
``engine/adl.py`` holds the policy math; this is where it meets live accounts.
"""

from __future__ import annotations

import random
from collections import deque

from engine import adl, margin
from engine.accounts import Account, Accounts
from engine.adl import AdlPrice, Holder, RankingPolicy
from engine.adl_queue import AdlQueue, LightView
from engine.backstop import Backstop
from engine.clawback import claw_back
from engine.counterfactual import AdlRecord, Counterfactual, split_by_every_policy
from engine.events import AdlExecuted, AutoDeleveraged, PositionChanged
from engine.fund import InsuranceFund
from engine.instrument import Instrument
from engine.ledger import SETTLEMENT
from engine.order_entry import OrderEntry
from engine.policies import MarketSettings
from engine.pricing import PriceState
from engine.tape import Tape

ADL_HISTORY = 200  # ADL events kept for their counterfactual

Taken = tuple[Holder, int, int, float]  # (position now, lots, rank, score)


class Deleveraging:
    def __init__(
        self,
        instrument: Instrument,
        settings: MarketSettings,
        accounts: Accounts,
        orders: OrderEntry,
        fund: InsuranceFund,
        prices: PriceState,
        tape: Tape,
        seed: int,
        lights_every: int,
    ) -> None:
        self.instrument = instrument
        self.settings = settings
        self.accounts = accounts
        self.orders = orders
        self.fund = fund
        self.prices = prices
        self.tape = tape
        self.random = random.Random(seed)
        self.queue = AdlQueue(lights_every, tape.time)
        self.records: deque[AdlRecord] = deque(maxlen=ADL_HISTORY)
        self._next_adl_id = 1
        self._cv = instrument.contract_value

    # -- positions as ADL sees them ----------------------------------------------------

    def holder(self, account: Account) -> Holder:
        """An account's position as ADL sees it, now."""
        lots = abs(account.lots)
        maintenance = 0
        if self.settings.ranking is RankingPolicy.BINANCE:
            notional = lots * self.prices.mark * self._cv
            maintenance = margin.maintenance_margin(self.instrument, notional)[1]
        return Holder(
            account.id,
            account.side,
            lots,
            account.cost,
            self.accounts.collateral(account),
            maintenance,
            account.opened_at,
        )

    def holders(self, side: int) -> list[Holder]:
        """Every open position on ``side``, as of now."""
        return [self.holder(a) for a in self.accounts.positions.values() if a.side == side]

    def track(self, changed: list[str]) -> None:
        """Accounts changed: the queue keeps their positions as they are now."""
        for account_id in changed:
            account = self.accounts.get(account_id)
            held = account is not None and account.lots
            self.queue.track(account_id, self.holder(account) if held else None)

    # -- lights ------------------------------------------------------------------------

    def refresh_lights(self) -> None:
        """Rank both sides under the policy in force and light every position (SPEC §5.6).

        The queues are kept: the next ADL event walks them."""
        policy = self.settings.ranking
        needs_mark = policy is RankingPolicy.BINANCE  # its margin ratio moves with the mark
        holders = {
            side: self.holders(side) if needs_mark else self.queue.tracked(side) for side in (1, -1)
        }
        self.queue.publish(policy, holders, self.prices.mark, self._cv, self.tape.time)

    def light(self, account_id: str) -> LightView | None:
        account = self.accounts.get(account_id)
        if account is None:
            return None
        return self.queue.light(account_id, account.side)

    # -- ADL ---------------------------------------------------------------------------

    def claw_back(self, liquidated: str) -> int:
        return claw_back(liquidated, self.accounts, self.fund, self.prices, self.tape)

    def auto_deleverage(self, liquidated: str, backstop: Backstop) -> None:
        """Close what the backstop holds against opposite positions in ranking order."""
        cv, mark, tape = self._cv, self.prices.mark, self.tape
        bankrupt_side, rest = backstop.side, backstop.lots
        at_mark = self.settings.adl_price is AdlPrice.MARK
        price = mark if at_mark else backstop.bankruptcy_tick(cv)
        deficit = max(0, -backstop.unrealized(mark, cv))
        seed = self.random.randrange(1 << 30)
        policy = self.settings.ranking
        if adl.walks_queue(policy):
            taken, seen = self._walk_queue(-bankrupt_side, rest, price, random.Random(seed))
        else:  # pro-rata and water-filling weigh the whole side at once
            seen = self.holders(-bankrupt_side)
            taken = adl.allocate(policy, seen, rest, mark, cv, price, random.Random(seed))
        adl_id = self._next_adl_id
        self._next_adl_id += 1
        self.records.append(
            AdlRecord(
                adl_id,
                tape.time,
                liquidated,
                bankrupt_side,
                rest,
                price,
                mark,
                deficit,
                policy.value,
                tuple(seen),
                seed,
                tuple((holder, lots) for holder, lots, _, _ in taken),
            )
        )
        for holder, lots, rank, value in taken:
            victim = self.accounts[holder.account]
            if self.orders.has_orders(victim):
                self.orders.cancel_all(victim, "auto-deleveraging")
            realized, _ = self.accounts.fill(victim, bankrupt_side, lots, price, 0)
            self.fund.flow(SETTLEMENT, backstop.release(lots, price, cv))
            forgone = bankrupt_side * lots * (price - mark) * cv
            tape.emit(
                AutoDeleveraged(
                    tape.time,
                    victim.id,
                    liquidated,
                    adl_id,
                    -bankrupt_side,
                    lots,
                    price,
                    mark,
                    rank,
                    value,
                    forgone,
                    policy.value,
                )
            )
            tape.emit(PositionChanged(tape.time, victim.id, victim.lots, victim.cost, realized))
        tape.emit(
            AdlExecuted(
                tape.time,
                adl_id,
                liquidated,
                bankrupt_side,
                rest,
                price,
                mark,
                deficit,
                len(taken),
                policy.value,
            )
        )

    def _walk_queue(
        self, side: int, rest: int, price: int, rng: random.Random
    ) -> tuple[list[Taken], list[Holder]]:
        """Walk the queue the last lights refresh published (SPEC §5: ranks and lights
        come after ADL in a step, so an ADL event uses the ranking users were shown).

        Each entry is checked against the account as it is now; positions opened since
        the refresh are ranked on the spot, after the published ones, only if the queue
        runs out. Returns what was taken as (holder now, lots, rank, published score),
        and the holders the event saw, for its counterfactual.
        """
        policy, mark = self.settings.ranking, self.prices.mark
        published = self.queue.published(side)
        if policy is RankingPolicy.RANDOM and published:
            start = rng.randrange(len(published))
            published = published[start:] + published[:start]
        taken: list[Taken] = []
        deferred: list[tuple[Holder, int, float]] = []
        rest = self._take_from(published, 1, side, rest, price, taken, deferred)
        seen = [h for h, _ in published]
        if rest > 0:
            queued = {h.account for h in seen}
            newcomers = [h for h in self.holders(side) if h.account not in queued]
            late = adl.queue(policy, newcomers, mark, self._cv)
            rest = self._take_from(late, len(published) + 1, side, rest, price, taken, deferred)
            seen += newcomers
        for holder, rank, value in deferred:  # random: those it would bankrupt, last
            if rest <= 0:
                break
            lots = min(rest, holder.lots)
            taken.append((holder, lots, rank, value))
            rest -= lots
        return taken, seen

    def _take_from(self, ordered, first_rank, side, rest, price, taken, deferred) -> int:
        """Take lots from queue entries in order, as the accounts stand now; returns the rest."""
        mark, cv = self.prices.mark, self._cv
        skip_bankrupt = self.settings.ranking is RankingPolicy.RANDOM
        for rank, (snapshot, value) in enumerate(ordered, start=first_rank):
            if rest <= 0:
                break
            account = self.accounts.get(snapshot.account)
            if account is None or account.side != side:
                continue  # closed or flipped since the queue was published
            holder = self.holder(account)
            lots = min(rest, holder.lots)
            if skip_bankrupt and not adl.survives(holder, lots, mark, price, cv):
                deferred.append((holder, rank, value))  # dYdX skips who would go bankrupt
                continue
            taken.append((holder, lots, rank, value))
            rest -= lots
        return rest

    # -- the counterfactual ------------------------------------------------------------

    def counterfactual(self, adl_id: int) -> Counterfactual | None:
        """The same deficit split by every policy (SPEC §6), for a recent ADL event."""
        record = next((r for r in self.records if r.adl_id == adl_id), None)
        return None if record is None else split_by_every_policy(record, self._cv)
