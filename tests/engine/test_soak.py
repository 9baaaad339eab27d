"""The long adversarial runs, for ``make soak`` only (``ADL_SOAK=1``): a crowd of
100,000 through flash-crash, run in slices as the app runs it; a week of calm; many
seeds of every crash scenario. Each keeps SPEC §1's invariants, and a sliced run is
the same run as a whole one."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from engine.events import AdlExecuted
from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from engine.units import HOUR, SECOND

pytestmark = pytest.mark.skipif(
    os.environ.get("ADL_SOAK") != "1", reason="a soak: make soak runs it"
)

SHOCK_AT = 20 * 60  # flash-crash's shock, in 1 s steps


def crowd_of(name: str, count: int):
    scenario = load_scenario(name)
    population = scenario.population
    return replace(
        scenario, population=replace(population, crowd=replace(population.crowd, count=count))
    )


def broken(session: Session) -> list[str]:
    return [name for name, ok in session.exchange.check_invariants().items() if not ok]


def test_a_crowd_of_100000_through_the_crash_in_slices_keeps_every_invariant():
    session = Session(
        Simulation(crowd_of("flash-crash", 100_000), duration=(SHOCK_AT + 150) * SECOND)
    )
    adl = 0
    while session.steps < SHOCK_AT - 10:
        session.step()
        session.drain_events()
    assert broken(session) == []
    while True:  # through the fall: every slice run on its own, checked after every step
        slices = sum(1 for _ in session.stepping())
        if session.finished:
            break
        assert slices > 1
        adl += sum(type(e) is AdlExecuted for e in session.drain_events())
        assert broken(session) == [], session.steps
    assert adl > 0, "the crash made no ADL event"


@pytest.mark.parametrize("name", ["flash-crash", "thin-fund", "short-squeeze"])
def test_a_sliced_run_is_the_same_run_as_a_whole_one(name):
    def run(sliced: bool) -> list:
        session = Session(Simulation(crowd_of(name, 3_000), seed=11, duration=30 * 60 * SECOND))
        events = []
        while not session.finished:
            if sliced:
                for _ in session.stepping():
                    pass
            else:
                session.step()
            events.extend(session.drain_events())
        return events

    assert run(sliced=True) == run(sliced=False)


def test_a_week_of_calm_keeps_every_invariant():
    session = Session(Simulation(load_scenario("calm"), seed=3, duration=7 * 24 * HOUR))
    while session.step():
        session.drain_events()
        if session.steps % 10_000 == 0:
            assert broken(session) == [], session.steps
    assert broken(session) == []


@pytest.mark.parametrize("name", ["flash-crash", "thin-fund", "short-squeeze", "volatile"])
def test_many_seeds_keep_every_invariant_at_every_step(name):
    for seed in range(20):
        session = Session(Simulation(load_scenario(name), seed=seed))
        while session.step():
            session.drain_events()
            assert broken(session) == [], (name, seed, session.steps)
