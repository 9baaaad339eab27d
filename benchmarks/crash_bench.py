"""A crash with a big crowd: flash-crash as shipped, but 100,000 crowd traders.

One child process runs it (so its memory is its own): to the shock at 20 minutes,
then through the 90-second fall and a minute after, timing each step in CPU time.
``crash_step_ms_100k`` is the slowest step of the crash (liquidations, the backstop
and ADL included); ``crash_rss_mb_100k`` the child's peak resident memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

CROWD = 100_000
SHOCK_AT = 20 * 60  # steps (1 s each) before the fall, as flash-crash.toml has it
MEASURED = 150  # steps from the shock: the 90 s fall and a minute after


def crash_step_ms_100k() -> float:
    return _run()["slowest_ms"]


def crash_rss_mb_100k() -> float:
    return _run()["rss_mb"]


def _run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "flash-crash-100k.toml"
        scenario.write_text(_scenario_text())
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.crash_bench", str(scenario)],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(result.stdout)


def _scenario_text() -> str:
    from engine.scenario import scenario_path

    text = scenario_path("flash-crash").read_text()
    assert "count = 200\n" in text, "flash-crash.toml's crowd is no longer 200"
    return text.replace("count = 200\n", f"count = {CROWD}\n")


def _child(path: str) -> None:
    """Run the crash and print the figures as JSON (in the child process)."""
    import resource
    import time

    from engine.events import AdlExecuted
    from engine.scenario import load_scenario
    from engine.session import Session
    from engine.simulation import Simulation
    from tui.runtime import settle_heap

    session = Session(Simulation(load_scenario(path), duration=(SHOCK_AT + MEASURED) * 10**6))
    settle_heap()
    while session.steps < SHOCK_AT:
        session.step()
        session.drain_events()
    slowest, adl_events, more = 0.0, 0, True
    while more:
        started = time.process_time()
        more = session.step()
        slowest = max(slowest, time.process_time() - started)
        adl_events += sum(type(e) is AdlExecuted for e in session.drain_events())
    assert adl_events, "the crash made no ADL event: the benchmark measures nothing"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"slowest_ms": slowest * 1e3, "rss_mb": peak, "adl_events": adl_events}))


FIGURES = {"crash_step_ms_100k": crash_step_ms_100k, "crash_rss_mb_100k": crash_rss_mb_100k}

if __name__ == "__main__":
    _child(sys.argv[1])
