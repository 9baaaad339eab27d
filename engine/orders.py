"""Orders: the types a trader can send and the resting order the book keeps."""

from __future__ import annotations

from enum import StrEnum

from msgspec import Struct


class OrderType(StrEnum):
    LIMIT = "limit"  # good till cancelled
    MARKET = "market"
    IOC = "ioc"  # immediate or cancel: a limit that never rests
    POST_ONLY = "post_only"  # rests as maker or is rejected
    STOP_MARKET = "stop_market"  # market order once the trigger price is touched
    TAKE_PROFIT = "take_profit"  # market order once the price reaches the target
    STOP_LIMIT = "stop_limit"  # limit order at its price once the trigger price is touched


class TriggerSource(StrEnum):
    MARK = "mark"
    LAST = "last"


RESTING_TYPES = frozenset({OrderType.LIMIT, OrderType.POST_ONLY})
TRIGGERED_TYPES = frozenset({OrderType.STOP_MARKET, OrderType.TAKE_PROFIT, OrderType.STOP_LIMIT})
REDUCE_ONLY_CUT = "reduce-only: cut to the position's size"  # why part of an order is cancelled
STOPS = frozenset({OrderType.STOP_MARKET, OrderType.STOP_LIMIT})  # fire as the price moves against


class Order(Struct, gc=False, eq=False):
    """A live order. Mutable because fills shrink it; the engine never hands it out.

    A msgspec ``Struct`` rather than a slotted class: one is made for every order that
    rests, and msgspec builds it in C, about three times faster than an ``__init__``.
    ``gc=False``: it holds only numbers and strings. Compared by identity, as before
    (``eq=False``), and positional like the old constructor:
    ``Order(order_id, account, side, price, qty, reduce_only)``.
    """

    id: int
    account: str
    side: int
    price: int
    qty: int
    reduce_only: bool
    margin: int = 0  # initial margin reserved for the part that would open a position


class TriggerOrder:
    """A stop-market, stop-limit or take-profit order waiting for its trigger price.

    A position's TP/SL (``whole``) closes the whole position as it is when it fires,
    whatever its size was when set, and ``linked`` names its other half: one firing
    cancels the other (OCO), as the venues' position TP/SL do."""

    __slots__ = (
        "id",
        "account",
        "side",
        "qty",
        "kind",
        "trigger",
        "source",
        "reduce_only",
        "price",
        "whole",
        "linked",
    )

    def __init__(
        self,
        order_id: int,
        account: str,
        side: int,
        qty: int,
        kind: OrderType,
        trigger: int,
        source: TriggerSource,
        reduce_only: bool,
        price: int | None = None,
        whole: bool = False,
    ) -> None:
        self.id = order_id
        self.account = account
        self.side = side
        self.qty = qty
        self.kind = kind
        self.trigger = trigger
        self.source = source
        self.reduce_only = reduce_only
        self.price = price  # a stop-limit's limit price
        self.whole = whole
        self.linked = 0  # the id of the other half of a position's TP/SL, 0 if none

    def fires_at(self, price: int) -> bool:
        """A buy stop fires when the price rises to it, a sell stop when it falls to it;
        a take-profit the other way round."""
        rising = (self.side > 0) == (self.kind in STOPS)
        return price >= self.trigger if rising else price <= self.trigger
