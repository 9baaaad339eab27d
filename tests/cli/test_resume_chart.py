"""``--resume`` opens on the charts as they were: the journal's replay refills them."""

from __future__ import annotations

import pytest

from engine.scenario import load_scenario
from engine.simulation import Simulation
from tui import sessions
from tui.app.history import LIQUIDATION, flag_events
from tui.app.market import Market


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    return tmp_path


def test_a_resumed_session_has_the_chart_it_had_point_for_point(home):
    session, journal = sessions.start(Simulation(load_scenario("flash-crash")))
    live = Market(session, paused=True)  # the app's market: one point a step
    for _ in range(40):
        live.step()
    session.submit("buy", "0.010")  # a command between steps adds no point
    for _ in range(260):
        live.step()
    saved = sessions.save(journal)

    keeper = sessions.Keeper()
    resumed, _ = keeper.resume(str(saved))
    chart, n = keeper.chart, resumed.steps  # the journal ends at its last record's step
    assert 290 <= n <= 300 and len(chart) == n
    before = live.history
    assert (chart.times, chart.marks, chart.indexes) == (
        before.times[:n],
        before.marks[:n],
        before.indexes[:n],
    )
    assert (chart.funds, chart.balances, chart.floors) == (
        before.funds[:n],
        before.balances[:n],
        before.floors[:n],
    )
    # the replay's listener is gone: the app's market records from here, alone
    market = Market(resumed, paused=True, history=chart)
    market.step()
    assert len(chart) == n + 1 and chart.marks[-1] == before.marks[n]
    keeper.save()


def test_the_resumed_chart_keeps_the_liquidations_it_saw(home):
    session, journal = sessions.start(Simulation(load_scenario("flash-crash")))
    live = Market(session, paused=True)
    for _ in range(400):
        live.step()
    flag_events(live.history, list(session.frame(1).events), session.user)
    saved = sessions.save(journal)
    keeper = sessions.Keeper()
    keeper.resume(str(saved))
    assert LIQUIDATION in set(keeper.chart.markers.values())  # the crash's liquidations
    assert keeper.chart.markers == live.history.markers
    keeper.save()
