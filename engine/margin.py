"""Margin math, in one place: MM, IM, equity, margin ratio, liquidation and bankruptcy prices.

The engine, the screen, the report and the calculator all call these functions,
so they always show the same numbers. Inputs are integers (lots, ticks, money
units, ppm); prices that fall between ticks come back as exact ``Fraction``s of a
tick and are rounded only for display.

Notation follows SPEC §5.1: s = +1 long / −1 short, Q = |lots|, C = cost basis in
lot·ticks (Σ qty·price of the open part, always positive), cv = money per lot·tick,
WB = the collateral behind the position (isolated: its margin; cross: the wallet).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from engine.instrument import Instrument, Tier
from engine.units import PPM, ceil_div

UNBOUNDED_RATIO = 10**12  # margin ratio (ppm) shown when equity ≤ 0: past liquidation


def maintenance_margin(instrument: Instrument, notional: int) -> tuple[Tier, int]:
    """MM = N·MMR_tier − cum_tier, the tier chosen by the notional; rounded up."""
    tier = instrument.tier_for(notional)
    return tier, ceil_div(notional * tier.mmr, PPM) - tier.cum


def initial_margin(notional: int, leverage: int) -> int:
    """IM = N / leverage, rounded up (``ceil_div`` written out: this runs on every order)."""
    return -(-notional // leverage)


def max_leverage(instrument: Instrument, notional: int) -> int:
    return instrument.tier_for(notional).max_leverage


def unrealized_pnl(side: int, lots: int, cost: int, mark: int, contract_value: int) -> int:
    """uPnL = s·(Q·P_m − C), in money units."""
    return side * (lots * mark - cost) * contract_value


def margin_ratio(mm: int, equity: int) -> int:
    """MM / equity in ppm (100 % is the liquidation line); unbounded once equity ≤ 0."""
    if equity <= 0:
        return UNBOUNDED_RATIO
    return ceil_div(mm * PPM, equity)


def bankruptcy_price(side: int, lots: int, cost: int, collateral: int, cv: int) -> Fraction:
    """Price (ticks) where equity = 0: P_bk = C/Q − s·WB/(Q·cv).

    Isolated, this is SPEC's P_e − s·margin/Q; cross, WB is the wallet plus the
    uPnL of other positions.
    """
    return Fraction(cost, lots) - side * Fraction(collateral, lots * cv)


def break_even_price(
    side: int, lots: int, cost: int, result: int, taker_fee: int, cv: int
) -> Fraction:
    """Price (ticks) where closing the whole position at market leaves it even: what it
    has realized since it opened, after fees and funding (``result``, money), plus the
    close's PnL, less the close's taker fee (ppm), comes to zero.

    s·(Q·P − C)·cv + result − Q·P·cv·r = 0 gives P = (C·cv − s·result) / (Q·cv·(1 − s·r)).
    """
    return Fraction((cost * cv - side * result) * PPM, lots * cv * (PPM - side * taker_fee))


def price_at_ratio(
    instrument: Instrument,
    side: int,
    lots: int,
    cost: int,
    collateral: int,
    ratio: int = PPM,
    other_mm: int = 0,
    other_upnl: int = 0,
) -> tuple[tuple[int, int] | None, Tier]:
    """The price (ticks) where MM / equity = ``ratio`` (100 %: the liquidation price),
    as an exact fraction (numerator, denominator > 0), with the tier used there.

    LP = (WB − TMM + UPNL + cum − s·C·cv) / (Q·cv·MMR − s·Q·cv) at ratio 1; at a ratio
    r, MMR and cum are divided by r (equity = MM / r). The tier is first taken at
    the current notional and recomputed while the answer lands in another tier.
    ``None`` when no positive price reaches the ratio (e.g. a 1x long).
    """
    cv = instrument.contract_value
    tier = instrument.tier_for(cost * cv)
    seen = 0
    while True:
        seen |= 1 << tier.number
        # equity = MM / r, multiplied through by r = ratio / PPM so all stays integer
        numerator = (collateral - other_mm + other_upnl - side * cost * cv) * ratio + tier.cum * PPM
        denominator = lots * cv * (tier.mmr - side * ratio)
        if denominator < 0:
            numerator, denominator = -numerator, -denominator
        if numerator <= 0:
            return None, tier
        landed = instrument.tier_for(lots * cv * numerator // denominator)
        if landed.number == tier.number or seen & (1 << landed.number):
            return (numerator, denominator), tier
        tier = landed


def liquidation_price(
    instrument: Instrument,
    side: int,
    lots: int,
    cost: int,
    collateral: int,
    other_mm: int = 0,
    other_upnl: int = 0,
) -> tuple[Fraction | None, Tier]:
    """Price (ticks) where equity = MM, with MMR and cum of the tier at that price's notional."""
    exact, tier = price_at_ratio(
        instrument, side, lots, cost, collateral, PPM, other_mm, other_upnl
    )
    return (None if exact is None else Fraction(*exact)), tier


def trigger_tick(side: int, exact: tuple[int, int] | None) -> int:
    """The integer tick a mark must cross to reach an exact price: a long triggers when
    mark < the returned tick, a short when mark > it."""
    if exact is None:
        return 0 if side > 0 else 1 << 62  # never reached
    numerator, denominator = exact
    return -(-numerator // denominator) if side > 0 else numerator // denominator


@dataclass(frozen=True, slots=True)
class Assessment:
    """Everything about one position's margin at one mark price."""

    side: int
    lots: int
    cost: int
    mark: int
    notional: int
    tier: Tier
    maintenance: int
    unrealized: int
    equity: int
    ratio: int  # ppm
    liquidation_price: Fraction | None
    liquidation_tier: Tier
    bankruptcy_price: Fraction


def assess(
    instrument: Instrument,
    side: int,
    lots: int,
    cost: int,
    collateral: int,
    mark: int,
    other_mm: int = 0,
    other_upnl: int = 0,
) -> Assessment:
    """The full margin picture of a position (lots > 0) backed by ``collateral``."""
    cv = instrument.contract_value
    notional = instrument.notional(lots, mark)
    tier, mm = maintenance_margin(instrument, notional)
    upnl = unrealized_pnl(side, lots, cost, mark, cv)
    equity = collateral + upnl + other_upnl
    liq, liq_tier = liquidation_price(
        instrument, side, lots, cost, collateral, other_mm, other_upnl
    )
    bk = bankruptcy_price(side, lots, cost, collateral + other_upnl, cv)
    return Assessment(
        side=side,
        lots=lots,
        cost=cost,
        mark=mark,
        notional=notional,
        tier=tier,
        maintenance=mm,
        unrealized=upnl,
        equity=equity,
        ratio=margin_ratio(mm + other_mm, equity),
        liquidation_price=liq,
        liquidation_tier=liq_tier,
        bankruptcy_price=bk,
    )
