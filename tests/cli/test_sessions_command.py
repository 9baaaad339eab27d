"""``adl-sandbox sessions`` lists the saved sessions; ``sessions prune`` removes old ones,
never the last session and never one open in another process."""

import os
import subprocess
import sys
import time

import pytest

from engine.scenario import load_scenario
from engine.simulation import Simulation
from tui import sessions
from tui.cli import main

DAY = 24 * 3600


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    return tmp_path


def saved(scenario: str, days_ago: float, steps: int = 5):
    """A saved app session, last used ``days_ago``."""
    session, journal = sessions.start(Simulation(load_scenario(scenario)))
    for _ in range(steps):
        session.step()
    path = sessions.save(journal)
    when = time.time() - days_ago * DAY
    os.utime(path, (when, when))
    return path


def run(capsys, *argv):
    code = main(["sessions", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_no_sessions_says_where_it_looked(capsys, home):
    assert run(capsys) == (0, f"No saved sessions in {home / 'sessions'}\n", "")


def test_the_list_shows_each_session_newest_first_and_marks_the_last(capsys, home):
    old = saved("calm", 30)
    new = saved("flash-crash", 1, steps=50)
    sessions.mark(old)  # resumed last: --resume opens it though it is not the newest
    code, out, err = run(capsys)
    rows = out.splitlines()
    assert code == 0 and err == ""
    assert rows[0].split() == ["session", "scenario", "size", "last", "used"]
    assert rows[1].startswith(f"  {new.stem}") and "flash-crash" in rows[1]
    assert rows[2].startswith(f"* {old.stem}") and " calm " in rows[2]
    assert "2 session(s)" in out and "* the last session" in out
    assert "kB" in rows[1] or "MB" in rows[1]


def test_prune_keep_1_keeps_the_newest_and_the_last(capsys, home):
    last = saved("calm", 40)
    middle = saved("calm", 20)
    newest = saved("volatile", 2)
    sessions.mark(last)
    size = middle.stat().st_size
    code, out, err = run(capsys, "prune", "--keep", "1")
    assert code == 0 and err == ""
    assert not middle.exists() and last.exists() and newest.exists()
    assert f"removed {middle.stem} (calm, " in out
    assert out.splitlines()[-1] == f"Removed 1 session(s), {size:,} bytes ({_size(size)}) freed."


def test_prune_older_than_removes_only_what_was_unused_that_long(capsys, home):
    ancient = saved("calm", 10)
    recent = saved("calm", 3)
    last = saved("calm", 0)
    code, out, _ = run(capsys, "prune", "--older-than", "7d")
    assert code == 0 and not ancient.exists() and recent.exists() and last.exists()
    assert "Removed 1 session(s)" in out


def test_with_both_rules_a_session_goes_only_when_neither_spares_it(capsys, home):
    paths = [saved("calm", days) for days in (30, 20, 10, 3)]
    sessions.mark(paths[-1])
    code, out, _ = run(capsys, "prune", "--keep", "3", "--older-than", "15d")
    assert code == 0 and [p.exists() for p in paths] == [False, True, True, True]


def test_prune_never_removes_the_last_session_even_when_it_is_the_only_one(capsys, home):
    only = saved("calm", 100)
    assert run(capsys, "prune", "--keep", "0")[0] == 0
    assert only.exists()


def test_a_session_open_in_another_process_is_listed_as_open_and_never_pruned(capsys, home):
    open_one = saved("calm", 50)
    saved("calm", 0)  # the last one
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(open_one)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        listing = run(capsys)[1]
        assert f"(open now, pid {holder.pid})" in listing
        code, out, _ = run(capsys, "prune", "--keep", "0")
        assert code == 0 and open_one.exists()
        assert f"kept {open_one.stem}: open in pid {holder.pid}" in out
        assert "Removed 0 session(s), 0 bytes (0 B) freed." in out
    finally:
        holder.kill()
        holder.wait()
    assert run(capsys, "prune", "--keep", "0")[0] == 0  # its lock went with its process
    assert not open_one.exists() and not open_one.with_name(open_one.name + ".pid").exists()


HOLD = """
import sys, time
from engine.journal import JournalWriter
JournalWriter.claim(sys.argv[1], create=False)
print("holding", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["prune"], "say what to remove: --keep N, --older-than AGE, or both"),
        (["prune", "--keep", "x"], "argument --keep: 'x' is not a whole number"),
        (["prune", "--keep", "-1"], "argument --keep: must not be negative"),
        (["prune", "--older-than", "soon"], "--older-than 'soon' is not a duration"),
        (["tidy"], "invalid choice: 'tidy'"),
    ],
)
def test_a_mistake_is_one_line(argv, message, capsys):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def _size(count: int) -> str:
    from tui.commands.sessions import size

    return size(count)
