"""Every shipped scenario runs to completion with the invariants intact, and each one
shows what its description promises."""

import pytest

from engine.datafile import DataFileError
from engine.events import (
    FeedEnded,
    Trade,
)
from engine.scenario import load_scenario, shipped
from engine.simulation import Simulation

SHIPPED = [name for name, _ in shipped()]


def run(name: str, check_every: int = 250, **kwargs):
    simulation = Simulation(load_scenario(name), **kwargs)
    exchange = simulation.exchange
    events = []
    while simulation.step():
        events.extend(exchange.drain_events())
        if simulation.steps % check_every == 0:
            broken = [k for k, ok in exchange.check_invariants().items() if not ok]
            assert not broken, (name, simulation.steps, broken)
    events.extend(exchange.drain_events())
    assert all(exchange.check_invariants().values())
    return simulation, events


@pytest.fixture(scope="module")
def shipped_run():
    """Each shipped scenario's run, made once for the whole module."""
    runs: dict[str, tuple] = {}

    def get(name: str):
        if name not in runs:
            runs[name] = run(name)
        return runs[name]

    return get


def test_the_six_promised_scenarios_are_shipped():
    assert set(SHIPPED) >= {
        "calm",
        "volatile",
        "flash-crash",
        "short-squeeze",
        "thin-fund",
        "replay-sample",
    }
    assert all(description for _, description in shipped())


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_scenario_runs_to_completion_with_the_invariants_true(name, shipped_run):
    simulation, events = shipped_run(name)
    assert simulation.finished
    assert type(events[-1]) is FeedEnded
    assert sum(1 for e in events if type(e) is Trade) > 100  # a living market without the user
    if simulation.duration:
        assert simulation.time - simulation.start_time == simulation.duration


def test_a_replay_runs_to_the_end_of_its_file_without_a_duration(tmp_path):
    path = tmp_path / "prices.csv"
    rows = [f"{1_700_000_000 + 60 * i},{42_000 + (i % 7) * 3}.5" for i in range(40)]
    path.write_text("timestamp,price\n" + "\n".join(rows) + "\n")
    simulation, events = run("calm", replay=path)
    assert simulation.steps == 40
    assert simulation.instrument.tick_size == simulation.instrument.tick_size.__class__("0.1")
    assert simulation.start_time == 1_700_000_000 * 10**6
    assert events[-1].reason == "the replay file ended"


def test_same_seed_same_market_other_seed_other_market():
    def fingerprint(seed):
        simulation = Simulation(load_scenario("calm"), seed=seed, duration=600 * 10**6)
        simulation.run()
        return simulation.exchange.prices.index, simulation.exchange.ledger_totals()

    assert fingerprint(3) == fingerprint(3)
    assert fingerprint(3) != fingerprint(4)


@pytest.mark.parametrize(
    "text, message",
    [
        ("seed = -1\n", "seed: must not be negative"),
        ('[feed]\nkind = "teleport"\n', "feed.kind: 'teleport' is not random_walk, replay or path"),
        ('[market]\nadl_ranking = "lottery"\n', "market.adl_ranking: 'lottery' is not one of"),
        ('[population.crowd]\ncount = "many"\n', "population.crowd.count: expected an integer"),
        ('[population.makers]\nnotional = "-5"\n', "population.makers.notional: must not be"),
        ("[population.crowd]\nleverage = [[500, 1]]\n", "population.crowd.leverage: [500, 1]"),
        (
            '[[feed.shocks]]\nat = "1m"\nchange = "-150%"\nover = "1m"\n',
            "feed.shocks[0].change: must be above",
        ),
        ('[user]\nbalance = "lots"\n', "user.balance: balance 'lots' is not a number"),
        ('[market]\ninsurance_fnd = "1"\n', "market.insurance_fnd: unknown key"),
    ],
)
def test_a_bad_scenario_file_names_file_key_and_problem(tmp_path, text, message):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    with pytest.raises(DataFileError) as error:
        load_scenario(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)
