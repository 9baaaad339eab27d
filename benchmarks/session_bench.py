"""Long runs: peak memory of a million-step journaled run, and how fast a journal
verifies. Both run the real command line in a child process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ADL_SANDBOX = str(Path(sys.executable).with_name("adl-sandbox"))


def soak_rss_mb() -> float:
    """Peak RSS (MB) of ``simulate`` over 1,000,000 one-second steps of the default
    scenario, writing its journal (the journal itself is deleted afterwards). A child
    runs it and reports its own children's peak, so figures measured before in this
    process (the 100k crash's child) do not stand in for it."""
    with tempfile.TemporaryDirectory() as folder:
        journal = Path(folder) / "soak.jsonl"
        command = [ADL_SANDBOX, "simulate", "--duration", "999999s", "--journal", str(journal)]
        code = (
            "import resource, subprocess, sys\n"
            f"subprocess.run({command!r} + ['--json'], check=True, stdout=subprocess.DEVNULL)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
    return int(result.stdout) / 1024


def verify_steps_per_s() -> float:
    """Steps per second that ``verify`` replays and checks (a 6 h calm journal)."""
    with tempfile.TemporaryDirectory() as folder:
        journal = Path(folder) / "run.jsonl"
        subprocess.run(
            [ADL_SANDBOX, "simulate", "--duration", "6h", "--journal", str(journal)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = _children_cpu()
        result = subprocess.run(
            [ADL_SANDBOX, "verify", str(journal)], check=True, capture_output=True, text=True
        )
        elapsed = _children_cpu() - started
    steps = int(result.stdout.split(" steps")[0].rsplit(" ", 1)[1].replace(",", ""))
    return steps / elapsed


def _children_cpu() -> float:
    """CPU seconds used by finished child processes (``verify`` runs as one)."""
    times = os.times()
    return times.children_user + times.children_system


FIGURES = {"soak_rss_mb": soak_rss_mb, "verify_steps_per_s": verify_steps_per_s}
