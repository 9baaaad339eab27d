"""The edges' one rule per figure: prices with separators, liquidation and bankruptcy
prices toward the mark, scores in one plain format."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from engine import margin
from engine.units import format_price, format_score, toward_mark


def test_a_price_is_exact_with_thousands_separators():
    assert format_price(500123, Decimal("0.1")) == "50,012.3"
    assert format_price(12345, Decimal("1")) == "12,345"
    assert format_price(3, Decimal("0.5")) == "1.5"
    assert format_price(-5, Decimal("0.1")) == "-0.5"


@pytest.mark.parametrize("side", [1, -1])
@pytest.mark.parametrize(
    "exact", [Fraction(4779116465863, 10**8), Fraction(430507, 10), Fraction(2, 3), 5]
)
def test_a_threshold_goes_to_the_tick_the_mark_must_cross(side, exact):
    """Up for a long, down for a short: the tick the engine's liquidation index triggers
    on (a long once the mark is below it), never the nearest one."""
    tick = toward_mark(side, exact)
    assert tick == margin.trigger_tick(
        side, (Fraction(exact).numerator, Fraction(exact).denominator)
    )
    assert (tick >= exact) if side > 0 else (tick <= exact)
    assert abs(tick - exact) < 1


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (1 / 3 * 5, "1.667"),
        (0.000012345, "0.00001235"),  # never 1.234e-05
        (1234567.0, "1,235,000"),
        (-0.5, "-0.5"),
        (0.0, "0"),
        (float("inf"), "∞"),
    ],
)
def test_a_score_has_one_format(score, shown):
    assert format_score(score) == shown
