"""The explain view's numbers are the engine's: the formulas, filled in, land on its results."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from engine import adl, margin
from engine.adl import Holder, RankingPolicy, score_terms
from engine.exchange import Exchange
from engine.explain import explain
from engine.units import MONEY_SCALE, SECOND
from tests.engine.helpers import INDEX, USDT, make_exchange, trade

CV = 10_000  # one lot (0.001 BTC) at one tick (0.1): 0.0001 USDT


def market_with_positions(mode: str = "cross") -> Exchange:
    """'you' long 0.5 BTC at 50,000 (20x) against two shorts; lights published."""
    exchange = make_exchange(fund=1_000 * USDT)
    exchange.open_account("you", 5_000 * USDT, mode, 20)
    exchange.open_account("s1", 50_000 * USDT, "cross", 10)
    exchange.open_account("s2", 50_000 * USDT, "isolated", 10)
    exchange.open_account("l2", 50_000 * USDT, "cross", 5)
    trade(exchange, "you", "s1", 500, INDEX)
    trade(exchange, "l2", "s2", 300, INDEX)
    exchange.advance(20 * SECOND, INDEX + 2_000)  # the mark moves; lights refresh
    return exchange


def test_a_flat_account_has_nothing_to_explain():
    exchange = make_exchange()
    exchange.open_account("you", 1_000 * USDT)
    assert explain(exchange, "you") is None
    assert explain(exchange, "nobody") is None


@pytest.mark.parametrize("mode", ["cross", "isolated"])
def test_the_margin_picture_is_the_position_view(mode):
    exchange = market_with_positions(mode)
    e = explain(exchange, "you")
    p = exchange.account_view("you").position
    assert (e.side, e.lots, e.entry, e.mark) == (1, 500, p.entry, p.mark)
    assert (e.equity, e.maintenance, e.ratio, e.collateral) == (
        p.equity,
        p.maintenance,
        p.ratio,
        p.margin,
    )
    assert e.tier.number == p.tier and e.tier.mmr == p.mmr
    assert e.liquidation.price == p.liquidation_price
    assert e.bankruptcy.price == p.bankruptcy_price
    assert e.equity == e.collateral + e.unrealized


@pytest.mark.parametrize("mode", ["cross", "isolated"])
def test_the_filled_liquidation_formula_gives_the_engines_price(mode):
    exchange = market_with_positions(mode)
    e = explain(exchange, "you")
    terms = e.liquidation
    tick = Fraction(exchange.instrument.tick_size)
    assert Fraction(terms.top, MONEY_SCALE) / terms.bottom == terms.price * tick
    assert terms.top == terms.wallet + terms.tier.cum - e.side * e.lots * e.entry * CV
    # at LP the equity is the maintenance margin (the engine rounds MM up to the unit)
    equity_there = e.collateral + margin.unrealized_pnl(
        e.side, e.lots, e.lots * e.entry, terms.price, CV
    )
    assert 0 <= terms.maintenance_at_price - equity_there < 1


def test_the_bankruptcy_formula_gives_the_engines_price():
    e = explain(market_with_positions("isolated"), "you")
    b = e.bankruptcy
    assert b.entry - e.side * Fraction(b.collateral, e.lots * CV) == b.price
    equity_there = b.collateral + margin.unrealized_pnl(
        e.side, e.lots, e.lots * e.entry, b.price, CV
    )
    assert equity_there == 0


def test_the_lights_band_holds_the_published_share():
    exchange = market_with_positions()
    a = explain(exchange, "you").adl
    light = exchange.light("you")
    assert (a.rank, a.lights, a.share) == (light.rank, light.lights, light.share)
    low, high = a.band
    assert low < a.share <= high
    assert a.queue_length == 2  # you and l2 are long
    assert a.policy == "bitmex" and not a.grouped


def test_the_explanation_follows_the_policy_in_force():
    exchange = market_with_positions()
    exchange.configure(ranking="pro_rata")
    exchange.advance(40 * SECOND, INDEX + 2_000)
    a = explain(exchange, "you").adl
    assert a.policy == "pro_rata" and a.grouped
    assert a.terms == (("in profit", 1.0),)


WINNER = Holder("w", -1, 200, 200 * 510_000, 800 * USDT, 40 * USDT, 0)
LOSER = Holder("l", 1, 200, 200 * 510_000, 800 * USDT, 40 * USDT, 0)


@pytest.mark.parametrize("holder", [WINNER, LOSER], ids=["winner", "loser"])
@pytest.mark.parametrize("policy", list(RankingPolicy))
def test_the_score_terms_make_the_engines_score(policy, holder):
    mark = 500_000
    terms = [value for _, value in score_terms(policy, holder, mark, CV)]
    score = adl.score(policy, holder, mark, CV)
    if policy is RankingPolicy.RANDOM:
        assert terms == [] and score == 0.0
        return
    combined = math.prod(terms)
    if policy is RankingPolicy.BITMEX and terms[0] <= 0:
        combined = terms[0] / terms[1]
    assert combined == pytest.approx(score, rel=1e-12)
