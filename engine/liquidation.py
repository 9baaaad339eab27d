"""The liquidation engine (SPEC §5.1–2): the trigger scan, margin warnings, and the
liquidation of one account through the backstop.

Per liquidated position:

1. cancel the owner's orders; settle the owner at the bankruptcy price (the whole
   collateral is lost, never more); the backstop takes the position over;
2. it sends an IOC at the bankruptcy price: any better fill is surplus for the fund;
3. the fund takes the rest to the book beyond bankruptcy, within a price band, for
   as long as the trigger policy lets it pay;
4. what is left goes to deleveraging: ADL, or the fund's deficit clawed back.
"""

from __future__ import annotations

from engine import margin
from engine.accounts import Account, Accounts
from engine.backstop import Backstop
from engine.deleveraging import Deleveraging
from engine.events import Liquidation, LiquidationSettled, MarginWarning, PositionChanged
from engine.fund import InsuranceFund
from engine.instrument import Instrument, Tier
from engine.ledger import SETTLEMENT
from engine.liquidation_index import LiquidationIndex
from engine.matching import Matching
from engine.order_entry import OrderEntry
from engine.policies import LossPolicy, MarketSettings
from engine.pricing import PriceState
from engine.tape import Tape
from engine.units import PPM

LIQUIDATOR = "liquidation-engine"  # the taker the backstop's trades name
WARN_RATIO = 800_000  # ppm: margin ratio from which a position is warned
MAX_CASCADE_ROUNDS = 50


class BackstopOrder:
    """The backstop as an aggressor: each fill releases inventory, and the realized
    PnL against the take-over price is the fund's. No taker fee."""

    __slots__ = ("backstop", "fund", "cv", "name", "order_id", "account", "realized")

    def __init__(self, backstop: Backstop, fund: InsuranceFund, cv: int) -> None:
        self.backstop, self.fund, self.cv = backstop, fund, cv
        self.name, self.order_id, self.account = LIQUIDATOR, 0, None
        self.realized = 0

    def settle(self, side: int, lots: int, price: int) -> int:
        realized = self.backstop.release(lots, price, self.cv)
        self.fund.flow(SETTLEMENT, realized)
        self.realized += realized
        return 0


