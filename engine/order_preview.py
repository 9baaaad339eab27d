"""What an order as typed would do, before it is sent: its fill on the book as it is now,
and the position it would leave, with the liquidation and bankruptcy prices that the
engine's own margin functions give for it.

Nothing is changed: the book is walked, not matched. The estimate assumes the order
fills whole — what crosses at the levels it meets, the rest at its own price (a
resting limit, a stop at its trigger) — and that the mark stays where it is.
"""

from __future__ import annotations

from fractions import Fraction

from engine import margin
from engine.accounts import MarginMode
from engine.orders import TRIGGERED_TYPES, OrderType
from engine.units import PPM
from engine.views import OrderPreview


def preview_order(
    exchange,
    account_id: str,
    side: int,
    lots: int,
    price: int | None,
    order_type: OrderType,
    leverage: int,
    trigger: int | None,
) -> OrderPreview:
    """The order's estimated fill and the position after it (see the module's note)."""
    instrument, account = exchange.instrument, exchange.accounts[account_id]
    limit = price if order_type is not OrderType.MARKET else None
    if order_type in TRIGGERED_TYPES:  # it meets the book only once triggered, later
        fills, touch = [], None
        rest_at = price if order_type is OrderType.STOP_LIMIT else trigger
    else:
        fills, touch = _walk(exchange.matching.book, side, lots, limit)
        rest_at = limit
    taken = sum(q for _, q in fills)
    if rest_at is not None and taken < lots:
        fills.append((rest_at, lots - taken))
    filled = sum(q for _, q in fills)
    if not filled:  # an empty book: at the mark, for the margin it would need
        notional = instrument.notional(lots, exchange.prices.mark)
        return OrderPreview(notional, margin.initial_margin(notional, leverage), leverage)
    value = sum(p * q for p, q in fills)
    notional = value * instrument.contract_value
    average = Fraction(value, filled)
    slippage = None
    if taken and touch:
        taken_value = sum(p * q for p, q in fills[: len(fills) - (taken < filled)])
        slippage = side * (Fraction(taken_value, taken) - touch) * PPM / touch
    after = _position_after(exchange, account, side, fills, leverage)
    liquidation = bankruptcy = None
    after_side = 0
    if after is not None:
        after_side, after_lots, cost, collateral = after
        liquidation, _ = margin.liquidation_price(
            instrument, after_side, after_lots, cost, collateral
        )
        bankruptcy = margin.bankruptcy_price(
            after_side, after_lots, cost, collateral, instrument.contract_value
        )
    return OrderPreview(
        notional,
        margin.initial_margin(notional, leverage),
        leverage,
        filled=filled,
        taken=taken,
        average=average,
        slippage=None if slippage is None else round(slippage),
        liquidation=liquidation,
        bankruptcy=bankruptcy,
        side=after_side,
        cross=account.mode is MarginMode.CROSS,
        closes=after is None,
    )


def _walk(
    book, side: int, lots: int, limit: int | None
) -> tuple[list[tuple[int, int]], int | None]:
    """(price, lots) the order would take from the book, best first, and the touch."""
    fills, left, touch = [], lots, None
    for level, size in book.walk(side):
        touch = level if touch is None else touch
        if not left or (limit is not None and side * (level - limit) > 0):
            break
        take = min(left, size)
        fills.append((level, take))
        left -= take
    return fills, touch


def _position_after(exchange, account, side: int, fills, leverage: int):
    """(side, lots, cost, collateral) of the position once ``fills`` are done, or None
    when they close it. Cross: the wallet after the realized PnL and the taker fee;
    isolated: the margin left, plus the initial margin of what the order opens."""
    instrument = exchange.instrument
    cv, fee_rate = instrument.contract_value, instrument.taker_fee
    held, cost = abs(account.lots), account.cost
    reduces = account.side == -side
    closing = held if reduces else 0  # what the order closes before it opens anything
    realized = fee = opened = opened_value = 0
    for price, qty in fills:
        fee += -(-qty * price * cv * fee_rate // PPM)
        shut = min(qty, closing)
        if shut:
            removed = cost if shut == held else cost * shut // held
            realized += account.side * (shut * price - removed) * cv
            cost, held, closing = cost - removed, held - shut, closing - shut
        opened += qty - shut
        opened_value += (qty - shut) * price
    isolated = account.mode is MarginMode.ISOLATED
    margin_now = exchange.ledger.balances[account.isolated]
    if reduces and held:  # reduced, still open
        after = (account.side, held, cost, margin_now * held // abs(account.lots))
    elif reduces and not opened:
        return None
    elif reduces:  # closed and turned to the other side
        after = (side, opened, opened_value, 0)
    else:
        after = (side, abs(account.lots) + opened, account.cost + opened_value, margin_now)
    new_side, lots, new_cost, kept = after
    if isolated:
        collateral = kept + margin.initial_margin(opened_value * cv, leverage)
    else:
        collateral = exchange.accounts.collateral(account) + realized - fee
    return new_side, lots, new_cost, collateral
