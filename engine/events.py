"""Events: every state change a user could care about, stamped with simulated time.

Events are the truth: the event log, the journal, notifications and reports are
all built from them; the screen never shows what the engine did not emit.
All amounts are integers in engine units (µs, lots, ticks, money units, ppm).
"""

from __future__ import annotations

from typing import ClassVar

from msgspec import Struct


class Event(Struct, frozen=True, gc=False, array_like=True, tag="event"):
    """Immutable, slotted, and cheap to make (about 0.1 µs): events are made several
    times per order on the hot path. ``gc=False``: they hold no references to anything
    that could form a cycle.

    Each kind of event names itself by its ``tag`` (its ``kind``, set below from the
    tag): ``array_like`` makes msgspec encode an event as the journal's row, ``[kind,
    field, …]``, in C, so journaling a step costs little beside running it."""

    kind: ClassVar[str] = "event"
    time: int


class Deposit(Event, tag="deposit"):
    account: str
    amount: int


class OrderAccepted(Event, tag="order_accepted"):
    account: str
    order_id: int
    side: int
    order_type: str
    qty: int
    price: int | None
    reduce_only: bool = False
    trigger: int | None = None


class OrderRejected(Event, tag="order_rejected"):
    account: str
    reason: str
    side: int = 0
    order_type: str = ""


class OrderCancelled(Event, tag="order_cancelled"):
    account: str
    order_id: int
    qty: int
    reason: str


class OrderTriggered(Event, tag="order_triggered"):
    account: str
    order_id: int
    trigger: int
    price: int


class Trade(Event, tag="trade"):
    """One match: the taker crossed the spread against a resting maker order."""

    taker: str
    maker: str
    taker_order: int
    maker_order: int
    side: int  # the taker's side
    qty: int
    price: int
    taker_fee: int
    maker_fee: int


class PositionChanged(Event, tag="position_changed"):
    account: str
    qty: int  # signed lots after the change
    cost: int  # cost basis (lot·ticks) of the open part
    realized: int  # PnL realized by this change, money units


class SettingChanged(Event, tag="setting_changed"):
    """Leverage or margin mode of an account changed."""

    account: str
    setting: str
    value: str


class FundingPayment(Event, tag="funding_payment"):
    account: str
    amount: int  # money units; negative = paid, positive = received


class FundingSettled(Event, tag="funding_settled"):
    rate: int  # ppm; longs pay shorts when positive
    premium: int  # ppm, the interval's average premium
    mark: int
    paid: int
    received: int
    residual: int  # rounding kept by the insurance fund


class MarginWarning(Event, tag="margin_warning"):
    account: str
    ratio: int  # ppm


class InsuranceFundChanged(Event, tag="insurance_fund"):
    balance: int
    delta: int
    reason: str
    held: int = 0  # the backstop's position the change is about, if any


class Liquidation(Event, tag="liquidation"):
    """A position crossed its liquidation price: its owner is settled at bankruptcy and
    the backstop takes the position over there."""

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


class BackstopTraded(Event, tag="backstop_traded"):
    """The backstop worked part of a held position off on the book this step."""

    held: int
    account: str  # whose position it was
    side: int  # the held position's side
    qty: int  # lots closed this step
    at_or_better: int  # of them, at the bankruptcy price or better
    realized: int  # the fund's: + surplus, − loss
    left: int  # lots still held


class LiquidationSettled(Event, tag="liquidation_settled"):
    """The backstop has closed all of a liquidated position, and how (SPEC §5.2)."""

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


class AutoDeleveraged(Event, tag="adl"):
    """An opposite position was closed against a bankrupt one, at the ADL price."""

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


class AdlExecuted(Event, tag="adl_executed"):
    """One ADL event: part of a held position closed against opposite positions, ranked
    at that moment, because the fund may not absorb its loss (SPEC §5.3, §5.8).

    Severity: the deficit D is the part of the held position's loss beyond bankruptcy
    that the fund may not absorb (its ``held_deficit`` less the ``room`` the trigger
    policy leaves); capacity U is the opposite winners' unrealized profit; the budget
    B = min(D, U) (severity θ = 1); taken H is the profit the fills gave up against the
    mark. A ``takeover_cap`` event carries the position's ``notional`` and the ``cap``.
    """

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


class SocializedLoss(Event, tag="socialized_loss"):
    """The fund's shortfall below its floor taken from every winner's profit in the same
    proportion; positions stay open (SPEC §5.7)."""

    liquidated: str  # whose held position's loss made the shortfall
    deficit: int
    collected: int
    rate: int  # ppm of each winner's profit
    accounts: int
    held: int = 0  # that held position


class SocializedLossCharged(Event, tag="socialized_loss_charged"):
    account: str
    amount: int


class FeedEnded(Event, tag="feed_ended"):
    reason: str


def event_classes() -> dict[str, type[Event]]:
    """Every kind of event, by its ``kind`` (the base class names none: it is never emitted)."""
    pending, found = list(Event.__subclasses__()), {}
    while pending:
        cls = pending.pop()
        found[cls.__struct_config__.tag] = cls
        pending.extend(cls.__subclasses__())
    return found


def event_class(kind: str) -> type[Event] | None:
    """The event class a data file names by its ``kind`` (a lesson's goal, say)."""
    return event_classes().get(kind)


def _kinds_from_tags() -> None:
    """Each event class's ``kind`` is its tag, kept as a plain class attribute: read on
    hot paths, it costs no more than any attribute."""
    for kind, cls in event_classes().items():
        cls.kind = kind


_kinds_from_tags()
