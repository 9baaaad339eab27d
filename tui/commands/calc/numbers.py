"""The calculators' numbers: the user's decimals read onto an instrument's grid, and the
engine's exact answers written back as text."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any, NamedTuple

from engine.instrument import Instrument, Tier, default_instrument
from engine.units import (
    MONEY_DECIMALS,
    MONEY_SCALE,
    PPM,
    UnitError,
    format_scaled,
    parse_decimal,
    to_money,
)
from tui.arguments import UserError

LIMIT = Decimal(10) ** 15  # keeps every amount a sane int and every float score finite


class Value(NamedTuple):
    """A number as the user typed it, with where it came from so a refusal can say so."""

    amount: Decimal
    text: str
    where: str

    @property
    def decimals(self) -> int:
        """Decimals actually used (``1.50`` uses one): they set the calculator's grid.

        Counted on the digits, not with ``normalize()``, which would round away the
        decimals of a value longer than the decimal context's 28 digits.
        """
        _, digits, exponent = self.amount.as_tuple()
        text = "".join(map(str, digits))
        zeros = len(text) - len(text.rstrip("0"))
        return max(0, -(exponent + zeros)) if self.amount else 0


def read_value(text: str | None, where: str, zero_ok: bool = False) -> Value:
    """A positive (or, for money, non-negative) finite decimal, or a one-line refusal."""
    if text is None or not text.strip():
        raise UserError(f"{where}: missing")
    try:
        amount = parse_decimal(text)
    except UnitError:
        raise UserError(f"{where}: {text!r} is not a number") from None
    if amount < 0 and zero_ok:
        raise UserError(f"{where}: {text!r} must not be negative")
    if amount <= 0 and not zero_ok:
        raise UserError(f"{where}: {text!r} must be positive")
    if amount >= LIMIT:
        raise UserError(f"{where}: {text!r} is too large (the calculator stops at 1e15)")
    return Value(amount, text, where)


def read_money(text: str | None, where: str) -> tuple[Value, int]:
    """Money is exact to 1e-8 of the quote currency in the engine; finer is refused."""
    value = read_value(text, where, zero_ok=True)
    if value.decimals > MONEY_DECIMALS:
        raise UserError(f"{where}: {text!r} has more than {MONEY_DECIMALS} decimals")
    return value, to_money(value.amount)


def calculator_instrument(
    prices: list[Value], sizes: list[Value], tiers: tuple[Tier, ...]
) -> Instrument:
    """The default instrument with a tick and a lot just fine enough for the numbers given.

    Every input then lands exactly on the grid, and one lot at one tick is worth
    10**(8 − price decimals − size decimals) money units: at least one, or refused.
    """
    price = max(prices, key=lambda v: v.decimals)
    size = max(sizes, key=lambda v: v.decimals)
    if price.decimals + size.decimals > MONEY_DECIMALS:
        raise UserError(
            f"too many decimals: {price.where} {price.text!r} uses {price.decimals} and "
            f"{size.where} {size.text!r} uses {size.decimals}; prices and sizes may use "
            f"{MONEY_DECIMALS} in all (one lot at one tick must be worth at least 1e-8)"
        )
    return replace(
        default_instrument(),
        tick_size=Decimal(1).scaleb(-price.decimals),
        lot_size=Decimal(1).scaleb(-size.decimals),
        tiers=tiers,
    )


# -- formatting ------------------------------------------------------------------------------


def fixed(x: Fraction | int) -> str:
    """An exact quantity as text with 8 decimals, rounded half-even (``round`` on a Fraction)."""
    return format_scaled(round(Fraction(x) * 10**MONEY_DECIMALS), MONEY_DECIMALS)


def money(units: Fraction | int) -> str:
    return fixed(Fraction(units, MONEY_SCALE))


def price(instrument: Instrument, ticks: Fraction | int) -> str:
    return fixed(ticks * Fraction(instrument.tick_size))


def plain(x: Fraction | Decimal) -> str:
    """A terminating decimal (MMR, Q·MMR − s·Q) in full, without exponent or trailing zeros."""
    with localcontext(prec=60):
        value = x if isinstance(x, Decimal) else Decimal(x.numerator) / x.denominator
        return format(value.normalize(), "f")


def rate(ppm: int) -> Fraction:
    return Fraction(ppm, PPM)


def signed(side: int) -> str:
    return "(+1)" if side > 0 else "(−1)"


def score_text(score: float) -> str:
    """A float score as plain decimal text, 10 significant digits, no exponent to parse."""
    if not math.isfinite(score):
        return {math.inf: "Infinity", -math.inf: "-Infinity"}.get(score, "NaN")
    if score == 0:
        return "0"
    exact = Decimal(repr(score))
    step = Decimal(1).scaleb(exact.adjusted() - 9)
    return format(exact.quantize(step, rounding=ROUND_HALF_EVEN).normalize(), "f")


def tier_text(tier: Tier) -> str:
    return (
        f"tier {tier.number}: floor {money(tier.floor)}, max leverage {tier.max_leverage}x, "
        f"MMR {plain(rate(tier.mmr) * 100)}% ({plain(rate(tier.mmr))}), "
        f"maintenance amount cum {money(tier.cum)}"
    )


def emit(as_json: bool, data: Callable[[], dict[str, Any]], lines: Callable[[], list[str]]) -> int:
    """One JSON object, or the human lines: both views of the same engine results."""
    print(json.dumps(data(), indent=2) if as_json else "\n".join(lines()))
    return 0