class LiquidationEngine:
    def __init__(
        self,
        instrument: Instrument,
        settings: MarketSettings,
        accounts: Accounts,
        matching: Matching,
        orders: OrderEntry,
        fund: InsuranceFund,
        deleveraging: Deleveraging,
        prices: PriceState,
        tape: Tape,
    ) -> None:
        self.instrument = instrument
        self.settings = settings
        self.accounts = accounts
        self.matching = matching
        self.orders = orders
        self.fund = fund
        self.deleveraging = deleveraging
        self.prices = prices
        self.tape = tape
        self.index = LiquidationIndex()
        self.backstop = Backstop()
        self._cv = instrument.contract_value
        self._warned: set[str] = set()
        self._last_warn_mark = 0

    # -- the index ---------------------------------------------------------------------

    def reindex(self) -> None:
        """Recompute the trigger ticks of accounts that changed since the last scan (and
        tell deleveraging, whose queue keeps them too)."""
        changed = self.accounts.take_changed()
        if not changed:
            return
        self.deleveraging.track(changed)
        index, instrument = self.index, self.instrument
        for account_id in changed:
            account = self.accounts.get(account_id)
            if account is None or not account.lots:
                index.remove(account_id)
                self._warned.discard(account_id)
                continue
            side, lots, cost = account.side, abs(account.lots), account.cost
            collateral = self.accounts.collateral(account)
            liq, _ = margin.price_at_ratio(instrument, side, lots, cost, collateral)
            warn, _ = margin.price_at_ratio(instrument, side, lots, cost, collateral, WARN_RATIO)
            index.put(
                account_id, side, margin.trigger_tick(side, liq), margin.trigger_tick(side, warn)
            )
            self._check_warning(account_id, side, index.entry(account_id)[2])

    def _check_warning(self, account_id: str, side: int, warn_tick: int) -> None:
        mark = self.prices.mark
        inside = mark < warn_tick if side > 0 else mark > warn_tick
        if inside and account_id not in self._warned:
            self._warned.add(account_id)
            ratio = self.accounts.assess(self.accounts[account_id]).ratio
            self.tape.emit(MarginWarning(self.tape.time, account_id, ratio))
        elif not inside:
            self._warned.discard(account_id)

    def _warn_on_price_move(self) -> None:
        mark = self.prices.mark
        if mark != self._last_warn_mark:
            for account_id in self.index.warning_crossed(self._last_warn_mark, mark):
                side, _, warn_tick = self.index.entry(account_id)
                self._check_warning(account_id, side, warn_tick)
            self._last_warn_mark = mark

    # -- the scan ----------------------------------------------------------------------

    def scan(self) -> None:
        """Liquidate every position the mark has crossed, cascades included."""
        self.reindex()
        for _ in range(MAX_CASCADE_ROUNDS):
            victims = self.index.triggered(self.prices.mark)
            if not victims:
                break
            for account_id in victims:
                self.liquidate(self.accounts[account_id])
            self.reindex()
        self._warn_on_price_move()
        self.fund.record()

    def liquidate(self, account: Account) -> None:
        if not account.lots:
            return
        picture = self.accounts.assess(account)
        if picture.equity >= picture.maintenance:  # changed since indexed (e.g. ADL'd)
            self.accounts.touch(account)
            return
        tape, fund, backstop = self.tape, self.fund, self.backstop
        self.orders.cancel_all(account, "liquidation")
        side = account.side
        lots = self._liquidation_size(abs(account.lots), picture.tier)
        entry = self.index.entry(account.id)
        # 1. the owner is settled at the bankruptcy price: the collateral (or, in a stepwise
        # cut, its share) is lost, never more; the backstop takes the position over
        collateral, cost = self.accounts.surrender(account, lots)
        backstop.take_over(side, lots, cost * self._cv - side * collateral)
        bankruptcy = backstop.bankruptcy_tick(self._cv)
        tape.emit(
            Liquidation(
                tape.time,
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
        tape.emit(PositionChanged(tape.time, account.id, account.lots, account.cost, -collateral))
        fund_before = fund.balance
        # 2. IOC at the bankruptcy price
        book_in, book_qty = self._offload(bankruptcy, backstop.lots)
        # 3. the fund takes the rest to the book beyond bankruptcy, within the band
        fund_qty = fund_out = 0
        if backstop.lots:
            fund_out, fund_qty = self._fund_takes_rest(bankruptcy)
        # 4. ADL, or clawback of the fund's deficit
        clawback = 0
        if self.settings.loss_policy is LossPolicy.CLAWBACK:
            clawback = self.deleveraging.claw_back(account.id)
        adl_qty = backstop.lots
        if adl_qty:
            self.deleveraging.auto_deleverage(account.id, backstop)
        delta = fund.balance - fund_before
        if delta:
            fund.announce(delta, f"liquidation of {account.id}")
        tape.emit(
            LiquidationSettled(
                tape.time,
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

    def _liquidation_size(self, held: int, tier: Tier) -> int:
        """Lots to liquidate now: all of them, or with stepwise liquidation (SPEC §5.2) just
        enough to bring a position above the first tier under its tier's floor; the rest
        is checked again, at the lower tier's rate."""
        if not self.settings.stepwise_liquidation or tier.number == 1:
            return held
        keep = tier.floor // (self.prices.mark * self._cv)
        while keep and self.instrument.notional(keep, self.prices.mark) >= tier.floor:
            keep -= 1
        return max(1, held - keep)

    def _offload(self, limit: int, lots: int) -> tuple[int, int]:
        """The backstop sells (or buys back) up to ``lots`` on the book within ``limit``.
        Returns (Σ realized for the fund, lots filled)."""
        order = BackstopOrder(self.backstop, self.fund, self._cv)
        _, filled = self.matching.take(order, -self.backstop.side, lots, limit)
        return order.realized, filled

    def _fund_takes_rest(self, bankruptcy: int) -> tuple[int, int]:
        """Aggress beyond bankruptcy within the band while the fund may pay the loss.
        Returns (what the fund paid, lots closed)."""
        side = -self.backstop.side  # the backstop's order side
        band = bankruptcy * self.settings.liquidation_band // PPM
        limit = bankruptcy - band if side < 0 else bankruptcy + band
        if self.settings.loss_policy is LossPolicy.CLAWBACK:
            allowance = None  # the deficit will be clawed back from the winners
        else:
            allowance = self.fund.allowance()
        lots = self._affordable_lots(side, limit, allowance)
        if not lots:
            return 0, 0
        realized, filled = self._offload(limit, lots)
        return max(0, -realized), filled

    def _affordable_lots(self, side: int, limit: int, allowance: int | None) -> int:
        """How many lots the fund can close within ``limit`` before its loss would pass
        ``allowance`` (walking the book as the match will)."""
        backstop, cv = self.backstop, self._cv
        wanted, lots, cost, loss = backstop.lots, backstop.lots, backstop.cost, 0
        taken = 0
        for price, available in self.matching.book.walk(side):
            if (price < limit) if side < 0 else (price > limit):
                break
            take = min(available, wanted - taken)
            if allowance is not None:
                # loss of closing k more lots at this price: −s·(k·p·cv − k·cost/lots)
                per_lot = -backstop.side * (price * cv * lots - cost)  # × 1/lots
                if per_lot > 0:
                    room = (allowance - loss) * lots // per_lot
                    take = min(take, max(0, room))
                    loss += -(-take * per_lot // lots)
            taken += take
            if taken >= wanted or (allowance is not None and take < available):
                break
        return taken
