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
    held: int = 0  # the backstop's position the change is about, if any


class Liquidation(Event, frozen=True, gc=False):
    """A position crossed its liquidation price: its owner is settled at bankruptcy and
    the backstop takes the position over there."""

    kind: ClassVar[str] = "liquidation"
    account: str
    side: int
    qty: int
    mark: int
    liquidation_price: int  # the tick the mark crossed
    bankruptcy_price: int  # ticks, rounded toward the fund: the take-over price
    equity: int
    maintenance: int
    margin_lost: int  # the collateral the owner loses: never more
    held: int  # the backstop's number for the position it now holds


class BackstopTraded(Event, frozen=True, gc=False):
    """The backstop worked part of a held position off on the book this step."""

    kind: ClassVar[str] = "backstop_traded"
    held: int
    account: str  # whose position it was
    side: int  # the held position's side
    qty: int  # lots closed this step
    at_or_better: int  # of them, at the bankruptcy price or better
    realized: int  # the fund's: + surplus, − loss
    left: int  # lots still held


class LiquidationSettled(Event, frozen=True, gc=False):
    """The backstop has closed all of a liquidated position, and how (SPEC §5.2)."""

    kind: ClassVar[str] = "liquidation_settled"
    held: int
    account: str
    side: int
    qty: int
    book_qty: int  # closed on the book at the bankruptcy price or better
    band_qty: int  # closed on the book beyond it, within the band, paid by the fund
    adl_qty: int  # closed against opposite positions
    fund_in: int  # surplus of fills better than bankruptcy
    fund_out: int  # what the fund paid for fills worse than bankruptcy
    since: int  # µs: when the backstop took it over


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
    """One ADL event: part of a held position closed against opposite positions, ranked
    at that moment, because the fund may not absorb its loss (SPEC §5.3, §5.8).

    Severity: the deficit D is the part of the held position's loss beyond bankruptcy
    that the fund may not absorb (its ``held_deficit`` less the ``room`` the trigger
    policy leaves); capacity U is the opposite winners' unrealized profit; the budget
    B = min(D, U) (severity θ = 1); taken H is the profit the fills gave up against the
    mark. A ``takeover_cap`` event carries the position's ``notional`` and the ``cap``.
    """

    kind: ClassVar[str] = "adl_executed"
    adl_id: int
    liquidated: str
    side: int  # the bankrupt position's side
    qty: int
    price: int
    mark: int
    deficit: int  # D
    counterparties: int
    policy: str
    held: int
    reason: str  # fund_exhausted | fund_drawdown | takeover_cap
    fund_before: int  # the fund's balance before the event
    room: int  # what the fund could still absorb under the trigger policy
    held_deficit: int  # the held position's loss beyond bankruptcy at the mark, before
    notional: int  # takeover_cap: the notional the fund would have held
    cap: int  # takeover_cap: the most it may hold
    capacity: int  # U
    budget: int  # B
    taken: int  # H


class SocializedLoss(Event, frozen=True, gc=False):
    """The fund's shortfall below its floor taken from every winner's profit in the same
    proportion; positions stay open (SPEC §5.7)."""

    kind: ClassVar[str] = "socialized_loss"
    liquidated: str  # whose held position's loss made the shortfall
    deficit: int
    collected: int
    rate: int  # ppm of each winner's profit
    accounts: int
    held: int = 0  # that held position


class SocializedLossCharged(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "socialized_loss_charged"
    account: str
    amount: int


class FeedEnded(Event, frozen=True, gc=False):
    kind: ClassVar[str] = "feed_ended"
    reason: str


def event_class(kind: str) -> type[Event] | None:
    """The event class a data file names by its ``kind`` (a lesson's goal, say)."""
    pending, found = list(Event.__subclasses__()), {}
    while pending:  # the base class names no event: it is never emitted
        cls = pending.pop()
        found[cls.kind] = cls
        pending.extend(cls.__subclasses__())
    return found.get(kind)
