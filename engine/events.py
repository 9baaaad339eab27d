"""Events: every state change a user could care about, stamped with simulated time.

Events are the truth: the event log, the journal, notifications and reports are
all built from them; the screen never shows what the engine did not emit.
All amounts are integers in engine units (µs, lots, ticks, money units, ppm).
"""

from __future__ import annotations

from typing import ClassVar

from msgspec import Struct


class Event(Struct, frozen=True, gc=False):
    """Immutable, slotted, and cheap to make (about 0.1 µs): events are made several
    times per order on the hot path. ``gc=False``: they hold no references to anything
    that could form a cycle. ``kind`` names the event in the journal."""

    kind: ClassVar[str] = "event"
    time: int


class Deposit(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "deposit"
    account: str
    amount: int


class OrderAccepted(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "order_accepted"
    account: str
    order_id: int
    side: int
    order_type: str
    qty: int
    price: int | None
    reduce_only: bool = False
    trigger: int | None = None


class OrderRejected(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "order_rejected"
    account: str
    reason: str
    side: int = 0
    order_type: str = ""


class OrderCancelled(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "order_cancelled"
    account: str
    order_id: int
    qty: int
    reason: str


class OrderTriggered(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "order_triggered"
    account: str
    order_id: int
    trigger: int
    price: int


class Trade(Event, frozen=True, gc=False):
    """One match: the taker crossed the spread against a resting maker order."""

    kind: ClassVar[str] = "trade"
    taker: str
    maker: str
    taker_order: int
    maker_order: int
    side: int  # the taker's side
    qty: int
    price: int
    taker_fee: int
    maker_fee: int


class PositionChanged(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "position_changed"
    account: str
    qty: int  # signed lots after the change
    cost: int  # cost basis (lot·ticks) of the open part
    realized: int  # PnL realized by this change, money units


class SettingChanged(Event, frozen=True, gc=False):
    """Leverage or margin mode of an account changed."""

    kind: ClassVar[str] = "setting_changed"
    account: str
    setting: str
    value: str


class FundingPayment(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "funding_payment"
    account: str
    amount: int  # money units; negative = paid, positive = received


class FundingSettled(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "funding_settled"
    rate: int  # ppm; longs pay shorts when positive
    premium: int  # ppm, the interval's average premium
    mark: int
    paid: int
    received: int
    residual: int  # rounding kept by the insurance fund


class MarginWarning(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "margin_warning"
    account: str
    ratio: int  # ppm


class InsuranceFundChanged(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "insurance_fund"
    balance: int
    delta: int
    reason: str


class Liquidation(Event, frozen=True, gc=False):
    """A position crossed its liquidation price: its owner is settled at bankruptcy."""

    kind: ClassVar[str] = "liquidation"
    account: str
    side: int
    qty: int
    mark: int
    liquidation_price: int  # the tick the mark crossed
    bankruptcy_price: int  # ticks, rounded toward the fund
    equity: int
    maintenance: int
    margin_lost: int  # the collateral the owner loses: never more


class LiquidationSettled(Event, frozen=True, gc=False):
    """How the liquidation engine closed what it took over (SPEC §5.2)."""

    kind: ClassVar[str] = "liquidation_settled"
    account: str
    side: int
    qty: int
    book_qty: int  # closed on the book, at or better than bankruptcy
    fund_qty: int  # taken to the book by the fund beyond bankruptcy
    adl_qty: int  # closed against opposite positions
    fund_in: int  # surplus of fills better than bankruptcy
    fund_out: int  # what the fund paid for fills worse than bankruptcy
    clawback: int  # deficit socialized over winners


class AutoDeleveraged(Event, frozen=True, gc=False):
    """An opposite position was closed against a bankrupt one, at the ADL price."""

    kind: ClassVar[str] = "adl"
    account: str  # the deleveraged trader
    liquidated: str  # the bankrupt counterparty
    adl_id: int
    side: int  # the deleveraged position's side
    qty: int
    price: int
    mark: int
    rank: int
    score: float
    forgone: int  # profit given up versus closing at the mark, money units
    policy: str


class AdlExecuted(Event, frozen=True, gc=False):
    """One ADL event: the rest of a bankrupt position closed against a queue."""

    kind: ClassVar[str] = "adl_executed"
    adl_id: int
    liquidated: str
    side: int  # the bankrupt position's side
    qty: int
    price: int
    mark: int
    deficit: int  # loss at the mark that the counterparties' ADL price covers
    counterparties: int
    policy: str


class SocializedLoss(Event, frozen=True, gc=False):
    """The fund's deficit taken from every winner's profit in the same proportion."""

    kind: ClassVar[str] = "socialized_loss"
    liquidated: str
    deficit: int
    collected: int
    rate: int  # ppm of each winner's profit
    accounts: int


class SocializedLossCharged(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "socialized_loss_charged"
    account: str
    amount: int


class FeedEnded(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "feed_ended"
    reason: str
