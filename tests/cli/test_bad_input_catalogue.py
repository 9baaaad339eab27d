"""The catalogue of bad inputs: flags, scenario files, replays, journals, positions
files. Each one ends in one line on stderr naming what is wrong, exit status 2, no
traceback, and every file that was there before is there after, byte for byte (and
nothing new appears).

Order tickets are the last part: a bad order is the exchange's one-line rejection and
the account is as it was.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.scenario import load_scenario, scenario_path
from engine.session import Session
from engine.simulation import Simulation
from tui.cli import main

CALM = scenario_path("calm").read_text()


def snapshot(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Every entry under ``folder``: what it is and what it holds (a link: its target)."""
    seen = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            seen[name] = ("link", os.readlink(path).encode())
        elif path.is_dir():
            seen[name] = ("dir", b"")
        elif path.is_file():
            seen[name] = ("file", path.read_bytes())
        else:
            seen[name] = ("special", b"")
    return seen


@pytest.fixture
def refused(capsys, monkeypatch, tmp_path):
    """Run the command line in a scratch folder; assert it refused in one line and
    left every file alone; return the line."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path / "home"))

    def run(args: list[str], fragment: str) -> str:
        before = snapshot(tmp_path)
        code = main(args)
        out, err = capsys.readouterr()
        assert code == 2, (args, out, err)
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err, err
        assert fragment in err, err
        assert snapshot(tmp_path) == before, "a file changed"
        return err

    return run


# -- flags --------------------------------------------------------------------------------

FLAGS = {
    "duration above a year": (["simulate", "--duration", "400d"], "longer than the longest"),
    "duration zero": (["simulate", "--duration", "0s"], "must be positive"),
    "sort without a replay": (["simulate", "--sort"], "--sort needs --replay"),
    "start without a replay": (["simulate", "--start", "2024-01-01"], "--start needs --replay"),
    "end without a replay": (["simulate", "--end", "1700000000"], "--end needs --replay"),
    "format without a replay": (["simulate", "--format", "generic"], "--format needs --replay"),
    "negative seed": (["simulate", "--seed", "-1"], "must not be negative"),
    "unknown venue": (["simulate", "--venue", "nyse"], "invalid choice"),
    "speed zero": (["--speed", "0"], "--speed"),
    "unknown scenario": (["simulate", "--scenario", "nowhere"], "nowhere"),
    "app venue all": (["--venue", "all"], "invalid choice"),
    "journal name too long": (
        ["simulate", "--duration", "1m", "--journal", "j" * 300 + ".jsonl"],
        "File name too long",
    ),
    "scenario name too long": (["simulate", "--scenario", "s" * 300 + ".toml"], "too long"),
    "replay name too long": (["simulate", "--replay", "r" * 300 + ".csv"], "too long"),
    "journal with venue all": (
        ["simulate", "--venue", "all", "--journal", "j.jsonl"],
        "--venue all runs six markets",
    ),
    "split unknown policy": (["calc", "split", "a.csv", "--policy", "fifo"], "invalid choice"),
    "split severity above one": (
        ["calc", "split", "a.csv", "--policy", "queue", "--severity", "1.5"],
        "--severity: '1.5' is not in [0, 1]",
    ),
    "split cap for another policy": (
        ["calc", "split", "a.csv", "--policy", "queue", "--cap", "0.5"],
        "--cap only applies",
    ),
    "split unknown risk weight": (
        ["calc", "split", "a.csv", "--policy", "all", "--risk", "square"],
        "--risk: 'square'",
    ),
    "split missing accounts file": (
        ["calc", "split", "a.csv", "--policy", "queue"],
        "a.csv: no such file",
    ),
}


@pytest.mark.parametrize("case", sorted(FLAGS))
def test_a_bad_flag(refused, case):
    args, fragment = FLAGS[case]
    refused(args, fragment)


@pytest.fixture(scope="module")
def journal_lines(tmp_path_factory) -> list[str]:
    """A short journaled run's lines: header, set-up, steps, a user's command."""
    path = tmp_path_factory.mktemp("journal") / "run.jsonl"
    assert main(["simulate", "--scenario", "calm", "--duration", "3m", "--journal", str(path)]) == 0
    return path.read_text().splitlines()


RESUME_CONFLICTS = {
    "seed": (["--seed", "3"], "--seed has no effect with --resume"),
    "venue": (["--venue", "okx"], "--venue has no effect with --resume"),
    "replay": (["--replay", "prices.csv"], "--replay: the journal's run replayed no file"),
    "scenario": (["--scenario", "calm.toml"], "the shipped scenario 'calm', which cannot move"),
    "sort": (["--sort"], "--sort has no effect with --resume"),
    "start": (["--start", "1700000000"], "--start has no effect with --resume"),
    "journal": (["--journal", "other.jsonl"], "appends to its own journal"),
}


@pytest.mark.parametrize(
    ("command", "case"),
    [
        (command, case)
        for command in ("simulate", "app")
        for case in sorted(RESUME_CONFLICTS)
        if (command, case) != ("app", "journal")  # the app has no --journal: sessions are
    ],
)
def test_a_flag_a_resumed_run_would_ignore(refused, tmp_path, journal_lines, case, command):
    (tmp_path / "run.jsonl").write_text("\n".join(journal_lines) + "\n")
    (tmp_path / "prices.csv").write_text("timestamp,price\n1700000000,100\n")
    (tmp_path / "calm.toml").write_text(CALM)
    flags, fragment = RESUME_CONFLICTS[case]
    prefix = ["simulate"] if command == "simulate" else []
    refused([*prefix, "--resume", "run.jsonl", *flags], fragment)


# -- outputs never destroy inputs ----------------------------------------------------------


def test_a_journal_over_the_scenario_is_refused_even_with_force(refused, tmp_path):
    (tmp_path / "mine.toml").write_text(CALM)
    args = ["simulate", "--scenario", "mine.toml", "--journal", "mine.toml"]
    refused(args, "mine.toml is an input of this run")
    refused([*args, "--force"], "mine.toml is an input of this run")


def test_a_journal_over_the_replay_is_refused_even_with_force(refused, tmp_path):
    (tmp_path / "r.csv").write_text("timestamp,price\n1700000000,100\n1700000001,101\n")
    args = ["simulate", "--replay", "r.csv", "--journal", "r.csv", "--force"]
    refused(args, "r.csv is an input of this run")


def test_an_existing_journal_is_kept_without_force(refused, tmp_path, capsys):
    (tmp_path / "j.jsonl").write_text("my notes\n")
    refused(["simulate", "--duration", "1m", "--journal", "j.jsonl"], "add --force")
    assert main(["simulate", "--duration", "1m", "--journal", "j.jsonl", "--force"]) == 0
    assert (tmp_path / "j.jsonl").read_text().startswith('{"journal"')


def test_a_journal_through_a_symbolic_link_is_refused(refused, tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    (tmp_path / "link.jsonl").symlink_to("precious.txt")
    refused(["simulate", "--duration", "1m", "--journal", "link.jsonl", "--force"], "link")


def test_export_keeps_existing_csv_files_without_force(refused, tmp_path, journal_lines):
    (tmp_path / "run.jsonl").write_text("\n".join(journal_lines) + "\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "fills.csv").write_text("my spreadsheet")
    refused(["export", "run.jsonl", "--csv", "out"], "out/fills.csv already exists")


def test_export_never_writes_through_a_link(refused, tmp_path, journal_lines):
    (tmp_path / "run.jsonl").write_text("\n".join(journal_lines) + "\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "precious.txt").write_text("keep me")
    (tmp_path / "out" / "adl.csv").symlink_to("../precious.txt")
    refused(["export", "run.jsonl", "--csv", "out", "--force"], "symbolic link")


def test_export_into_a_file_is_refused(refused, tmp_path, journal_lines):
    (tmp_path / "run.jsonl").write_text("\n".join(journal_lines) + "\n")
    refused(["export", "run.jsonl", "--csv", "run.jsonl"], "names a folder")


def test_export_that_fails_halfway_leaves_the_old_files(
    refused, tmp_path, journal_lines, monkeypatch
):
    (tmp_path / "run.jsonl").write_text("\n".join(journal_lines) + "\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "fills.csv").write_text("last week's fills")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tui.outputs.os.fsync", disk_full)
    refused(["export", "run.jsonl", "--csv", "out", "--force"], "No space left on device")


# -- scenario files ------------------------------------------------------------------------

SCENARIOS = {
    "wrong type": ("duration = true\n", "duration: expected text or an integer or a number"),
    "bad section": ("feed = 3\n", "feed: expected a table"),
    "negative size": ('[population.makers]\nnotional = "-100"\n', "must not be negative"),
    "negative count": ("[population.crowd]\ncount = -4\n", "count: must be a whole number"),
    "shock without change": ('[[feed.shocks]]\nat = "1m"\nover = "1m"\n', "change: missing"),
    "replay without file": ('[feed]\nkind = "replay"\n', "feed.file: a replay feed needs"),
    "not toml": ("this is = = not toml\n", "not valid TOML"),
    "typo": ('[user]\nbalanse = "1"\n', "user.balanse: unknown key"),
    "leverage weight nan": ("[population.crowd]\nleverage = [[10, nan]]\n", "weight ≥ 0"),
    "leverage weight inf": ("[population.crowd]\nleverage = [[10, inf]]\n", "weight ≥ 0"),
    "start price of one tick": ('[feed]\nstart_price = "0.1"\n', "at least 100"),
    "start price below the tick": ('[feed]\nstart_price = "0.01"\n', "feed.start_price"),
    "tick above the start price": ('[instrument]\ntick_size = "100000"\n', "feed.start_price"),
    "nested 500 deep": ("a = " + "[" * 500 + "]" * 500 + "\n", "nested too deeply"),
    "price beyond the grid": ('[feed]\nstart_price = "1e30"\n', "2^53"),
    "a lot nobody can afford": ('[instrument]\nlot_size = "1000"\n', "lower instrument.lot_size"),
    "no market makers": ("[population.makers]\ncount = 0\n", "nobody quotes"),
    "duration above a year": ('duration = "400d"\n', "longer than the longest"),
}


@pytest.mark.parametrize("case", sorted(SCENARIOS))
def test_a_bad_scenario_file(refused, tmp_path, case):
    text, fragment = SCENARIOS[case]
    (tmp_path / "mine.toml").write_text(text)
    err = refused(["simulate", "--scenario", "mine.toml"], fragment)
    assert "mine.toml" in err


# -- replay files --------------------------------------------------------------------------

REPLAYS = {
    "garbage.csv": (b"lorem ipsum dolor\nsit amet\n", "cannot tell the format"),
    "empty.csv": (b"", "the file is empty"),
    "binary.csv": (bytes(range(256)) * 20, "binary data"),
    "huge.csv": (b"timestamp,price\n1700000000,1e400\n", "price"),
    "nan.csv": (b"timestamp,price\n1700000000,NaN\n", "price"),
    "inf.csv": (b"timestamp,price\n1700000000,inf\n", "price"),
    "negative.csv": (b"timestamp,price\n1700000000,-5\n", "price"),
    "backwards.csv": (b"timestamp,price\n1700000060,10\n1700000000,11\n", "time order"),
    "unsorted-aggtrades.csv": (
        b"1,90000.1,0.01,1,1,1700000000007,True,True\n2,90000.3,0.01,2,2,1700000000000,False,True\n",
        "aggtrades.csv:2: transact_time: 2023-11-14T22:13:20Z is before the row above "
        "(2023-11-14T22:13:20.007000Z); rows must be in time order, or run with --sort",
    ),
    "header-only.csv": (b"timestamp,price\n", "no data rows"),
    "seconds-to-milliseconds.csv": (
        b"timestamp,price\n1700000000,10\n1700000001,10\n1700000002000,10\n",
        ":4",
    ),
}


@pytest.mark.parametrize("name", sorted(REPLAYS))
def test_a_bad_replay_file(refused, tmp_path, name):
    data, fragment = REPLAYS[name]
    (tmp_path / name).write_bytes(data)
    err = refused(["simulate", "--replay", name], fragment)
    assert name in err


def test_a_truncated_compressed_replay_is_refused_before_the_run(refused, tmp_path):
    rows = "".join(f"{1_700_000_000 + i},{100 + i % 7}\n" for i in range(20_000))
    whole = gzip.compress(("timestamp,price\n" + rows).encode())
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    refused(["simulate", "--replay", "cut.csv.gz"], "cut.csv.gz")


@pytest.mark.parametrize("flag", ["--replay", "--scenario", "--resume"])
def test_a_fifo_is_refused_for_an_input_file(refused, tmp_path, flag):
    os.mkfifo(tmp_path / "pipe")
    prefix = ["simulate"]
    refused([*prefix, flag, "pipe"], "pipe")


# -- journals ------------------------------------------------------------------------------


def _header(change: Callable[[dict], None]) -> Callable[[list[str]], list[str]]:
    def edit(lines: list[str]) -> list[str]:
        header = json.loads(lines[0])
        change(header)
        return [json.dumps(header), *lines[1:]]

    return edit


def _append(record: object) -> Callable[[list[str]], list[str]]:
    return lambda lines: [*lines, json.dumps(record)]


def _insert(record: object) -> Callable[[list[str]], list[str]]:
    return lambda lines: [lines[0], lines[1], json.dumps(record), *lines[2:]]


JOURNALS: dict[str, tuple[Callable[[list[str]], list[str]], str]] = {
    "empty": (lambda lines: [""], "not an adl-sandbox journal"),
    "not json": (lambda lines: ["hello", *lines[1:]], "not an adl-sandbox journal"),
    "a list for a header": (lambda lines: ["[1, 2]", *lines[1:]], "not an adl-sandbox journal"),
    "a future format": (_header(lambda h: h.update(format=2)), "journal format 2"),
    "no seed": (_header(lambda h: h.pop("seed")), "no 'seed'"),
    "seed as text": (_header(lambda h: h.update(seed="7")), "seed '7'"),
    "negative seed": (_header(lambda h: h.update(seed=-1)), "seed -1"),
    "scenario not an object": (_header(lambda h: h.update(scenario=3)), "scenario"),
    "unknown scenario": (
        _header(lambda h: h["scenario"].update(name="nowhere")),
        "its scenario cannot be loaded",
    ),
    "changed scenario": (
        _header(lambda h: h["scenario"].update(sha256="0" * 64)),
        "changed since this journal",
    ),
    "settings as a list": (_header(lambda h: h.update(settings=[])), "settings"),
    "duration as text": (_header(lambda h: h["settings"].update(duration="1h")), "duration"),
    "negative duration": (_header(lambda h: h["settings"].update(duration=-5)), "duration"),
    "unknown setting": (_header(lambda h: h["settings"].update(colour="red")), "colour"),
    "unknown venue": (_header(lambda h: h["settings"].update(venue="nyse")), "nyse"),
    "missing replay": (
        _header(lambda h: h["settings"].update(replay="/no/such/prices.csv")),
        "/no/such/prices.csv",
    ),
    "tick size as words": (
        _header(lambda h: h["instrument"].update(tick_size="a tenth")),
        "tick_size",
    ),
    "negative step": (_append({"s": -1, "t": 0, "e": []}), "step -1"),
    "step as text": (_append({"s": "5", "t": 0, "e": []}), "step '5'"),
    "steps going back": (_append({"s": 1, "t": 0, "e": []}), "steps never go back"),
    "a record as a list": (_append([1, 2, 3]), "not a journal record"),
    "unknown record key": (_append({"s": 999, "x": 1}), "unknown key 'x'"),
    "events not a list": (_append({"s": 999, "t": 0, "e": 5}), "not a list"),
    "unknown event": (_append({"s": 999, "t": 0, "e": [["teleport", 1]]}), "teleport"),
    "short event row": (_append({"s": 999, "t": 0, "e": [["trade", 1]]}), "fields"),
    "unknown command": (_append({"s": 999, "c": {"command": "rm"}, "e": []}), "'rm'"),
    "cancel without an id": (
        _append({"s": 999, "c": {"command": "cancel"}, "e": []}),
        "no 'order_id'",
    ),
    "leverage as text": (
        _append({"s": 999, "c": {"command": "set_leverage", "leverage": "ten"}, "e": []}),
        "wrong type",
    ),
    "submit with an unknown argument": (
        _append({"s": 999, "c": {"command": "submit", "side": "buy", "qty": "1", "hue": 1}}),
        "'hue'",
    ),
    "negative resumed duration": (_append({"s": 999, "r": {"duration": -1}}), "resumed"),
    "binary garbage in the middle": (
        lambda lines: [lines[0], "\x00\x01\x02 garbage", *lines[1:]],
        "corrupt journal line",
    ),
    "end as text": (_insert({"s": 0, "end": "yes", "e": []}), "end 'yes'"),
}
JOURNAL_READERS = {
    "verify": lambda: ["verify", "run.jsonl"],
    "simulate --resume": lambda: ["simulate", "--resume", "run.jsonl"],
    "app --resume": lambda: ["--resume", "run.jsonl"],
    "export": lambda: ["export", "run.jsonl", "--csv", "out"],
}
REPLAYED_ONLY = {  # export reads the record, it does not rebuild the run
    "unknown scenario",
    "changed scenario",
    "unknown venue",
    "missing replay",
    "steps going back",
    "unknown command",
    "cancel without an id",
    "leverage as text",
    "submit with an unknown argument",
    "negative resumed duration",
    "unknown setting",
    "duration as text",
    "negative duration",
    "seed as text",
    "negative seed",
    "settings as a list",
}


@pytest.mark.parametrize("reader", sorted(JOURNAL_READERS))
@pytest.mark.parametrize("case", sorted(JOURNALS))
def test_a_hand_edited_journal(refused, tmp_path, journal_lines, case, reader):
    edit, fragment = JOURNALS[case]
    if reader == "export" and case in REPLAYED_ONLY:
        pytest.skip("export does not rebuild the run")
    (tmp_path / "run.jsonl").write_text("\n".join(edit(list(journal_lines))) + "\n")
    err = refused(JOURNAL_READERS[reader](), fragment)
    assert "run.jsonl" in err


# -- positions files ---------------------------------------------------------------------

HEADER = "id,side,qty,entry,margin\n"
POSITIONS = {
    "empty": ("", "empty"),
    "binary": ("\udcff", "not UTF-8"),
    "missing column": ("id,side,qty\np0,long,1\n", "missing column 'entry'"),
    "qty not a number": (HEADER + "p0,long,abc,40000,4000\n", ":2: qty"),
    "side sideways": (HEADER + "p0,sideways,1,40000,4000\n", ":2: side"),
    "entry negative": (HEADER + "p0,long,1,-4,4000\n", ":2: entry"),
    "id used twice": (HEADER + "p0,long,1,1,1\np0,long,1,1,1\n", "already used on line 2"),
    "qty too large": (HEADER + "p0,long,1e400,40000,4000\n", "too large"),
    "a cell too many": (HEADER + "p0,long,1,40000,4000,9\n", "6 cells"),
    "qty NaN": (HEADER + "p0,long,NaN,40000,4000\n", ":2: qty"),
    "header only": (HEADER, "no positions"),
}


@pytest.mark.parametrize("case", sorted(POSITIONS))
def test_a_bad_positions_file(refused, tmp_path, case):
    text, fragment = POSITIONS[case]
    data = b"\xff\xfe\x00" if case == "binary" else text.encode()
    (tmp_path / "positions.csv").write_bytes(data)
    err = refused(["calc", "adl", "positions.csv", "--mark", "40000"], fragment)
    assert "positions.csv" in err


def test_a_fifo_is_refused_as_a_positions_file(refused, tmp_path):
    os.mkfifo(tmp_path / "pipe")
    refused(["calc", "adl", "pipe", "--mark", "40000"], "pipe")


# -- a closed pipe ---------------------------------------------------------------------------


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """``adl-sandbox calc adl big.csv --mark 40000 | head -1``: the reader takes one line
    of a long table and closes the pipe."""
    args = ["calc", "adl", "positions.csv", "--mark", "40000"]
    rows = "".join(
        f"p{i},{'long' if i % 3 else 'short'},1,{40000 + i},4000\n" for i in range(20_000)
    )
    (tmp_path / "positions.csv").write_text(HEADER + rows)
    run = subprocess.Popen(
        [sys.executable, "-c", "from tui.cli import entry; entry()", *args],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert run.stdout.readline()
    run.stdout.close()
    err = run.stderr.read().decode()
    assert run.wait(60) in (0, 141) and err == "", err


# -- order tickets ---------------------------------------------------------------------------

TICKETS = {
    "zero size": (dict(side="buy", qty="0", price="50000"), "size"),
    "size off the lot grid": (dict(side="buy", qty="0.0001", price="50000"), "lot"),
    "size as words": (dict(side="buy", qty="one", price="50000"), "one"),
    "negative price": (dict(side="buy", qty="0.01", price="-1"), "price"),
    "price off the tick grid": (dict(side="buy", qty="0.01", price="50000.05"), "tick"),
    "sideways": (dict(side="up", qty="0.01", price="50000"), "up"),
    "reduce-only with nothing to reduce": (
        dict(side="sell", qty="0.01", price=None, order_type="market", reduce_only=True),
        "reduce",
    ),
    "unknown order type": (dict(side="buy", qty="0.01", price="1", order_type="fok!"), "fok!"),
    "far too large": (dict(side="buy", qty="5", price=None, order_type="market"), "margin"),
}


@pytest.mark.parametrize("case", sorted(TICKETS))
def test_a_bad_order_ticket(case):
    order, fragment = TICKETS[case]
    session = Session(Simulation(load_scenario("calm"), seed=1))
    for _ in range(5):
        session.step()
    before = session.frame().account
    event = session.submit(**order)
    reason = getattr(event, "reason", None)
    assert reason and "\n" not in reason and fragment.lower() in reason.lower(), event
    assert session.frame().account == before
