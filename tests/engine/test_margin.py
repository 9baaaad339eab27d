"""Margin math with exact integers: MM, IM, leverage limits, liquidation and bankruptcy prices."""

from fractions import Fraction

from engine import margin
from engine.instrument import default_instrument
from engine.units import MONEY_SCALE, PPM

USDT = MONEY_SCALE
BTC = default_instrument()


def test_maintenance_margin_at_several_notionals():
    cases = {
        10_000: 40,  # 0.40 %
        50_000: 200,  # the tier boundary is continuous: 0.5 % × 50k − 50
        60_000: 250,  # 0.50 % − 50
        300_000: 1_700,  # 1.0 % − 1,300
        2_000_000: 33_700,  # 2.5 % − 16,300
        15_000_000: 483_700,  # 5 % − 266,300
    }
    for notional, expected in cases.items():
        tier, mm = margin.maintenance_margin(BTC, notional * USDT)
        assert mm == expected * USDT, (notional, tier)


def test_initial_margin_and_the_leverage_limit_of_each_tier():
    assert margin.initial_margin(10_000 * USDT, 20) == 500 * USDT
    assert margin.initial_margin(1, 3) == 1  # rounded up, never down
    assert margin.max_leverage(BTC, 49_999 * USDT) == 125
    assert margin.max_leverage(BTC, 50_000 * USDT) == 100
    assert margin.max_leverage(BTC, 1_000_000 * USDT) == 20
    assert margin.max_leverage(BTC, 400_000_000 * USDT) == 1


def test_isolated_long_liquidation_and_bankruptcy_prices():
    # 1 BTC long at 10,000 with 1,000 USDT margin (10x), tier 1 (0.4 %):
    # LP = (1000 − 10000) / (0.004 − 1) = 9036.1445…; P_bk = 10000 − 1000 = 9000.
    lots, entry = 1000, 100_000  # 1 BTC at 10,000.0
    a = margin.assess(BTC, 1, lots, lots * entry, 1_000 * USDT, mark=entry)
    assert a.liquidation_price == Fraction(9_000 * 10 * PPM, 996_000)  # ticks
    assert float(a.liquidation_price) / 10 == 9036.144578313253
    assert a.bankruptcy_price == 90_000
    assert a.maintenance == 40 * USDT
    assert a.equity == 1_000 * USDT
    assert a.ratio == 40_000  # 4 % of the way to liquidation


def test_equity_equals_maintenance_at_the_liquidation_price():
    lots, entry, collateral = 2_500, 400_000, 5_000 * USDT  # 2.5 BTC short at 40,000, 20x
    a = margin.assess(BTC, -1, lots, lots * entry, collateral, mark=entry)
    liq = a.liquidation_price
    equity = collateral - (lots * liq - lots * entry) * BTC.contract_value
    mm = lots * liq * BTC.contract_value * Fraction(a.liquidation_tier.mmr, PPM)
    assert equity == mm - a.liquidation_tier.cum
    assert a.bankruptcy_price == 420_000  # 40,000 + 5,000 / 2.5


def test_liquidation_uses_the_tier_at_the_liquidation_notional():
    # 1.3 BTC long at 40,000 (52,000 notional: tier 2) with 10,000 margin: at the
    # liquidation price the notional falls under 50,000, so tier 1 applies.
    lots, entry = 1_300, 400_000
    a = margin.assess(BTC, 1, lots, lots * entry, 10_000 * USDT, mark=entry)
    assert a.tier.number == 2
    assert a.liquidation_tier.number == 1
    notional = lots * a.liquidation_price * BTC.contract_value
    assert notional < 50_000 * USDT


def test_a_one_x_long_has_no_liquidation_price():
    lots, entry = 1_000, 100_000
    a = margin.assess(BTC, 1, lots, lots * entry, 10_000 * USDT, mark=entry)
    assert a.liquidation_price is None
    assert a.bankruptcy_price == 0


def test_margin_ratio_is_unbounded_once_equity_is_gone():
    assert margin.margin_ratio(10, 0) == margin.UNBOUNDED_RATIO
    assert margin.margin_ratio(80, 100) == 800_000
