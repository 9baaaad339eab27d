"""Sessions that lose nothing: journals replay exactly, resume where they stopped, survive
a kill, and every damaged journal gets a one-line reason."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.cli import main

ADL_SANDBOX = str(Path(sys.executable).with_name("adl-sandbox"))


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def journal(tmp_path, capsys):
    path = tmp_path / "run.jsonl"
    code, _, err = run_cli(
        capsys,
        "simulate",
        "--scenario",
        "thin-fund",
        "--duration",
        "6m",
        "--journal",
        str(path),
        "--json",
    )
    assert code == 0, err
    return path


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def test_verify_says_identical_for_an_untouched_journal(capsys, journal):
    code, out, _ = run_cli(capsys, "verify", str(journal))
    assert code == 0
    assert out.startswith("identical: ") and "361 steps replayed" in out


def test_verify_names_the_first_step_and_event_that_diverge(capsys, journal):
    rows = lines(journal)
    n = next(i for i, line in enumerate(rows) if b'["trade"' in line and i > 50)
    record = json.loads(rows[n])
    trade = next(row for row in record["e"] if row[0] == "trade")
    trade[7] += 1  # one more lot in one trade
    rows[n] = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    journal.write_bytes(b"".join(rows))
    code, out, _ = run_cli(capsys, "verify", str(journal))
    assert code == 1
    assert out.startswith(f"diverged at step {record['s']} (line {n + 1}): the journal has ")
    assert '"trade"' in out


def test_a_truncated_last_line_is_a_warning_not_an_error(capsys, journal):
    data = journal.read_bytes()
    journal.write_bytes(data[: len(data) - 40])  # cut mid-line, as a power cut would
    code, out, err = run_cli(capsys, "verify", str(journal))
    assert code == 0 and out.startswith("identical")
    assert "the last line is incomplete" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda rows: [b"hello world\n", *rows[1:]], "not an adl-sandbox journal"),
        (
            lambda rows: [rows[0].replace(b'"format":1', b'"format":9'), *rows[1:]],
            "journal format 9 is not one this version reads (1)",
        ),
        (lambda rows: [*rows[:5], b"{broken\n", *rows[5:]], ":6: corrupt journal line"),
        (lambda rows: [*rows[:5], b"[1, 2]\n", *rows[5:]], ":6: not a journal record"),
        (lambda rows: [rows[0].replace(b'"seed":5', b'"seed":6'), *rows[1:]], None),
    ],
)
def test_a_damaged_journal_gets_one_line_and_the_right_exit(capsys, journal, damage, message):
    journal.write_bytes(b"".join(damage(lines(journal))))
    code, out, err = run_cli(capsys, "verify", str(journal))
    if message is None:  # valid JSON, other seed: the replay tells the difference
        assert code == 1 and out.startswith("diverged at step")
    else:
        assert code == 2 and message in err and err.count("\n") == 1
        assert "Traceback" not in err


def test_a_journal_of_a_changed_scenario_file_is_refused(capsys, tmp_path):
    scenario = tmp_path / "mine.toml"
    scenario.write_text('name = "mine"\nduration = "2m"\n')
    path = tmp_path / "mine.jsonl"
    assert run_cli(capsys, "simulate", "--scenario", str(scenario), "--journal", str(path))[0] == 0
    assert run_cli(capsys, "verify", str(path))[0] == 0
    scenario.write_text('name = "mine"\nduration = "2m"\nseed = 9\n')
    code, _, err = run_cli(capsys, "verify", str(path))
    assert code == 2 and "changed since this journal was written" in err


def test_missing_and_binary_journals(capsys, tmp_path):
    code, _, err = run_cli(capsys, "verify", str(tmp_path / "none.jsonl"))
    assert code == 2 and "no such journal" in err
    binary = tmp_path / "noise.jsonl"
    binary.write_bytes(bytes(range(256)) * 10)
    code, _, err = run_cli(capsys, "verify", str(binary))
    assert code == 2 and "not an adl-sandbox journal" in err


def test_resume_continues_a_finished_run_to_a_longer_duration(capsys, tmp_path):
    full, split = tmp_path / "full.jsonl", tmp_path / "split.jsonl"
    code, whole, _ = run_cli(
        capsys,
        "simulate",
        "--scenario",
        "flash-crash",
        "--duration",
        "22m",
        "--json",
        "--journal",
        str(full),
    )
    assert code == 0
    assert (
        run_cli(
            capsys,
            "simulate",
            "--scenario",
            "flash-crash",
            "--duration",
            "12m",
            "--journal",
            str(split),
        )[0]
        == 0
    )
    code, resumed, err = run_cli(
        capsys, "simulate", "--resume", str(split), "--duration", "22m", "--json"
    )
    assert code == 0, err
    first, second = json.loads(whole), json.loads(resumed)
    # the only trace of the stop: the first part's own "feed ended"
    assert second["events"].pop("feed_ended") == 2 and first["events"].pop("feed_ended") == 1
    assert first == second
    assert run_cli(capsys, "verify", str(split))[0] == 0  # the appended journal replays too


def test_export_writes_fills_liquidations_adl_and_funding(capsys, tmp_path):
    path = tmp_path / "run.jsonl"
    assert (
        run_cli(
            capsys,
            "simulate",
            "--scenario",
            "thin-fund",
            "--duration",
            "70m",
            "--journal",
            str(path),
        )[0]
        == 0
    )
    code, out, _ = run_cli(capsys, "export", str(path), "--csv", str(tmp_path / "csv"))
    assert code == 0
    tables = {
        name: (tmp_path / "csv" / name).read_text().splitlines()
        for name in ("fills.csv", "liquidations.csv", "adl.csv", "adl_events.csv", "funding.csv")
    }
    assert tables["fills.csv"][0].startswith("time,taker,maker,side,qty,price")
    assert all(len(rows) > 1 for rows in tables.values())  # 70 minutes include a funding
    liquidation = tables["liquidations.csv"][1].split(",")
    assert liquidation[0].startswith("1970-01-01T07:") and liquidation[2] in ("long", "short")
    assert "." in liquidation[9]  # margin lost as exact money text
    assert out.count("rows") == 5
    adl = tables["adl_events.csv"]
    assert adl[0].startswith("time,adl_id,liquidated,held,side,qty,price,mark,reason,fund_before")
    assert adl[1].split(",")[8] == "fund_drawdown"  # thin-fund's trigger


def test_a_killed_run_resumes_to_the_same_report_as_an_uninterrupted_one(tmp_path):
    """SIGKILL mid-run, then ``--resume`` to the same total: the same --json report."""
    args = ["simulate", "--scenario", "volatile", "--duration", "30m", "--json"]
    whole = subprocess.run([ADL_SANDBOX, *args], capture_output=True, text=True, check=True)
    path = tmp_path / "killed.jsonl"
    process = subprocess.Popen(
        [ADL_SANDBOX, *args, "--journal", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not path.exists() or path.stat().st_size < 300_000):
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    assert b'["feed_ended"' not in path.read_bytes()  # it really died mid-run
    resumed = subprocess.run(
        [ADL_SANDBOX, "simulate", "--resume", str(path), "--duration", "30m", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == whole.stdout
