"""A journal finds its inputs from anywhere: it records the scenario and the replay by
absolute path with their digests, a moved file is named with ``--scenario`` or
``--replay`` (and must be the same file), and a journal that cannot be written (a
full disk, a file-size limit) ends in one line."""

from __future__ import annotations

import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engine.scenario import scenario_path
from tui.cli import main

ROOT = Path(__file__).resolve().parents[2]
PRICES = "".join(f"{1_700_000_000 + i},{100 + (i * 7919) % 13 / 10}\n" for i in range(400))


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def made_here(tmp_path, monkeypatch, capsys):
    """A journal of one's own scenario and replay, both named by relative paths."""
    made = tmp_path / "made"
    made.mkdir()
    (made / "mine.toml").write_text(scenario_path("calm").read_text())
    (made / "prices.csv").write_text("timestamp,price\n" + PRICES)
    monkeypatch.chdir(made)
    args = ["simulate", "--scenario", "./mine.toml", "--replay", "prices.csv"]
    code, _, err = run_cli(capsys, *args, "--journal", "run.jsonl")
    assert code == 0, err
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return made


def test_a_journal_made_with_relative_paths_verifies_from_another_folder(made_here, capsys):
    code, out, err = run_cli(capsys, "verify", str(made_here / "run.jsonl"))
    assert (code, err) == (0, "") and out.startswith("identical")


def test_a_moved_scenario_is_named_with_its_new_place(made_here, tmp_path, capsys):
    journal = str(made_here / "run.jsonl")
    moved = tmp_path / "kept" / "mine.toml"
    moved.parent.mkdir()
    (made_here / "mine.toml").rename(moved)
    code, _, err = run_cli(capsys, "verify", journal)
    assert code == 2 and err.count("\n") == 1
    assert "mine.toml is not there; if it moved, give its new place with --scenario PATH" in err
    code, out, _ = run_cli(capsys, "verify", journal, "--scenario", str(moved))
    assert code == 0 and out.startswith("identical")
    code, out, err = run_cli(
        capsys, "simulate", "--resume", journal, "--scenario", str(moved), "--duration", "8m"
    )
    assert code == 0, err
    code, out, _ = run_cli(capsys, "verify", journal, "--scenario", str(moved))
    assert code == 0 and out.startswith("identical")


def test_another_file_in_the_moved_place_is_refused_by_its_digest(made_here, tmp_path, capsys):
    other = tmp_path / "other.toml"
    other.write_text(scenario_path("calm").read_text() + "\n# edited\n")
    journal = made_here / "run.jsonl"
    before = journal.read_bytes()
    code, _, err = run_cli(capsys, "verify", str(journal), "--scenario", str(other))
    assert code == 2 and err.count("\n") == 1
    assert "changed since this journal was written (its SHA-256 differs)" in err
    code, _, err = run_cli(capsys, "simulate", "--resume", str(journal), "--scenario", str(other))
    assert code == 2 and "its SHA-256 differs" in err
    assert journal.read_bytes() == before


def test_a_moved_replay_is_named_with_its_new_place_and_checked(made_here, tmp_path, capsys):
    journal = str(made_here / "run.jsonl")
    moved = tmp_path / "prices-moved.csv"
    (made_here / "prices.csv").rename(moved)
    code, _, err = run_cli(capsys, "verify", journal)
    assert code == 2 and "give its new place with --replay PATH" in err
    code, out, _ = run_cli(capsys, "verify", journal, "--replay", str(moved))
    assert code == 0 and out.startswith("identical")
    moved.write_text("timestamp,price\n" + PRICES.replace(",100.", ",101.", 1))
    code, _, err = run_cli(capsys, "verify", journal, "--replay", str(moved))
    assert code == 2 and "the replay file" in err and "its SHA-256 differs" in err


def _limit_file_size() -> None:
    """As if the disk filled up after 64 kB: writes past it fail with EFBIG."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "--scenario", "volatile", "--duration", "2h", "--journal", "run.jsonl"],
        ["export", "run.jsonl", "--csv", "out"],
    ],
    ids=["simulate --journal", "export --csv"],
)
def test_a_disk_that_fills_up_is_one_line(tmp_path, args):
    if args[0] == "export":  # a journal big enough that its CSVs pass the limit
        made = ["simulate", "--scenario", "volatile", "--duration", "2h", "--journal"]
        assert main([*made, str(tmp_path / "run.jsonl")]) == 0
    run = subprocess.run(
        [sys.executable, "-c", "from tui.cli import entry; entry()", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "File too large" in run.stderr
