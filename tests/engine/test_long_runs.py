"""Adversarial property: long random runs over every shipped scenario and every policy,
with a user trading wildly and a shock somewhere, keep SPEC §1's invariants at every
step."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.adl import AdlPrice, RankingPolicy
from engine.feeds.random_walk import Shock
from engine.policies import LossPolicy, TriggerPolicy
from engine.scenario import load_scenario, shipped
from engine.session import Session
from engine.simulation import Simulation
from engine.units import SECOND

SCENARIOS = [name for name, _ in shipped()]

user_moves = st.lists(
    st.tuples(
        st.integers(0, 399),  # at which step
        st.sampled_from(["buy", "sell"]),
        st.sampled_from(["0.001", "0.05", "0.5", "3", "40"]),
        st.sampled_from(["market", "limit", "ioc", "post_only", "stop_market"]),
        st.sampled_from([1, 10, 50, 125]),  # leverage
    ),
    max_size=12,
)
policies = st.tuples(
    st.sampled_from(list(RankingPolicy)),
    st.sampled_from(list(AdlPrice)),
    st.sampled_from(list(TriggerPolicy)),
    st.sampled_from(list(LossPolicy)),
)


@settings(max_examples=settings.default.max_examples * 3 // 10, deadline=None)
@given(
    st.sampled_from(SCENARIOS),
    st.integers(0, 2**31),
    policies,
    st.sampled_from([-0.2, -0.08, 0.1, 0.25]),
    user_moves,
)
def test_long_random_runs_keep_every_invariant_at_every_step(name, seed, policy, shock, moves):
    scenario = load_scenario(name)
    ranking, adl_price, trigger, loss = policy
    market = replace(
        scenario.market,
        ranking=ranking,
        adl_price=adl_price,
        trigger_policy=trigger,
        loss_policy=loss,
    )
    feed = replace(scenario.feed, shocks=(Shock(at=120 * SECOND, change=shock, over=60 * SECOND),))
    scenario = replace(scenario, market=market, feed=feed)
    session = Session(Simulation(scenario, seed=seed, duration=400 * SECOND))
    exchange = session.exchange
    pending = sorted(moves)
    while session.step():
        while pending and pending[0][0] <= session.steps:
            _, side, qty, order_type, leverage = pending.pop(0)
            session.set_leverage(leverage)
            mark = exchange.instrument.price_text(exchange.prices.mark)
            price = None if order_type == "market" else mark
            trigger = mark if order_type == "stop_market" else None
            session.submit(side, qty, price, order_type, trigger=trigger)
        broken = [k for k, ok in exchange.check_invariants().items() if not ok]
        assert not broken, (name, seed, session.steps, broken)
        if loss is LossPolicy.ADL:  # the fund never pays past its floor: ADL takes the rest
            assert exchange.fund.balance >= 0, (name, seed, session.steps)
    session.drain_events()
