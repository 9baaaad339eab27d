"""The loss waterfall (SPEC §5): liquidation → insurance fund → ADL or socialized loss.

Mixed into ``Exchange``: it works on the exchange's accounts, book and ledger, and
runs inside ``advance`` after triggers. Per liquidated position:

1. cancel the owner's orders; settle the owner at the bankruptcy price (the whole
   collateral is lost, never more); the liquidator takes the position over;
2. IOC on the book at the bankruptcy price: any better fill is surplus for the fund;
3. the fund takes the rest to the book beyond bankruptcy, within a price band, for
   as long as the trigger policy lets it pay;
4. what is left is closed against opposite positions in ranking order (ADL), or the
   fund's deficit is clawed back from every winner (socialized loss).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from engine import adl, margin
from engine.adl import AdlPrice, Holder, RankingPolicy
from engine.events import (
    AdlExecuted,
    AutoDeleveraged,
    InsuranceFundChanged,
    Liquidation,
    LiquidationSettled,
    MarginWarning,
    PositionChanged,
    SocializedLoss,
    SocializedLossCharged,
    Trade,
)
from engine.ledger import INSURANCE_FUND, SETTLEMENT
from engine.units import PPM

LIQUIDATOR = "liquidation-engine"
WARN_RATIO = 800_000  # ppm: margin ratio from which a position is warned
MAX_CASCADE_ROUNDS = 50


class LossPolicy(StrEnum):
    ADL = "adl"
    CLAWBACK = "clawback"


@dataclass(frozen=True, slots=True)
class AdlRecord:
    """What one ADL event saw: enough to split the same deficit by every other policy."""

    adl_id: int
    time: int
    liquidated: str
    side: int
    rest: int
    price: int
    mark: int
    deficit: int
    policy: str
    holders: tuple[Holder, ...]  # the queue it saw
    seed: int
    taken: tuple[tuple[Holder, int], ...] = ()  # what it closed: (position just before, lots)


@dataclass(frozen=True, slots=True)
class PolicySplit:
    policy: str
    haircuts: tuple[tuple[str, int], ...]  # (account, money given up), largest first
    touched: int
    top_share: int  # ppm of the deficit (of the lots, when there is no deficit) on the top one
    top10_share: int
    sizes: tuple[tuple[str, int], ...] = ()  # (account, lots it would close), largest first


@dataclass(frozen=True, slots=True)
class Counterfactual:
    adl_id: int
    deficit: int
    actual: str
    splits: tuple[PolicySplit, ...]


@dataclass(frozen=True, slots=True)
class LightView:
    """A position's place in its side's ADL queue, and what its lights mean."""

    rank: int
    lights: int
    score: float
    share: int  # ppm: size ranked ahead of it plus its own, over the side's total


class Waterfall:
    """Liquidation scan, the liquidator, the fund's limits, ADL, clawback, lights."""

    ADL_HISTORY = 200

    def _init_waterfall(self) -> None:
        self._dirty: set[str] = set()
        self._warned: set[str] = set()
        self._last_warn_mark = 0
        self._next_lights = self.time
        self.lights: dict[str, tuple[int, int, float, int]] = {}  # (rank, lights, score, Σlots)
        self._queues: dict[int, list[tuple[Holder, float]]] = {1: [], -1: []}
        self._side_lots = {1: 0, -1: 0}  # each queue's total size, for the shares
        self._holders: dict[int, dict[str, Holder]] = {1: {}, -1: {}}  # by side, as last changed
        self.adl_records: deque[AdlRecord] = deque(maxlen=self.ADL_HISTORY)
        self._next_adl_id = 1

    # == the index ====================================================================

    def _reindex(self) -> None:
        """Recompute the trigger ticks of accounts that changed since the last scan."""
        if not self._dirty:
            return
        index, instrument = self.liq_index, self.instrument
        for account_id in sorted(self._dirty):
            account = self.accounts.get(account_id)
            for side_holders in self._holders.values():
                side_holders.pop(account_id, None)
            if account is None or not account.lots:
                index.remove(account_id)
                self._warned.discard(account_id)
                continue
            holder = self._holders[account.side][account_id] = self._holder(account)
            side, lots, cost, collateral = holder.side, holder.lots, holder.cost, holder.collateral
            liq, _ = margin.price_at_ratio(instrument, side, lots, cost, collateral)
            warn, _ = margin.price_at_ratio(instrument, side, lots, cost, collateral, WARN_RATIO)
            index.put(
                account_id, side, margin.trigger_tick(side, liq), margin.trigger_tick(side, warn)
            )
            self._check_warning(account_id, side, index.entry(account_id)[2])
        self._dirty.clear()

    def _check_warning(self, account_id: str, side: int, warn_tick: int) -> None:
        mark = self.prices.mark
        inside = mark < warn_tick if side > 0 else mark > warn_tick
        if inside and account_id not in self._warned:
            self._warned.add(account_id)
            account = self.accounts[account_id]
            ratio = self.assess(account).ratio
            self._emit(MarginWarning(self.time, account_id, ratio))
        elif not inside:
            self._warned.discard(account_id)

    def _warn_on_price_move(self) -> None:
        mark = self.prices.mark
        if mark != self._last_warn_mark:
            for account_id in self.liq_index.warning_crossed(self._last_warn_mark, mark):
                side, _, warn_tick = self.liq_index.entry(account_id)
                self._check_warning(account_id, side, warn_tick)
            self._last_warn_mark = mark

    # == the scan =====================================================================

    def _run_waterfall(self) -> None:
        """Liquidate every position the mark has crossed, cascades included."""
        self._reindex()
        for _ in range(MAX_CASCADE_ROUNDS):
            victims = self.liq_index.triggered(self.prices.mark)
            if not victims:
                break
            for account_id in victims:
                self._liquidate(self.accounts[account_id])
            self._reindex()
        self._warn_on_price_move()
        self.fund_watch.observe(self.time, self.ledger.balances[INSURANCE_FUND])
        if self.time >= self._next_lights:
            self.refresh_lights()

    def _liquidate(self, account) -> None:
        if not account.lots:
            return
        picture = self.assess(account)
        if picture.equity >= picture.maintenance:  # changed since indexed (e.g. ADL'd)
            self._dirty.add(account.id)
            return
        self.cancel_all(account.id, "liquidation")
        side, held = account.side, abs(account.lots)
        lots = self._liquidation_size(held, picture.tier)
        entry = self.liq_index.entry(account.id)
        # 1. the owner is settled at the bankruptcy price: the collateral (or, in a stepwise
        # cut, its share) is lost, never more; the liquidator takes the position over
        whole = self.ledger.balances[account.margin_key]
        collateral = whole if lots == held else whole * lots // held
        cost = account.cost if lots == held else account.cost * lots // held
        self.ledger.transfer(account.margin_key, SETTLEMENT, collateral)
        account.lots -= side * lots
        account.cost -= cost
        if not account.lots:
            self.positions.pop(account.id, None)
            self._release_isolated(account)
        self._dirty.add(account.id)
        cv = self._cv
        self.liquidator.take_over(side, lots, cost * cv - side * collateral)
        bankruptcy = self.liquidator.bankruptcy_tick(cv)
        self._emit(
            Liquidation(
                self.time,
                account.id,
                side,
                lots,
                self.prices.mark,
                entry[1] if entry else 0,
                bankruptcy,
                picture.equity,
                picture.maintenance,
                collateral,
            )
        )
        self._emit(PositionChanged(self.time, account.id, account.lots, account.cost, -collateral))
        fund_before = self.ledger.balances[INSURANCE_FUND]
        # 2. IOC at the bankruptcy price
        book_in, book_qty = self._liquidator_take(-side, lots, bankruptcy)
        # 3. the fund takes the rest to the book beyond bankruptcy, within the band
        fund_qty = fund_out = 0
        if self.liquidator.lots:
            fund_out, fund_qty = self._fund_takes_rest(bankruptcy)
        # 4. ADL, or clawback of the fund's deficit
        clawback = 0
        if self.config.loss_policy is LossPolicy.CLAWBACK:
            clawback = self._clawback(account.id)
        adl_qty = self.liquidator.lots
        if adl_qty:
            self._auto_deleverage(account.id)
        delta = self.ledger.balances[INSURANCE_FUND] - fund_before
        if delta:
            self._emit(
                InsuranceFundChanged(
                    self.time,
                    self.ledger.balances[INSURANCE_FUND],
                    delta,
                    f"liquidation of {account.id}",
                )
            )
        self._emit(
            LiquidationSettled(
                self.time,
                account.id,
                side,
                lots,
                book_qty,
                fund_qty,
                adl_qty,
                book_in,
                fund_out,
                clawback,
            )
        )

    def _liquidation_size(self, held: int, tier) -> int:
        """Lots to liquidate now: all of them, or with stepwise liquidation (SPEC §5.2) just
        enough to bring a position above the first tier under its tier's floor; the rest
        is checked again, at the lower tier's rate."""
        if not self.config.stepwise_liquidation or tier.number == 1:
            return held
        keep = tier.floor // (self.prices.mark * self._cv)
        while keep and self.instrument.notional(keep, self.prices.mark) >= tier.floor:
            keep -= 1
        return max(1, held - keep)

    def _liquidator_take(self, side: int, qty: int, limit: int) -> tuple[int, int]:
        """Match the liquidator's order; its PnL settles with the fund. Returns (Σ realized,
        lots filled)."""
        fills, _, _ = self.book.match(side, qty, limit, None)
        realized_total = filled = 0
        cv, rate = self._cv, self.instrument.maker_fee
        for maker_order, lots, price in fills:
            maker = self.accounts[maker_order.account]
            self._maker_filled(maker, maker_order, lots)
            fee = -(-lots * price * cv * rate // PPM)
            maker_realized, maker_fee = self._fill(maker, -side, lots, price, fee)
            self._dirty.add(maker.id)
            realized = self.liquidator.release(lots, price, cv)
            self._fund_flow(SETTLEMENT, realized)
            realized_total += realized
            filled += lots
            self._emit(
                Trade(
                    self.time,
                    LIQUIDATOR,
                    maker.id,
                    0,
                    maker_order.id,
                    side,
                    lots,
                    price,
                    0,
                    maker_fee,
                )
            )
            self._emit(PositionChanged(self.time, maker.id, maker.lots, maker.cost, maker_realized))
            if maker.reduce_only_ids:
                self._trim_reduce_only(maker)
        if fills:
            self.prices.last = fills[-1][2]
        return realized_total, filled

    def _fund_takes_rest(self, bankruptcy: int) -> tuple[int, int]:
        """Aggress beyond bankruptcy within the band while the fund may pay the loss.
        Returns (what the fund paid, lots closed)."""
        side = -self.liquidator.side  # the liquidator's order side
        band = bankruptcy * self.config.liquidation_band // PPM
        limit = bankruptcy - band if side < 0 else bankruptcy + band
        if self.config.loss_policy is LossPolicy.CLAWBACK:
            allowance = None  # the deficit will be clawed back from the winners
        else:
            allowance = self.fund_watch.allowance(self.time, self.ledger.balances[INSURANCE_FUND])
        lots = self._affordable_lots(side, limit, allowance)
        if not lots:
            return 0, 0
        realized, filled = self._liquidator_take(side, lots, limit)
        return max(0, -realized), filled

    def _affordable_lots(self, side: int, limit: int, allowance: int | None) -> int:
        """How many lots the fund can close within ``limit`` before its loss would pass
        ``allowance`` (walking the book as the match will)."""
        liquidator, cv = self.liquidator, self._cv
        wanted, lots, cost, loss = liquidator.lots, liquidator.lots, liquidator.cost, 0
        taken = 0
        for price, available in self.book.walk(side):
            if (price < limit) if side < 0 else (price > limit):
                break
            take = min(available, wanted - taken)
            if allowance is not None:
                # loss of closing k more lots at this price: −s·(k·p·cv − k·cost/lots)
                per_lot = -liquidator.side * (price * cv * lots - cost)  # × 1/lots
                if per_lot > 0:
                    room = (allowance - loss) * lots // per_lot
                    take = min(take, max(0, room))
                    loss += -(-take * per_lot // lots)
            taken += take
            if taken >= wanted or (allowance is not None and take < available):
                break
        return taken

    # == ADL ==========================================================================

    def _holder(self, account) -> Holder:
        """An account's position as ADL sees it, now."""
        lots = abs(account.lots)
        maintenance = 0
        if self.config.ranking is RankingPolicy.BINANCE:
            notional = lots * self.prices.mark * self._cv
            maintenance = margin.maintenance_margin(self.instrument, notional)[1]
        return Holder(
            account.id,
            account.side,
            lots,
            account.cost,
            self.ledger.balances[account.margin_key],
            maintenance,
            account.opened_at,
        )

    def holders(self, side: int) -> list[Holder]:
        """Every open position on ``side``, as of now."""
        return [self._holder(a) for a in self.positions.values() if a.side == side]

    def _auto_deleverage(self, liquidated: str) -> None:
        liquidator, cv, mark = self.liquidator, self._cv, self.prices.mark
        bankrupt_side, rest = liquidator.side, liquidator.lots
        at_mark = self.config.adl_price is AdlPrice.MARK
        price = mark if at_mark else liquidator.bankruptcy_tick(cv)
        deficit = max(0, -liquidator.unrealized(mark, cv))
        seed = self.random.randrange(1 << 30)
        policy = self.config.ranking
        if adl.walks_queue(policy):
            taken, seen = self._walk_queue(-bankrupt_side, rest, price, random.Random(seed))
        else:  # pro-rata and water-filling weigh the whole side at once
            seen = self.holders(-bankrupt_side)
            taken = adl.allocate(policy, seen, rest, mark, cv, price, random.Random(seed))
        adl_id = self._next_adl_id
        self._next_adl_id += 1
        self.adl_records.append(
            AdlRecord(
                adl_id,
                self.time,
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
            if victim.order_ids or any(t.account == victim.id for t in self.triggers.values()):
                self.cancel_all(victim.id, "auto-deleveraging")
            realized, _ = self._fill(victim, bankrupt_side, lots, price, 0)
            self._dirty.add(victim.id)
            released = liquidator.release(lots, price, cv)
            self._settle_with_fund(released)
            forgone = bankrupt_side * lots * (price - mark) * cv
            self._emit(
                AutoDeleveraged(
                    self.time,
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
            self._emit(PositionChanged(self.time, victim.id, victim.lots, victim.cost, realized))
        self._emit(
            AdlExecuted(
                self.time,
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
    ) -> tuple[list[tuple[Holder, int, int, float]], list[Holder]]:
        """Walk the queue the last lights refresh published (SPEC §5: ranks and lights
        come after ADL in a step, so an ADL event uses the ranking users were shown).

        Each entry is checked against the account as it is now; positions opened since
        the refresh are ranked on the spot, after the published ones, only if the queue
        runs out. Returns what was taken as (holder now, lots, rank, published score),
        and the holders the event saw, for its counterfactual.
        """
        policy, mark = self.config.ranking, self.prices.mark
        published = self._queues[side]
        if policy is RankingPolicy.RANDOM and published:
            start = rng.randrange(len(published))
            published = published[start:] + published[:start]
        taken: list[tuple[Holder, int, int, float]] = []
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
        mark, cv, skip_bankrupt = (
            self.prices.mark,
            self._cv,
            self.config.ranking is (RankingPolicy.RANDOM),
        )
        for rank, (snapshot, value) in enumerate(ordered, start=first_rank):
            if rest <= 0:
                break
            account = self.accounts.get(snapshot.account)
            if account is None or account.side != side:
                continue  # closed or flipped since the queue was published
            holder = self._holder(account)
            lots = min(rest, holder.lots)
            if skip_bankrupt and not adl.survives(holder, lots, mark, price, cv):
                deferred.append((holder, rank, value))  # dYdX skips who would go bankrupt
                continue
            taken.append((holder, lots, rank, value))
            rest -= lots
        return rest

    def _settle_with_fund(self, realized: int) -> None:
        self._fund_flow(SETTLEMENT, realized)

    # == socialized loss ===============================================================

    def _clawback(self, liquidated: str) -> int:
        """Take the fund's deficit below its floor from every winner's profit, at one rate."""
        balance = self.ledger.balances[INSURANCE_FUND]
        floor = self.fund_watch.floor(self.time, balance)
        deficit = floor - balance
        if deficit <= 0:
            return 0
        mark, cv = self.prices.mark, self._cv
        winners = [
            (
                account,
                margin.unrealized_pnl(account.side, abs(account.lots), account.cost, mark, cv),
            )
            for account in self.positions.values()
        ]
        winners = [(a, profit) for a, profit in winners if profit > 0]
        total_profit = sum(p for _, p in winners)
        if not total_profit:
            return 0
        wanted = min(deficit, total_profit)
        amounts = adl.split_exact(wanted, [p for _, p in winners])
        collected = 0
        for (account, _), amount in zip(winners, amounts, strict=True):
            if not amount:
                continue
            paid = min(amount, max(0, self.ledger.balances[account.margin_key]))
            self._fund_flow(account.margin_key, paid)
            collected += paid
            self._dirty.add(account.id)
            self._emit(SocializedLossCharged(self.time, account.id, paid))
        self._emit(
            SocializedLoss(
                self.time,
                liquidated,
                deficit,
                collected,
                wanted * PPM // total_profit,
                sum(1 for a in amounts if a),
            )
        )
        return collected

    # == lights and the counterfactual =================================================

    def refresh_lights(self) -> None:
        """Rank both sides under the policy in force and light every position (SPEC §5.6).

        The queues are kept: the next ADL event walks them.
        """
        self._reindex()
        policy, mark, cv = self.config.ranking, self.prices.mark, self._cv
        needs_mark = policy is RankingPolicy.BINANCE  # its margin ratio moves with the mark
        lights: dict[str, tuple[int, int, float, int]] = {}
        for side in (1, -1):
            holders = self.holders(side) if needs_mark else list(self._holders[side].values())
            ordered = self._queues[side] = adl.queue(policy, holders, mark, cv)
            self._side_lots[side] = sum(h.lots for h in holders)
            lights.update(adl.lights(policy, ordered))
        self.lights = lights
        self._next_lights = self.time + self.config.lights_every

    def light(self, account_id: str) -> LightView | None:
        """A position's place in its side's last published ADL queue."""
        entry = self.lights.get(account_id)
        account = self.accounts.get(account_id)
        if entry is None or account is None or not account.side:
            return None
        rank, lit, value, cumulative = entry
        total = self._side_lots[account.side] or 1
        return LightView(rank, lit, value, cumulative * PPM // total)

    def counterfactual(self, adl_id: int) -> Counterfactual | None:
        """The same deficit split by every policy (SPEC §6), for a recent ADL event.

        The policy in force shows exactly what it did; the others are ranked over the
        queue the event saw, at the event's mark (positions it did not touch as of the
        last lights refresh, at most ``lights_every`` old)."""
        record = next((r for r in self.adl_records if r.adl_id == adl_id), None)
        if record is None:
            return None
        splits = []
        before = {holder.account: holder for holder, _ in record.taken}  # as they stood
        holders = [before.get(h.account, h) for h in record.holders]
        for policy in adl.COUNTERFACTUAL_POLICIES:
            if str(policy) == record.policy:  # what happened, not a re-ranking of it
                sizes = {holder.account: lots for holder, lots in record.taken}
                amounts = adl.split_exact(record.deficit, list(sizes.values()))
                haircuts = {a: m for a, m in zip(sizes, amounts, strict=True) if m}
            else:
                haircuts, sizes = adl.split_deficit(
                    str(policy),
                    holders,
                    record.rest,
                    record.deficit,
                    record.mark,
                    self._cv,
                    record.price,
                    record.seed,
                )
            touched, top, top10 = adl.concentration(haircuts, record.deficit)
            if not record.deficit:  # no money to split: count who would close what
                touched, top, top10 = adl.concentration(sizes, record.rest)
            splits.append(
                PolicySplit(
                    str(policy),
                    _largest_first(haircuts),
                    touched,
                    top,
                    top10,
                    _largest_first(sizes),
                )
            )
        return Counterfactual(adl_id, record.deficit, record.policy, tuple(splits))


def _largest_first(amounts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(amounts.items(), key=lambda kv: (-kv[1], kv[0])))
