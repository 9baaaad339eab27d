"""Traders' accounts: wallets, isolated margins, positions at cost basis, the bookkeeping
of their resting orders, and the settlement of every fill and funding payment.

The one owner of an account's money and position: matching, liquidation and
deleveraging change them only through the methods here, so the cached figures
(margin reserved by orders, open order sizes, the index of accounts holding a
position, the set changed since the last liquidation scan) always agree with what
they summarize.
"""

from __future__ import annotations

from enum import StrEnum

from engine import margin
from engine.events import FundingPayment, FundingSettled, PositionChanged
from engine.fund import InsuranceFund
from engine.instrument import Instrument
from engine.ledger import FEE_POOL, FUNDING_POOL, SETTLEMENT, Ledger, isolated_key, wallet_key
from engine.orders import Order
from engine.pricing import PriceState
from engine.tape import Tape
from engine.units import PPM, ceil_div


class MarginMode(StrEnum):
    CROSS = "cross"
    ISOLATED = "isolated"


# Bound once: ``MarginMode.ISOLATED`` goes through ``EnumType.__getattr__``, which makes
# every lookup on the class cost as much as a function call; fills and margin checks
# test the mode on every order.
_ISOLATED = MarginMode.ISOLATED


class Account:
    """A trader's live state on the one instrument: settings, position, order bookkeeping.

    Read by every part; changed only by ``Accounts``.
    """

    __slots__ = (
        "id",
        "wallet",
        "isolated",
        "mode",
        "leverage",
        "lots",
        "cost",
        "opened_at",
        "realized",
        "fees",
        "funding",
        "open_buy",
        "open_sell",
        "reserved",
        "order_ids",
        "reduce_only_ids",
        "bankrupt",
        "margin_key",
        "fee_keys",
    )

    def __init__(self, account_id: str, mode: MarginMode, leverage: int) -> None:
        self.id = account_id
        self.wallet = wallet_key(account_id)
        self.isolated = isolated_key(account_id)
        self.set_mode(mode)
        self.leverage = leverage
        self.lots = 0  # signed: + long, − short
        self.cost = 0  # cost basis of the open part, lot·ticks, ≥ 0
        self.opened_at = 0
        # since the position opened: PnL realized by partial closes, fees paid, funding
        # (+ received): its break-even price and its realized PnL after fees
        self.realized = self.fees = self.funding = 0
        self.open_buy = 0  # resting lots that could open or add (not reduce-only)
        self.open_sell = 0
        self.reserved = 0  # initial margin held by resting orders
        self.order_ids: set[int] = set()
        self.reduce_only_ids: set[int] = set()
        self.bankrupt = False

    @property
    def side(self) -> int:
        return (self.lots > 0) - (self.lots < 0)

    def set_mode(self, mode: MarginMode) -> None:
        """Switch margin mode; the ledger keys that follow from it are fixed here, once.

        ``margin_key`` is the account behind the position: losses and funding are drawn
        from it alone, so an isolated position never loses more than its margin.
        ``fee_keys``: fees come from the wallet, then (isolated) the position's margin.
        """
        self.mode = mode
        if mode is MarginMode.ISOLATED:
            self.margin_key = self.isolated
            self.fee_keys = (self.wallet, self.isolated)
        else:
            self.margin_key = self.wallet
            self.fee_keys = (self.wallet,)


