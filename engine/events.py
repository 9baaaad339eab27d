"""Events: every state change a user could care about, stamped with simulated time.

Events are the truth: the event log, the journal, notifications and reports are
all built from them; the screen never shows what the engine did not emit.
All amounts are integers in engine units (µs, lots, ticks, money units, ppm).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar


def event(cls: type) -> type:
    """A frozen, slotted dataclass whose ``__init__`` writes each slot directly.

    The generated frozen ``__init__`` calls ``object.__setattr__`` per field (about
    1.7 µs for a trade); events are made several times per order on the hot path,
    so this one writes through the slot descriptors instead (about 0.7 µs). The
    instances are exactly as immutable as any frozen dataclass's.
    """
    cls = dataclass(frozen=True, slots=True)(cls)
    names = [f.name for f in fields(cls)]
    namespace: dict[str, Any] = {f"set_{n}": getattr(cls, n).__set__ for n in names}
    params = []
    for f in fields(cls):
        if f.default is MISSING:
            params.append(f.name)
        else:
            namespace[f"default_{f.name}"] = f.default
            params.append(f"{f.name}=default_{f.name}")
    body = "".join(f"    set_{n}(self, {n})\n" for n in names)
    exec(f"def __init__(self, {', '.join(params)}):\n{body}", namespace)  # noqa: S102
    cls.__init__ = namespace["__init__"]
    return cls


@event
class Event:
    kind: ClassVar[str] = "event"
    time: int


@event
class Deposit(Event):
    kind: ClassVar[str] = "deposit"
    account: str
    amount: int


@event
class OrderAccepted(Event):
    kind: ClassVar[str] = "order_accepted"
    account: str
    order_id: int
    side: int
    order_type: str
    qty: int
    price: int | None
    reduce_only: bool = False
    trigger: int | None = None


@event
class OrderRejected(Event):
    kind: ClassVar[str] = "order_rejected"
    account: str
    reason: str
    side: int = 0
    order_type: str = ""


@event
class OrderCancelled(Event):
    kind: ClassVar[str] = "order_cancelled"
    account: str
    order_id: int
    qty: int
    reason: str


@event
class OrderTriggered(Event):
    kind: ClassVar[str] = "order_triggered"
    account: str
    order_id: int
    trigger: int
    price: int


@event
class Trade(Event):
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


@event
class PositionChanged(Event):
    kind: ClassVar[str] = "position_changed"
    account: str
    qty: int  # signed lots after the change
    cost: int  # cost basis (lot·ticks) of the open part
    realized: int  # PnL realized by this change, money units


@event
class SettingChanged(Event):
    """Leverage or margin mode of an account changed."""

    kind: ClassVar[str] = "setting_changed"
    account: str
    setting: str
    value: str


@event
class FundingPayment(Event):
    kind: ClassVar[str] = "funding_payment"
    account: str
    amount: int  # money units; negative = paid, positive = received


@event
class FundingSettled(Event):
    kind: ClassVar[str] = "funding_settled"
    rate: int  # ppm; longs pay shorts when positive
    premium: int  # ppm, the interval's average premium
    mark: int
    paid: int
    received: int
    residual: int  # rounding kept by the insurance fund


@event
class MarginWarning(Event):
    kind: ClassVar[str] = "margin_warning"
    account: str
    ratio: int  # ppm


@event
class InsuranceFundChanged(Event):
    kind: ClassVar[str] = "insurance_fund"
    balance: int
    delta: int
    reason: str


@event
class Liquidation(Event):
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


@event
class LiquidationSettled(Event):
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


@event
class AutoDeleveraged(Event):
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


@event
class AdlExecuted(Event):
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


@event
class SocializedLoss(Event):
    """The fund's deficit taken from every winner's profit in the same proportion."""

    kind: ClassVar[str] = "socialized_loss"
    liquidated: str
    deficit: int
    collected: int
    rate: int  # ppm of each winner's profit
    accounts: int


@event
class SocializedLossCharged(Event):
    kind: ClassVar[str] = "socialized_loss_charged"
    account: str
    amount: int


@event
class FeedEnded(Event):
    kind: ClassVar[str] = "feed_ended"
    reason: str
