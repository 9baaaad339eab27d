"""The liquidation engine (SPEC §5.1–2): the trigger scan, margin warnings, and the
backstop that takes liquidated positions over and works them off over many steps.

Per step, after the mark has moved:

1. every position the mark has crossed is liquidated: the owner's orders are
   cancelled, the owner is settled at the bankruptcy price (the collateral is lost,
   never more) and the backstop takes the position over there;
2. the backstop works what it holds off the book (``engine/offload.py``): at the
   bankruptcy price or better first, then within a band around the mark as far as
   the fund may pay;
3. deleveraging covers what the fund may not absorb: ADL under the trigger policy,
   or the shortfall clawed back from the winners;
4. a held position fully closed is told, with how it was closed.
"""

from __future__ import annotations

from engine import margin
from engine.accounts import Account, Accounts
from engine.backstop import Backstop, Held
from engine.deleveraging import Deleveraging
from engine.events import Liquidation, LiquidationSettled, PositionChanged
from engine.fund import InsuranceFund
from engine.instrument import Instrument, Tier
from engine.liquidation_index import LiquidationIndex
from engine.margin_warnings import MarginWarnings
from engine.matching import Matching
from engine.offload import Offloader
from engine.order_entry import OrderEntry
from engine.policies import LossPolicy, MarketSettings
from engine.pricing import PriceState
from engine.slices import Slices, finish
from engine.tape import Tape

MAX_CASCADE_ROUNDS = 50

REINDEX_PIECE = 500  # accounts re-indexed between two slices: some 10 ms


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
        warnings: MarginWarnings | None,
    ) -> None:
        """``warnings``: the margin warnings to keep up to date, if any."""
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
        self.offload = Offloader(
            self.backstop, matching, fund, prices, tape, instrument.contract_value
        )
        self.warnings = warnings
        self._cv = instrument.contract_value

    # -- the index ---------------------------------------------------------------------

    def reindex(self) -> None:
        finish(self.reindexing())

    def reindexing(self) -> Slices[None]:
        """Recompute the trigger ticks of accounts that changed since the last scan (and
        tell deleveraging, whose queue keeps them too); in slices of ``PIECE`` accounts
        (an ADL step changes thousands; each costs some 10 µs)."""
        changed = self.accounts.take_changed()
        for start in range(0, len(changed), REINDEX_PIECE):
            self._reindex(changed[start : start + REINDEX_PIECE])
            yield

    def _reindex(self, changed: list[str]) -> None:
        self.deleveraging.track(changed)
        index, instrument, warnings = self.index, self.instrument, self.warnings
        for account_id in changed:
            account = self.accounts.get(account_id)
            if account is None or not account.lots:
                index.remove(account_id)
                if warnings:
                    warnings.forget(account_id)
                continue
            side, lots, cost = account.side, abs(account.lots), account.cost
            collateral = self.accounts.collateral(account)
            liq, _ = margin.price_at_ratio(instrument, side, lots, cost, collateral)
            index.put(account_id, side, margin.trigger_tick(side, liq))
            if warnings:
                warnings.put(account_id, side, lots, cost, collateral)

    # -- the scan ----------------------------------------------------------------------

    def scan(self) -> None:
        finish(self.scanning())

    def scanning(self) -> Slices[None]:
        """Liquidate every position the mark has crossed (cascades included), work the
        backstop's positions off, cover what the fund may not absorb; in slices, one
        liquidation or held position at a time (``engine/slices.py``)."""
        yield from self.reindexing()
        for _ in range(MAX_CASCADE_ROUNDS):
            victims = self.index.triggered(self.prices.mark)
            if not victims:
                break
            for account_id in victims:
                self.take_over(self.accounts[account_id])
                yield
            yield from self.reindexing()
        if self.backstop.held:
            yield from self._working_backstop()
            yield
        if self.warnings:
            self.warnings.on_mark()
        self.fund.record()

    def _working_backstop(self) -> Slices[None]:
        """The backstop works what it holds; deleveraging covers what the fund may not
        absorb; what is fully closed is told."""
        settings = self.settings
        paid_by_winners = settings.loss_policy is LossPolicy.CLAWBACK
        now, cap = self.tape.time, self._cap_takeover if not paid_by_winners else None
        for held in self.backstop.held:
            then = cap if held.since == now else None
            self.offload.work(held, settings.liquidation_band, paid_by_winners, then)
            if paid_by_winners:
                self.deleveraging.claw_back(held)
            yield
        if self.backstop.held and not paid_by_winners:
            yield from self.reindexing()  # ADL ranks the positions as they stand now
            yield from self.deleveraging.covering(self.backstop)
        self._settle_closed()
        yield from self.reindexing()  # ADL and the backstop's trades changed accounts

    def take_over(self, account: Account) -> None:
        """Liquidate ``account``: its owner settled at the bankruptcy price, its position
        (or, stepwise, the part above a lower tier) held by the backstop."""
        if not account.lots:
            return
        picture = self.accounts.assess(account)
        if picture.equity >= picture.maintenance:  # changed since indexed (e.g. ADL'd)
            self.accounts.touch(account)
            return
        tape, cv = self.tape, self.instrument.contract_value
        self.orders.cancel_all(account, "liquidation")
        side = account.side
        lots = self._liquidation_size(abs(account.lots), picture.tier)
        entry = self.index.entry(account.id)
        collateral, cost = self.accounts.surrender(account, lots)
        held = self.backstop.take_over(
            account.id, side, lots, cost * cv - side * collateral, tape.time
        )
        tape.emit(
            Liquidation(
                tape.time,
                account.id,
                side,
                lots,
                self.prices.mark,
                entry[1] if entry else 0,
                held.bankruptcy_tick(cv),
                picture.equity,
                picture.maintenance,
                collateral,
                held.id,
            )
        )
        tape.emit(PositionChanged(tape.time, account.id, account.lots, account.cost, -collateral))

    def _cap_takeover(self, held: Held) -> None:
        """What the book did not take at bankruptcy is the fund's to hold, up to its cap."""
        self.deleveraging.cap_takeover(held, self.backstop)

    def _settle_closed(self) -> None:
        tape = self.tape
        for held in self.backstop.closed():
            tape.emit(
                LiquidationSettled(
                    tape.time, held.id, held.account, held.side, held.taken, held.book_qty,
                    held.band_qty, held.adl_qty, held.fund_in, held.fund_out, held.since,
                )
            )  # fmt: skip

    def _liquidation_size(self, held: int, tier: Tier) -> int:
        """Lots to liquidate now: all of them, or with stepwise liquidation (SPEC §5.2) just
        enough to bring a position above the first tier under its tier's floor; the rest
        is checked again, at the lower tier's rate."""
        if not self.settings.stepwise_liquidation or tier.number == 1:
            return held
        cv = self.instrument.contract_value
        keep = tier.floor // (self.prices.mark * cv)
        while keep and self.instrument.notional(keep, self.prices.mark) >= tier.floor:
            keep -= 1
        return max(1, held - keep)
