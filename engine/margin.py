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
    """IM = N / leverage, rounded up."""
    return ceil_div(notional, leverage)


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


def liquidation_price(
    instrument: Instrument,
    side: int,
    lots: int,
    cost: int,
    collateral: int,
    other_mm: int = 0,
    other_upnl: int = 0,
) -> tuple[Fraction | None, Tier]:
    """Price (ticks) where equity = MM, with MMR and cum of the tier at that price's notional.

    LP = (WB − TMM + UPNL + cum − s·C·cv) / (Q·cv·MMR − s·Q·cv). The tier is first
    taken at the entry notional and recomputed while the answer lands in another
    tier. ``None`` when no positive price liquidates (e.g. a 1x long).
    """
    cv = instrument.contract_value
    tier = instrument.tier_for(instrument.notional(lots, Fraction(cost, lots)))
    seen: set[int] = set()
    price: Fraction | None = None
    while tier.number not in seen:
        seen.add(tier.number)
        numerator = (collateral - other_mm + other_upnl + tier.cum - side * cost * cv) * PPM
        denominator = lots * cv * (tier.mmr - side * PPM)
        price = Fraction(numerator, denominator)
        if price <= 0:
            return None, tier
        landed = instrument.tier_for(int(lots * price * cv))
        if landed.number == tier.number:
            break
        tier = landed
    return price, tier


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
