"""The policy lab's speed, in CPU time.

- ``compare_runs_per_min``: whole runs of flash-crash (a simulated hour, the crash and
  its ADL included) that one core completes per minute, as ``compare`` runs them —
  the median over three runs, each a (seed, policy) task through ``engine.lab_run``.
  A comparison of S seeds × P policies on C cores takes about S·P / (C · this) minutes.
"""

from __future__ import annotations

import statistics
import time

from engine.lab_run import RunTask, run

TASKS = (
    RunTask("flash-crash", 1, "bitmex"),
    RunTask("flash-crash", 2, "pro_rata"),
    RunTask("flash-crash", 3, "hyperliquid"),
)


def compare_runs_per_min() -> float:
    minutes = []
    for task in TASKS:
        started = time.process_time()
        run(task)
        minutes.append((time.process_time() - started) / 60)
    return 1 / statistics.median(minutes)


FIGURES = {"compare_runs_per_min": compare_runs_per_min}
