"""``adl-sandbox`` without a subcommand: every mistake stops before the screen opens."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tui import cli
from tui.app import SandboxApp

REPLAY = Path(__file__).resolve().parents[2] / "engine" / "data" / "replay-sample.csv"


@pytest.fixture
def opened(monkeypatch, tmp_path):
    """Apps the command would have run (their ``run`` is replaced: no terminal needed);
    their journals go to a temporary home."""
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    apps: list[SandboxApp] = []
    monkeypatch.setattr(SandboxApp, "run", lambda self: apps.append(self))
    monkeypatch.setattr("tui.runtime.settle_heap", lambda: None)  # keep pytest's own heap as is
    return apps


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--speed", "0"], "--speed: '0' must be above 0"),
        (["--speed", "fast"], "--speed: 'fast' is not a number or max"),
        (["--scenario", "nope"], "unknown scenario 'nope'; shipped: calm"),
        (["--scenario", "missing.toml"], "missing.toml: no such scenario file"),
        (["--replay", "/no/such.csv"], "/no/such.csv: no such file"),
        (["--replay", str(REPLAY), "--format", "nope"], "argument --format: invalid choice"),
        (["--format", "generic"], "--format needs --replay"),
        (["--seed", "-1"], "argument --seed: must not be negative"),
        (["--seed", "x"], "argument --seed: 'x' is not a whole number"),
        (["--resume", "/no/journal.jsonl"], "/no/journal.jsonl: no such journal"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_any_screen(argv, message, opened, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("adl-sandbox: ")
    assert opened == []


def test_no_arguments_open_calm_already_moving(opened):
    assert cli.main([]) == 0
    (app,) = opened
    assert app.session.simulation.scenario.name == "calm" and app.market.speed == 1
    assert app.live and not app.market.paused and app.warmup > 0


def test_scenario_seed_and_speed_reach_the_app(opened):
    assert cli.main(["--scenario", "flash-crash", "--seed", "9", "--speed", "max"]) == 0
    (app,) = opened
    assert app.session.simulation.seed == 9 and math.isinf(app.market.speed)
    assert app.session.simulation.scenario.name == "flash-crash"


def test_a_replay_file_drives_the_session(opened, capsys):
    assert cli.main(["--replay", str(REPLAY), "--speed", "2.5"]) == 0
    (app,) = opened
    assert app.session.simulation.replay is not None and app.market.speed == 2.5
    assert "Session saved to" in capsys.readouterr().out


def test_quitting_saves_the_session_and_resume_reopens_it_exactly(opened, capsys, tmp_path):
    assert cli.main(["--scenario", "volatile", "--seed", "3"]) == 0
    (first,) = opened
    saved = capsys.readouterr().out.split("Session saved to ")[1].split("\n")[0]
    assert saved.startswith(str(tmp_path / "sessions"))
    state = first.session.exchange.account_view("you"), first.session.steps
    assert cli.main(["--resume"]) == 0
    resumed = opened[1]
    assert (resumed.session.exchange.account_view("you"), resumed.session.steps) == state
    assert resumed.warmup == 0  # a resumed market goes on from where it was
    assert cli.main(["--resume", saved]) == 0


def test_a_killed_app_session_resumes_from_its_journal(opened, monkeypatch, tmp_path):
    """The journal is flushed every step, so even an app that never quit resumes."""
    from tui import sessions

    # as if killed: the kernel closes the journal (and drops its lock), nothing else
    monkeypatch.setattr(sessions, "save", lambda journal: journal.close())
    assert cli.main(["--scenario", "calm"]) == 0
    (app,) = opened
    steps = app.session.steps
    monkeypatch.undo()
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    monkeypatch.setattr(SandboxApp, "run", lambda self: opened.append(self))
    monkeypatch.setattr("tui.runtime.settle_heap", lambda: None)
    assert cli.main(["--resume"]) == 0  # the pointer, marked when the session started
    assert opened[1].session.steps == steps


def test_the_first_plain_run_offers_lesson_1_and_only_the_first(opened):
    assert cli.main([]) == 0
    assert cli.main([]) == 0  # a session is kept now: no longer a first run
    first, second = opened
    assert first.welcome is not None and first.welcome.number == 1
    assert second.welcome is None


def test_a_first_run_with_flags_is_not_offered_a_lesson(opened):
    assert cli.main(["--scenario", "calm"]) == 0
    (app,) = opened
    assert app.welcome is None
