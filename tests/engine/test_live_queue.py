"""The queue kept across a step's ADL events walks exactly as a fresh ranking would.

A crash step's events share one ``LiveQueue`` per side instead of ranking the side
afresh each time; whatever the events closed in between, its order, its capacity U
and what each event saw must be the ones a fresh ``adl.queue`` gives.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import adl
from engine.adl import Holder, RankingPolicy
from engine.events import AdlExecuted
from engine.live_queue import LiveQueue
from engine.scenario import load_scenario
from engine.simulation import Simulation
from engine.units import MINUTE

MARK, CV = 50_000, 10_000
SCORED = [RankingPolicy.BITMEX, RankingPolicy.BINANCE, RankingPolicy.HYPERLIQUID]


@st.composite
def sides(draw) -> list[Holder]:
    side = draw(st.sampled_from([1, -1]))
    count = draw(st.integers(1, 40))
    holders = []
    for n in range(count):
        lots = draw(st.integers(1, 50))
        entry = draw(st.integers(45_000, 55_000))
        collateral = draw(st.integers(1, 5 * lots * entry)) * CV // 10
        maintenance = draw(st.integers(0, lots * entry * CV // 100))
        opened = draw(st.integers(0, 5))  # ties on purpose: the tie-breaks must agree too
        holders.append(Holder(f"t{n}", side, lots, lots * entry, collateral, maintenance, opened))
    return holders


def closed_in_part(holder: Holder, lots: int) -> Holder | None:
    """The position after ``lots`` are closed, as the ledger keeps it (cost pro rata)."""
    if lots >= holder.lots:
        return None
    removed = holder.cost * lots // holder.lots
    return holder._replace(lots=holder.lots - lots, cost=holder.cost - removed)


@given(
    policy=st.sampled_from(SCORED),
    holders=sides(),
    events=st.lists(st.tuples(st.integers(1, 6), st.integers(1, 60)), max_size=8),
)
def test_every_walk_is_the_fresh_queue_of_the_side_as_it_stands(policy, holders, events):
    live = LiveQueue(policy, holders, MARK, CV)
    now = {h.account: h for h in holders}
    for reach, lots in events:
        fresh = adl.queue(policy, list(now.values()), MARK, CV)
        assert live.capacity == adl.capacity(list(now.values()), MARK, CV)
        assert sorted(live.snapshot().holders()) == sorted(now.values())
        walked = []
        for holder, value in live.walk(lots):  # an event reads only the head of the queue
            walked.append((holder, value))
            if len(walked) == reach:
                break
        assert walked == fresh[: len(walked)]
        changed = []
        for holder, _ in walked[::2]:  # it closes some of what it read, in part or whole
            after = closed_in_part(holder, lots)
            changed.append((holder, after))
            if after is None:
                del now[holder.account]
            else:
                now[holder.account] = after
        live.update(changed)
    assert list(live.walk(1)) == adl.queue(policy, list(now.values()), MARK, CV)


@given(
    policy=st.sampled_from(SCORED),
    holders=sides(),
    events=st.lists(
        st.tuples(st.integers(1, 120), st.integers(40_000, 60_000)), min_size=1, max_size=10
    ),
)
def test_every_take_is_the_allocation_a_fresh_ranking_gives(policy, holders, events):
    """Events at prices that jump about (so that winners too leveraged for one price are
    skipped at it, and must be checked again at a better one): each ``take`` gives the
    positions, lots, ranks and scores ``adl.allocate`` gives on the side as it stands."""
    live = LiveQueue(policy, holders, MARK, CV)
    now = {h.account: h for h in holders}
    for lots, price in events:
        expected = adl.allocate(policy, list(now.values()), lots, MARK, CV, price, None)
        taken = live.take(lots, price)
        assert taken == expected
        changed = [(h, closed_in_part(h, n)) for h, n, _, _ in taken]
        for before, after in changed:
            if after is None:
                del now[before.account]
            else:
                now[before.account] = after
        live.update(changed)


def test_a_winner_too_leveraged_for_one_price_is_taken_at_a_better_one(monkeypatch):
    """Shorts from 52,000, in profit at 50,000, with collateral (6,000) for a loss of
    5,000 only: closing 5 lots at 53,000 is possible, at 54,000 not."""
    holders = [Holder(f"t{n}", -1, 10, 10 * 52_000, 6_000 * CV, 0, n) for n in range(3)]
    live = LiveQueue(RankingPolicy.BITMEX, holders, MARK, CV)
    first = live.take(5, 50_000)
    live.update([(h, closed_in_part(h, n)) for h, n, _, _ in first])
    assert live.take(5, 54_000) == []  # a loss over the collateral for every one of them
    checks = []
    monkeypatch.setattr(adl, "survives", lambda *args: checks.append(args) or False)
    assert live.take(50, 54_000) == []  # more lots at the same price: skipped unchecked
    assert checks == []
    monkeypatch.undo()
    assert [(h.account, n, rank) for h, n, rank, _ in live.take(5, 53_000)] == [("t1", 5, 1)]


def test_what_an_event_saw_stays_as_it_saw_it():
    holders = [Holder(f"t{n}", -1, 10, 10 * 49_000, 10**12, 0, n) for n in range(5)]
    live = LiveQueue(RankingPolicy.BITMEX, holders, MARK, CV)
    before = live.snapshot()
    live.update([(holders[0], None), (holders[1], closed_in_part(holders[1], 4))])
    after = live.snapshot()
    assert before.holders() == tuple(holders)
    assert [h.lots for h in after.holders()] == [6, 10, 10, 10]


def crash(monkeypatch, venue: str, live: bool) -> list:
    """Every event of a flash-crash with a crowd big enough for many ADL events a step."""
    scenario = load_scenario("flash-crash")
    population = scenario.population
    shock = replace(scenario.feed.shocks[0], at=3 * MINUTE)
    scenario = replace(
        scenario,
        population=replace(population, crowd=replace(population.crowd, count=800)),
        feed=replace(scenario.feed, shocks=(shock,)),
    )
    if not live:  # every event ranks the side afresh, as before the live queue
        monkeypatch.setattr("engine.deleveraging.adl.walks_by_score", lambda policy: False)
    simulation = Simulation(scenario, duration=5 * MINUTE, venue=venue)
    events = []
    while simulation.step():
        events.extend(simulation.exchange.drain_events())
    monkeypatch.undo()
    return events


@pytest.mark.parametrize("venue", ["bitmex", "binance", "hyperliquid"])
def test_a_crash_is_the_same_event_for_event_with_the_live_queue(monkeypatch, venue):
    kept = crash(monkeypatch, venue, live=True)
    per_step = Counter(e.time for e in kept if type(e) is AdlExecuted)
    assert max(per_step.values()) >= 3, "no step had several ADL events: nothing was tested"
    assert kept == crash(monkeypatch, venue, live=False)
