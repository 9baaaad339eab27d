"""The app's session store: a saved session resumes exactly and keeps journaling."""

import pytest

from engine.scenario import load_scenario
from engine.simulation import Simulation
from tui import sessions


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    return tmp_path


def play(session, steps, trades):
    for n in range(steps):
        session.step()
        if n in trades:
            session.set_leverage(20)
            session.submit("buy" if n % 2 else "sell", "0.05", order_type="market")
    session.submit("buy", "0.0015", "1")  # a rejected order is part of the record too


def test_a_saved_session_resumes_exactly_where_it_stopped(home):
    session, journal = sessions.start(Simulation(load_scenario("volatile"), seed=4))
    play(session, 300, {10, 40, 41, 200})
    saved = sessions.save(journal)
    assert saved.parent == home / "sessions" and sessions.last_session() == saved.resolve()
    before = session.exchange.account_view("you"), session.exchange.ledger_totals()

    resumed, journal, warnings = sessions.resume(None)
    assert warnings == []
    assert (resumed.exchange.account_view("you"), resumed.exchange.ledger_totals()) == before
    assert resumed.steps == 300 and len(resumed.commands) == len(session.commands)

    # it carries on, journaling, and resumes again to the same place as an unbroken run
    for _ in range(50):
        resumed.step()
    resumed.close_position()
    sessions.save(journal)
    again, journal, _ = sessions.resume(str(saved))
    assert again.exchange.account_view("you") == resumed.exchange.account_view("you")
    assert again.steps == 350
    journal.close()


def test_a_session_is_the_last_one_from_its_start_so_a_crash_keeps_it(home):
    _, older = sessions.start(Simulation(load_scenario("calm")))
    sessions.save(older)
    _, journal = sessions.start(Simulation(load_scenario("calm")))
    assert sessions.last_session() == journal.path.resolve()  # no save yet: a crash here
    journal.close()
    assert sorted(p.name for p in (home / "sessions").iterdir()) == sorted(
        [older.path.name, journal.path.name, sessions.LAST]  # no pid or temporary file left
    )


def test_resuming_a_session_makes_it_the_last_one(home):
    paths = []
    for _ in range(2):
        session, journal = sessions.start(Simulation(load_scenario("calm")))
        session.step()
        paths.append(sessions.save(journal))
    keeper = sessions.Keeper()
    keeper.resume(str(paths[0]))
    assert sessions.last_session() == paths[0].resolve()  # before its quit
    keeper.save()
