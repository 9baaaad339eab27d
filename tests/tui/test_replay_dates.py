"""A replay of real data shows its moments as dates and times (UTC) wherever a moment is
shown; a scripted or random-walk run keeps its session clock (07:00:00 at the start)."""

from __future__ import annotations

import engine.events as ev
from engine.instrument import default_instrument
from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from engine.units import SECOND, format_moment
from tui.app import SandboxApp
from tui.app.liquidation_story import clawback_words
from tui.app.log_lines import Describer

from .aggtrades import START_MS, START_TEXT, aggtrades
from .helpers import drive, paused_app, seen

WARMUP = 200  # rows: some five seconds of the file


def replay_app(tmp_path) -> SandboxApp:
    session = Session(Simulation(load_scenario("calm"), replay=aggtrades(tmp_path, 60)))
    return SandboxApp(session, paused=True, live=False, warmup=WARMUP)


def test_a_real_time_replay_shows_dates_in_the_header_the_log_and_the_chart(tmp_path):
    app = replay_app(tmp_path)

    async def script(pilot) -> None:
        screen = await seen(pilot)
        now = format_moment(app.session.exchange.time, True)
        assert now.startswith("2021-12-31 23:16:4") or now.startswith("2021-12-31 23:16:5")
        header = screen.splitlines()[0]
        assert now in header and "18992d" not in screen
        assert f"{START_TEXT} deposit 10,000.00" in screen  # the log
        assert f"{now} ─" in screen  # the chart's time axis ends at this moment

    drive(app, script, size=(160, 48))


def test_a_scripted_run_keeps_its_session_clock():
    app = paused_app("calm", steps=3)

    async def script(pilot) -> None:
        screen = await seen(pilot)
        assert "07:00:02" in screen.splitlines()[0]
        assert "07:00:00 deposit 10,000.00" in screen and "1970" not in screen

    drive(app, script, size=(160, 48))


def test_a_replay_counted_from_zero_keeps_the_session_clock(tmp_path):
    """A synthetic file's 0, 1, 2 s are not moments of 1970."""
    path = tmp_path / "synthetic.csv"
    path.write_text("time,price\n" + "".join(f"{t},{100 + t % 3}\n" for t in range(30)))
    assert not Simulation(load_scenario("calm"), replay=path).dated
    assert Simulation(load_scenario("calm"), replay=aggtrades(tmp_path, 2)).dated
    assert not Simulation(load_scenario("calm")).dated


def test_one_rule_for_every_moment():
    t = START_MS * 1000 + 5 * SECOND
    assert format_moment(t, True) == "2021-12-31 23:16:50"
    assert format_moment(7 * 3600 * SECOND, False) == "07:00:00"
    assert format_moment(10**18, True) == format_moment(10**18, False)  # past the year 9999
    deposit = ev.Deposit(time=t, account="you", amount=1)
    assert Describer(default_instrument(), "you", dated=True).line(deposit).time == (
        "2021-12-31 23:16:50"
    )
    clawback = ev.SocializedLoss(time=t, liquidated="x", deficit=1, collected=1, accounts=1, rate=1)
    assert clawback_words(clawback, dated=True).startswith("2021-12-31 23:16:50 · ")
