"""Events: every state change a user could care about, stamped with simulated time.

Events are the truth: the event log, the journal, notifications and reports are
all built from them; the screen never shows what the engine did not emit.
All amounts are integers in engine units (µs, lots, ticks, money units, ppm).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class Event:
    kind: ClassVar[str] = "event"
    time: int

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True, slots=True)
class Deposit(Event):
    kind: ClassVar[str] = "deposit"
    account: str
    amount: int


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class OrderRejected(Event):
    kind: ClassVar[str] = "order_rejected"
    account: str
    reason: str
    side: int = 0
    order_type: str = ""


@dataclass(frozen=True, slots=True)
class OrderCancelled(Event):
    kind: ClassVar[str] = "order_cancelled"
    account: str
    order_id: int
    qty: int
    reason: str


@dataclass(frozen=True, slots=True)
class OrderTriggered(Event):
    kind: ClassVar[str] = "order_triggered"
    account: str
    order_id: int
    trigger: int
    price: int


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class PositionChanged(Event):
    kind: ClassVar[str] = "position_changed"
    account: str
    qty: int  # signed lots after the change
    cost: int  # cost basis (lot·ticks) of the open part
    realized: int  # PnL realized by this change, money units


@dataclass(frozen=True, slots=True)
class SettingChanged(Event):
    """Leverage or margin mode of an account changed."""

    kind: ClassVar[str] = "setting_changed"
    account: str
    setting: str
    value: str


@dataclass(frozen=True, slots=True)
class FundingPayment(Event):
    kind: ClassVar[str] = "funding_payment"
    account: str
    amount: int  # money units; negative = paid, positive = received


@dataclass(frozen=True, slots=True)
class FundingSettled(Event):
    kind: ClassVar[str] = "funding_settled"
    rate: int  # ppm; longs pay shorts when positive
    premium: int  # ppm, the interval's average premium
    mark: int
    paid: int
    received: int
    residual: int  # rounding kept by the insurance fund


@dataclass(frozen=True, slots=True)
class MarginWarning(Event):
    kind: ClassVar[str] = "margin_warning"
    account: str
    ratio: int  # ppm


@dataclass(frozen=True, slots=True)
class InsuranceFundChanged(Event):
    kind: ClassVar[str] = "insurance_fund"
    balance: int
    delta: int
    reason: str


@dataclass(frozen=True, slots=True)
class FeedEnded(Event):
    kind: ClassVar[str] = "feed_ended"
    reason: str


def field_names(event_type: type[Event]) -> list[str]:
    return [f.name for f in fields(event_type)]
