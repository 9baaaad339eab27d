"""What the fund's page reads of the engine: the fund's floor under each ADL trigger, its
gross flows, and what the backstop holds, a side a line — with hand-computed integers
on the waterfall's stage (``test_waterfall.py``: 1 lot·tick is 0.0001 USDT)."""

from fractions import Fraction

import pytest

from engine.policies import TriggerPolicy
from engine.session import start
from engine.views import HeldSide

from .test_waterfall import USDT, crash_to, stage


@pytest.mark.parametrize(
    ("trigger", "floor"),
    [
        (TriggerPolicy.FUND_EXHAUSTED, 0),
        (TriggerPolicy.FUND_DRAWDOWN, 700 * USDT),  # 30 % below the peak of 1,000
        (TriggerPolicy.TAKEOVER_CAP, 0),  # the balance rules as under fund_exhausted
    ],
)
def test_the_floor_is_the_one_the_fund_pays_down_to(trigger, floor):
    exchange = stage("1000", [("1", 49_100)], trigger_policy=trigger)
    assert exchange.market_view().fund_floor == floor == exchange.fund.floor()


def test_the_gross_flows_count_what_came_in_and_what_went_out():
    # 0.4 sold at 49,100 (+40), 0.6 at 48,800 paid by the fund (−120)
    exchange = stage("1000", [("0.4", 49_100), ("0.6", 48_800)])
    crash_to(exchange, 49_150)
    view = exchange.market_view()
    assert (view.fund_in, view.fund_out) == (40 * USDT, 120 * USDT)
    assert view.insurance_fund == (1000 + 40 - 120) * USDT
    assert view.backstop == ()  # all of it worked off


def test_what_the_backstop_holds_is_told_a_side_a_line():
    # the take-over cap leaves 20 lots (0.02 BTC) held, taken over at bankruptcy 49,000;
    # at the mark 49,150 they are 0.02 × 150 = 3 USDT in the fund's favour
    exchange = stage("1000", [("0.02", 49_100)], trigger_policy=TriggerPolicy.TAKEOVER_CAP)
    crash_to(exchange, 49_150)
    view = exchange.market_view()
    assert view.backstop == (
        HeldSide(side=1, positions=1, lots=20, cost=980 * USDT, entry=Fraction(490_000),
                 unrealized=3 * USDT),
    )  # fmt: skip
    assert view.fund_equity == view.insurance_fund + 3 * USDT == exchange.fund_equity()


def test_the_price_point_of_every_step_carries_the_fund():
    session = start("thin-fund", seed=5)
    for _ in range(30):
        session.step()
    point, view = session.price_point(), session.exchange.market_view()
    assert (point.fund_equity, point.fund_balance, point.fund_floor) == (
        view.fund_equity,
        view.insurance_fund,
        view.fund_floor,
    )
    assert point.fund_floor == 140 * USDT  # thin-fund: 200, 30 % drawdown allowed