class Accounts:
    def __init__(
        self,
        instrument: Instrument,
        ledger: Ledger,
        prices: PriceState,
        fund: InsuranceFund,
        tape: Tape,
    ) -> None:
        self.instrument = instrument
        self.ledger = ledger
        self.prices = prices
        self.fund = fund
        self.tape = tape
        self._cv = instrument.contract_value
        self._by_id: dict[str, Account] = {}
        self.get = self._by_id.get  # account by name, or None (the dict's own, for speed)
        self.positions: dict[str, Account] = {}  # accounts holding a position
        self.long_lots = 0  # open interest: every long, counted as positions move
        self.changed: set[str] = set()  # accounts changed since the last liquidation scan

    # -- who ----------------------------------------------------------------------------

    def __getitem__(self, account_id: str) -> Account:
        return self._by_id[account_id]

    def __contains__(self, account_id: object) -> bool:
        return account_id in self._by_id

    def __iter__(self):
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def all(self):
        return self._by_id.values()

    def open(self, account_id: str, mode: MarginMode, leverage: int) -> Account:
        account = self._by_id[account_id] = Account(account_id, mode, leverage)
        self.ledger.open(account.wallet)
        self.ledger.open(account.isolated)
        return account

    def deposit(self, account: Account, amount: int) -> None:
        """Money in; a bankrupt trader who tops up to a wallet ≥ 0 trades on afresh."""
        self.ledger.deposit(account.wallet, amount)
        if account.bankrupt and self.balance(account) >= 0:
            account.bankrupt = False
        self.changed.add(account.id)

    def touch(self, account: Account) -> None:
        """Have the next liquidation scan look at ``account`` again."""
        self.changed.add(account.id)

    def take_changed(self) -> list[str]:
        """The accounts changed since the last call, in name order."""
        changed = sorted(self.changed)
        self.changed.clear()
        return changed

    # -- money and margin ---------------------------------------------------------------

    def collateral(self, account: Account) -> int:
        """The money behind the position: its isolated margin, or the cross wallet."""
        return self.ledger.balances[account.margin_key]

    def balance(self, account: Account) -> int:
        """The wallet, including any margin isolated in the position."""
        balances = self.ledger.balances
        return balances[account.wallet] + balances[account.isolated]

    def assess(self, account: Account) -> margin.Assessment:
        """The margin picture of an account's position at the current mark."""
        return margin.assess(
            self.instrument,
            account.side,
            abs(account.lots),
            account.cost,
            self.collateral(account),
            self.prices.mark,
        )

    def bankruptcy_bound(self, account: Account) -> int | None:
        """The worst tick the position may close at, taker fee included, without a loss
        beyond its collateral: a long sells at or above it, a short buys at or below it
        (None when flat, or when no positive price would bankrupt it).

        A long selling at P loses cost·cv − Q·P·cv and pays Q·P·cv·r; both within the
        collateral C means P ≥ (cost·cv − C) / (Q·cv·(1 − r)); a short, P ≤ (cost·cv + C)
        / (Q·cv·(1 + r))."""
        held = account.lots
        if not held:
            return None
        lots, cv, rate = abs(held), self._cv, self.instrument.taker_fee
        value, collateral = account.cost * cv, self.ledger.balances[account.margin_key]
        if held > 0:
            top = (value - collateral) * PPM
            return -(-top // (lots * cv * (PPM - rate))) if top > 0 else None
        return (value + collateral) * PPM // (lots * cv * (PPM + rate))

    def available(self, account: Account) -> int:
        """Money free for new orders: cross = wallet + uPnL − position IM − order margin;
        isolated = wallet − order margin (the position's margin is set aside).

        Every order's margin check asks this, so ``margin.unrealized_pnl`` and
        ``margin.initial_margin`` are written out here, as ``order_margin`` writes out
        the order's IM (tests/engine/test_order_path.py holds them to the same numbers).
        """
        wallet = self.ledger.balances[account.wallet]
        held = account.lots
        if account.mode is _ISOLATED or not held:
            return wallet - account.reserved
        mark, cv = self.prices.mark, self._cv
        upnl = (held * mark - (account.cost if held > 0 else -account.cost)) * cv  # s·(Q·P − C)
        position_im = -(-abs(held) * mark * cv // account.leverage)  # ⌈Q·P·cv / leverage⌉
        return wallet + upnl - position_im - account.reserved

    def order_margin(
        self, account: Account, side: int, qty: int, price: int
    ) -> tuple[int, int, int]:
        """(opening lots, exposure after, initial margin + open loss) of an order, after the
        account's position and its other resting orders on the same side: only the part
        that opens or adds to a position needs margin."""
        signed = account.lots * side + (account.open_buy if side > 0 else account.open_sell)
        after = signed + qty
        if after <= 0:
            return 0, 0, 0
        opening = after - signed if signed > 0 else after
        cv = self._cv
        mark = self.prices.mark or price
        initial = -(-opening * price * cv // account.leverage)
        loss = side * (price - mark)
        return opening, after, initial + (loss * opening * cv if loss > 0 else 0)

    def charge(self, account: Account, amount: int) -> int:
        """Take up to ``amount`` from the money behind a position into the insurance fund
        (a socialized loss); returns what was taken."""
        paid = min(amount, max(0, self.ledger.balances[account.margin_key]))
        self.fund.flow(account.margin_key, paid)
        self.changed.add(account.id)
        return paid

    # -- resting orders -----------------------------------------------------------------

    def order_rested(self, account: Account, order: Order) -> None:
        if order.reduce_only:
            account.reduce_only_ids.add(order.id)
        else:
            if order.side > 0:
                account.open_buy += order.qty
            else:
                account.open_sell += order.qty
            account.reserved += order.margin
        account.order_ids.add(order.id)

    def order_left(self, account: Account, order: Order, unfilled: int) -> None:
        """Drop a resting order's bookkeeping once it has left the book."""
        account.order_ids.discard(order.id)
        account.reduce_only_ids.discard(order.id)
        if not order.reduce_only:
            if order.side > 0:
                account.open_buy -= unfilled
            else:
                account.open_sell -= unfilled
            account.reserved -= order.margin
            order.margin = 0

    def maker_filled(self, account: Account, order: Order, lots: int) -> None:
        """A resting order traded ``lots``: release that share of its reserved margin."""
        if order.qty == 0:
            self.order_left(account, order, lots)
            return
        if not order.reduce_only:
            release = order.margin * lots // (order.qty + lots)
            order.margin -= release
            account.reserved -= release
            if order.side > 0:
                account.open_buy -= lots
            else:
                account.open_sell -= lots

    # -- positions ----------------------------------------------------------------------

    def fill(self, account: Account, side: int, lots: int, price: int, fee: int) -> tuple[int, int]:
        """Apply one fill to an account's position and ledger. Returns (realized, fee paid).

        Opening adds qty·price to the cost basis; closing removes the closed share of
        the basis (rounded once) and realizes the difference through ``settlement``.
        """
        held = account.lots
        realized = 0
        if held * side < 0:  # against the position: close first
            closing = min(lots, abs(held))
            realized = self._close(account, closing, price)
            account.realized += realized
            lots -= closing
        if lots:
            self._open(account, side, lots, price)
        unpaid = self.ledger.draw(account.fee_keys, FEE_POOL, fee)
        account.fees += fee - unpaid
        self.changed.add(account.id)
        if account.lots:
            self.positions[account.id] = account
        else:
            self.positions.pop(account.id, None)
            self._release_isolated(account)
        return realized, fee - unpaid

    def surrender(self, account: Account, lots: int) -> tuple[int, int]:
        """Liquidation: the owner gives up ``lots`` of the position with their share of its
        collateral, settled at the bankruptcy price (the collateral is lost, never more).
        Returns (collateral lost, cost basis handed over)."""
        held = abs(account.lots)
        whole = self.ledger.balances[account.margin_key]
        collateral = whole if lots == held else whole * lots // held
        cost = account.cost if lots == held else account.cost * lots // held
        self.ledger.transfer(account.margin_key, SETTLEMENT, collateral)
        if account.side > 0:
            self.long_lots -= lots
        account.lots -= account.side * lots
        account.cost -= cost
        if not account.lots:
            self.positions.pop(account.id, None)
            self._release_isolated(account)
        self.changed.add(account.id)
        return collateral, cost

    def seed(self, declared: list[tuple[str, int, int, int]]) -> None:
        """Positions a scripted scenario declares, as (account, side, lots, entry ticks),
        opened before the first step as if traded earlier. They net to zero; what their
        entries imply was realized by traders who have left, and the ledger says so once.
        ``ValueError`` names what cannot be."""
        if sum(side * lots for _, side, lots, _ in declared):
            raise ValueError("the declared positions do not net to zero")
        history = 0  # Σ uPnL of the declared positions, the same at every price
        for account_id, side, lots, entry in declared:
            account = self[account_id]
            self._seed_one(account, side, lots, entry)
            history -= side * lots * entry * self._cv
            tape = self.tape
            tape.emit(PositionChanged(tape.time, account_id, account.lots, account.cost, 0))
        if history < 0:
            self.ledger.withdraw(SETTLEMENT, -history)
        elif history:
            self.ledger.deposit(SETTLEMENT, history)

    def _seed_one(self, account: Account, side: int, lots: int, entry: int) -> None:
        """One declared position at ``entry`` ticks; an isolated one takes its initial
        margin from the wallet."""
        if account.lots:
            raise ValueError(f"{account.id} declares a second position")
        if account.mode is _ISOLATED:
            needed = margin.initial_margin(lots * entry * self._cv, account.leverage)
            if self.ledger.balances[account.wallet] < needed:
                raise ValueError(
                    f"{account.id}'s balance cannot pay the position's initial margin "
                    f"({self.instrument.money_text(needed)} at {account.leverage}x)"
                )
        self._open(account, side, lots, entry)
        self.positions[account.id] = account
        self.changed.add(account.id)

    def _open(self, account: Account, side: int, lots: int, price: int) -> None:
        if not account.lots:
            account.opened_at = self.tape.time
            account.realized = account.fees = account.funding = 0
        if side > 0:
            self.long_lots += lots
        account.lots += side * lots
        account.cost += lots * price
        if account.mode is _ISOLATED:
            initial = margin.initial_margin(lots * price * self._cv, account.leverage)
            self.ledger.draw((account.wallet,), account.isolated, initial)

    def _close(self, account: Account, closing: int, price: int) -> int:
        held = abs(account.lots)
        position_side = 1 if account.lots > 0 else -1
        removed = account.cost if closing == held else account.cost * closing // held
        realized = position_side * (closing * price - removed) * self._cv
        account.cost -= removed
        account.lots -= position_side * closing
        if position_side > 0:
            self.long_lots -= closing
        ledger = self.ledger
        isolated = account.mode is _ISOLATED
        share = ledger.balances[account.isolated] * closing // held if isolated else 0
        self._settle_pnl(account, realized)
        if isolated:
            if account.lots:  # the closed part's margin, less its own loss, goes back
                ledger.transfer(account.isolated, account.wallet, max(share + realized, 0))
            else:
                self._release_isolated(account)
        return realized

    def _release_isolated(self, account: Account) -> None:
        rest = self.ledger.balances[account.isolated]
        if rest:
            self.ledger.transfer(account.isolated, account.wallet, rest)

    def _settle_pnl(self, account: Account, realized: int) -> None:
        """Realized PnL moves between ``settlement`` and the position's margin; a loss
        beyond that margin is bad debt, paid by the insurance fund."""
        if realized >= 0:
            self.ledger.transfer(SETTLEMENT, account.margin_key, realized)
            return
        unpaid = self.ledger.draw((account.margin_key,), SETTLEMENT, -realized)
        if unpaid:
            account.bankrupt = True
            self.fund.pay(SETTLEMENT, unpaid, f"bad debt of {account.id}")

    # -- funding ------------------------------------------------------------------------

    def settle_funding(self, rate: int, premium: int) -> None:
        """Longs pay shorts when F > 0: notional at mark × F, rounded toward the exchange
        (payers round up, receivers down). A payer's margin that cannot cover its payment
        pays what it has, and the receivers share what was paid (never the fund: funding
        moves money between traders); the rounding residual goes to the insurance fund."""
        mark, cv, ledger, tape = self.prices.mark, self._cv, self.ledger, self.tape
        paid = received = 0
        if rate:
            payer_side = 1 if rate > 0 else -1
            holders = sorted(self.positions.values(), key=lambda a: a.side != payer_side)
            payers = [a for a in holders if a.side == payer_side]
            receivers = [a for a in holders if a.side != payer_side]
            for account in payers:
                self.changed.add(account.id)
                amount = ceil_div(abs(account.lots) * mark * cv * abs(rate), PPM)
                unpaid = ledger.draw((account.margin_key,), FUNDING_POOL, amount)
                paid += amount - unpaid
                account.funding += unpaid - amount
                tape.emit(FundingPayment(tape.time, account.id, unpaid - amount))
            due = [abs(a.lots) * mark * cv * abs(rate) // PPM for a in receivers]
            owed = sum(due)
            for account, amount in zip(receivers, due, strict=True):
                self.changed.add(account.id)
                if paid < owed:  # some payers fell short: the receivers share what came in
                    amount = amount * paid // owed
                ledger.transfer(FUNDING_POOL, account.margin_key, amount)
                received += amount
                account.funding += amount
                tape.emit(FundingPayment(tape.time, account.id, amount))
        residual = ledger.balances[FUNDING_POOL]
        if residual:
            self.fund.receive(FUNDING_POOL, residual, "funding rounding")
        tape.emit(FundingSettled(tape.time, rate, premium, mark, paid, received, residual))
