"""A crash with a big crowd: flash-crash as shipped, but 100,000 crowd traders.

One child process runs it (so its memory is its own; one run per benchmark process
gives the three engine figures): to the shock at 20 minutes, then through the
90-second fall and a minute after, timing each step in CPU time.
``crash_step_ms_100k`` is the slowest step of the crash (liquidations, the backstop
and ADL included); ``crash_slice_ms_100k`` the longest piece of work between two
points where the app may answer a key (``engine/slices.py``); ``crash_rss_mb_100k``
the child's peak resident memory. ``crash_key_latency_ms_100k`` runs the app on it,
in a pseudo-terminal, and times its answers to keys (wall time, as a user feels it).
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import tempfile
import time

from benchmarks.crowd_scenario import flash_crash_with_crowd
from benchmarks.ui_bench import Terminal

CROWD = 100_000
SHOCK_AT = 20 * 60  # steps (1 s each) before the fall, as flash-crash.toml has it
MEASURED = 150  # steps from the shock: the 90 s fall and a minute after
PRESSING = 180  # wall seconds of key presses: the app reaches the crash and goes through it


def crash_step_ms_100k() -> float:
    return _run()["slowest_ms"]


def crash_slice_ms_100k() -> float:
    return _run()["slice_ms"]


def crash_rss_mb_100k() -> float:
    return _run()["rss_mb"]


def crash_key_latency_ms_100k() -> float:
    """The slowest answer to a key while the app runs the same crash at full speed: from
    writing ``[`` or ``]`` (slower, faster) into its terminal to the header's new speed
    appearing, over every press from the start to the crash's end."""
    latencies = []
    with tempfile.TemporaryDirectory() as folder:
        scenario = flash_crash_with_crowd(CROWD, folder)
        with Terminal("--scenario", str(scenario), "--speed", "max", home=folder) as terminal:
            ends = time.perf_counter() + PRESSING
            while time.perf_counter() < ends:
                for key, word in ((b"[", "300×".encode()), (b"]", b"max")):
                    latencies.append(terminal.answer(key, word))
    return max(latencies) * 1000


@functools.cache
def _run() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        scenario = flash_crash_with_crowd(CROWD, folder)
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.crash_bench", str(scenario)],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(result.stdout)


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
    slowest = longest_slice = 0.0
    adl_events, more = 0, True
    while more:
        started = time.process_time()
        stepping, last = session.stepping(), started
        while True:  # as the app runs it: in slices, each timed
            try:
                next(stepping)
            except StopIteration as done:
                more = done.value
                break
            finally:
                now = time.process_time()
                longest_slice, last = max(longest_slice, now - last), now
        slowest = max(slowest, time.process_time() - started)
        adl_events += sum(type(e) is AdlExecuted for e in session.drain_events())
    assert adl_events, "the crash made no ADL event: the benchmark measures nothing"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {"slowest_ms": slowest * 1e3, "slice_ms": longest_slice * 1e3, "rss_mb": peak}
    print(json.dumps({**figures, "adl_events": adl_events}))


FIGURES = {
    "crash_step_ms_100k": crash_step_ms_100k,
    "crash_slice_ms_100k": crash_slice_ms_100k,
    "crash_rss_mb_100k": crash_rss_mb_100k,
    "crash_key_latency_ms_100k": crash_key_latency_ms_100k,
}

if __name__ == "__main__":
    _child(sys.argv[1])
