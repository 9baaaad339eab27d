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
from engine.backstop import Backstop, Held
from engine.clawback import claw_back
from engine.counterfactual import AdlRecord, Counterfactual, split_by_every_policy
from engine.events import AdlExecuted, AutoDeleveraged, PositionChanged
from engine.fund import InsuranceFund
from engine.instrument import Instrument
from engine.ledger import SETTLEMENT
from engine.live_queue import LiveQueue, seen
from engine.order_entry import OrderEntry
from engine.policies import MarketSettings, TriggerPolicy
from engine.pricing import PriceState
from engine.slices import Slices, finish
from engine.tape import Tape
from engine.units import PPM

ADL_HISTORY = 200  # ADL events kept for their counterfactual


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
        self.written_off = 0  # clawback at severity θ < 1: the shortfall left as bad debt
        self._cv = instrument.contract_value

    # -- positions as ADL sees them ----------------------------------------------------

    def holder(self, account: Account) -> Holder:
        """An account's position as ADL sees it, now, with its maintenance margin at the
        mark: only Binance's score reads that, but carrying it under every ranking keeps
        what the queue holds independent of the ranking in force (the policy lab forks
        its runs where the rankings first part ways, ``engine/lab_fork.py``)."""
        lots = abs(account.lots)
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
        finish(self.refreshing_lights())

    def refreshing_lights(self) -> Slices[None]:
        """Rank both sides under the policy in force and light every position (SPEC §5.6),
        in slices (``engine/slices.py``)."""
        policy = self.settings.ranking
        holders = None  # the queue's own, kept as they change
        if policy is RankingPolicy.BINANCE:  # its margin ratio moves with the mark
            holders = {side: self.holders(side) for side in (1, -1)}
        yield
        yield from self.queue.publishing(
            policy, holders, self.prices.mark, self._cv, self.tape.time, self.settings.lights
        )

    def light(self, account_id: str) -> LightView | None:
        account = self.accounts.get(account_id)
        if account is None:
            return None
        return self.queue.light(account_id, account.side)

    # -- what the fund may not absorb ---------------------------------------------------

    def claw_back(self, held: Held) -> int:
        """``clawback``: the fund's shortfall below its floor, after the backstop worked
        ``held``, taken from the winners (θ of it: the rest is written off, for good)."""
        collected, written = claw_back(
            held, self.accounts, self.fund, self.prices, self.tape, self.settings, self.written_off
        )
        self.written_off += written
        return collected

    def cover(self, backstop: Backstop) -> None:
        finish(self.covering(backstop))

    def covering(self, backstop: Backstop) -> Slices[None]:
        """ADL what the fund may not absorb under its trigger policy (SPEC §5.3): the held
        positions' deficits at the mark, in the order taken over, draw on what the fund
        may still pay. One it cannot pay for is closed against the winners: at the
        bankruptcy price, just the fewest lots that cover the shortfall (the fund keeps
        the rest); at the mark, the whole position, the fund paying what it may of the
        loss and the price the rest (so it never goes below its floor)."""
        cv, mark = self._cv, self.prices.mark
        absorbed = 0  # the deficits of the held positions the fund keeps, so far
        live: dict[int, LiveQueue] = {}  # each side ranked once for this call's events
        for held in list(backstop.held):
            deficit = held.deficit(mark, cv)
            if not deficit:
                continue
            room = max(0, self.fund.allowance() - absorbed)
            if deficit > room:
                short = deficit - room
                lots = held.lots
                if self.settings.adl_price is AdlPrice.BANKRUPTCY:
                    lots = -(-short * held.lots // deficit)  # the fewest that cover it
                ranked = yield from self._ranked(live, -held.side)
                self._deleverage(
                    backstop, held, lots, self._reason(), short, room, deficit, ranked=ranked
                )
                deficit = held.deficit(mark, cv)
                yield
            absorbed += deficit

    def _ranked(self, live: dict[int, LiveQueue], side: int) -> Slices[LiveQueue | None]:
        """``side``'s live queue for the next event of this step, readied in slices of its
        own (scoring 100,000 positions, then heaping them, is work worth a pause)."""
        policy = self.settings.ranking
        if not adl.walks_by_score(policy):
            return None
        if side not in live:
            mark, cv = self.prices.mark, self._cv
            holders = self._holders_now(side)
            yield
            scored = self.queue.scored(policy, side, mark, cv)  # numpy, on a big side
            if scored is None:
                scored = yield from adl.scoring(policy, holders, mark, cv)
            live[side] = LiveQueue(policy, holders, mark, cv, scored)
        yield from live[side].preparing()
        return live[side]

    def cap_takeover(self, held: Held, backstop: Backstop) -> None:
        """``takeover_cap`` (Binance): the fund may hold at most ``takeover_share`` of its
        balance in notional on a side; the lots of ``held`` beyond that go to ADL at once."""
        if self.settings.trigger_policy is not TriggerPolicy.TAKEOVER_CAP or not held.lots:
            return
        cv = self._cv
        cap = max(0, self.fund.balance) * self.settings.takeover_share // PPM
        notional = sum(h.cost for h in backstop.held if h.side == held.side)
        if notional <= cap:
            return
        per_lot = held.cost // held.lots or 1
        lots = min(held.lots, -(-(notional - cap) // per_lot))
        deficit = held.deficit(self.prices.mark, cv)
        short = deficit * lots // held.lots
        self._deleverage(
            backstop, held, lots, "takeover_cap", short, 0, deficit, notional=notional, cap=cap
        )

    # -- ADL ---------------------------------------------------------------------------

    def _deleverage(
        self,
        backstop: Backstop,
        held: Held,
        lots: int,
        reason: str,
        short: int,
        room: int,
        held_deficit: int,
        notional: int = 0,
        cap: int = 0,
        ranked: LiveQueue | None = None,
    ) -> None:
        """Close ``lots`` of ``held`` against the opposite positions, ranked at this moment
        (SPEC §5.4): winners first, at the ADL price, no fee. ``ranked``: the side's
        queue kept across the events of one step (the policies that walk by score)."""
        cv, mark, tape = self._cv, self.prices.mark, self.tape
        side = -held.side  # the side that gives
        price = self._adl_price(held, lots, room, held_deficit)
        seed = self.random.randrange(1 << 30)
        policy = self.settings.ranking
        if ranked is not None:
            snapshot, capacity = ranked.snapshot(), ranked.capacity
            taken = ranked.take(lots, price)
        else:
            everyone = self._holders_now(side)
            snapshot = seen(everyone)
            values, capacity = adl.scores_and_capacity(policy, everyone, mark, cv)
            taken = adl.allocate(
                policy, everyone, lots, mark, cv, price, random.Random(seed), values
            )
        fund_before = self.fund.balance
        adl_id = self._next_adl_id
        self._next_adl_id += 1
        self.records.append(
            AdlRecord(
                adl_id, tape.time, held.account, held.side, lots, price, mark, short,
                policy.value, snapshot, seed, tuple((h, n) for h, n, _, _ in taken),
            )
        )  # fmt: skip
        given_up = paid_in = 0
        for holder, n, rank, value in taken:
            victim = self.accounts[holder.account]
            if self.orders.has_orders(victim):
                self.orders.cancel_all(victim, "auto-deleveraging")
            realized, _ = self.accounts.fill(victim, held.side, n, price, 0)
            released = backstop.release(held, n, price, cv)
            self.fund.flow(SETTLEMENT, released)
            paid_in += released
            forgone = held.side * n * (price - mark) * cv
            given_up += forgone
            held.adl_qty += n
            tape.emit(
                AutoDeleveraged(
                    tape.time, victim.id, held.account, adl_id, side, n, price, mark, rank,
                    value, forgone, policy.value,
                )
            )  # fmt: skip
            tape.emit(PositionChanged(tape.time, victim.id, victim.lots, victim.cost, realized))
        victims = [holder.account for holder, _, _, _ in taken]
        self.track(victims)  # the lights' queue, and the next ADL, see them now
        if ranked is not None:
            ranked.update([(h, self.queue.holder(h.account, side)) for h, _, _, _ in taken])
        tape.emit(
            AdlExecuted(
                tape.time, adl_id, held.account, held.side, lots, price, mark, short,
                len(taken), policy.value, held.id, reason, fund_before, room, held_deficit,
                notional, cap, capacity, min(short, capacity), given_up,
            )
        )  # fmt: skip
        if paid_in:
            self.fund.announce(paid_in, f"ADL of {held.account}'s position", held.id)

    def _reason(self) -> str:
        """Why the fund may not absorb a deficit: its trigger policy (past the take-over,
        Binance's cap leaves the fund's balance to rule, as ``fund_exhausted``)."""
        policy = self.settings.trigger_policy
        if policy is TriggerPolicy.TAKEOVER_CAP:
            return TriggerPolicy.FUND_EXHAUSTED.value
        return policy.value

    def _adl_price(self, held: Held, lots: int, room: int, held_deficit: int) -> int:
        """The price ``lots`` of ``held`` close at: never better for the winners than the
        mark (a surplus is the fund's alone). With a deficit: the bankruptcy price, or
        under ``adl_price = mark`` the mark as far as the fund may pay the difference,
        and beyond that the price where it runs out."""
        cv, mark = self._cv, self.prices.mark
        if not held.deficit(mark, cv):
            return mark
        if self.settings.adl_price is AdlPrice.BANKRUPTCY:
            return held.bankruptcy_tick(cv)
        kept = held_deficit * (held.lots - lots) // held.lots
        spare = max(0, room - kept)  # what the fund may still pay for these lots
        removed, units = held.cost_of(lots), lots * cv
        if held.side > 0:  # the winners buy: at the mark, or dearer
            return max(mark, -(-(removed - spare) // units))
        return min(mark, (removed + spare) // units)

    def _holders_now(self, side: int) -> list[Holder]:
        """One side's positions as they stand now: the queue keeps them, brought up to
        date with the accounts changed since the last scan (the backstop's fills in
        this step, say); the Binance score needs each one's maintenance margin at this
        mark, so it builds them all."""
        if self.settings.ranking is RankingPolicy.BINANCE:
            return self.holders(side)
        self.track(sorted(self.accounts.changed))
        return self.queue.tracked(side)

    # -- the counterfactual ------------------------------------------------------------

    def counterfactual(self, adl_id: int) -> Counterfactual | None:
        """The same deficit split by every policy (SPEC §6), for a recent ADL event."""
        record = next((r for r in self.records if r.adl_id == adl_id), None)
        return None if record is None else split_by_every_policy(record, self.instrument)
