"""The policy lab's speed, in CPU time.

- ``compare_runs_per_min``: whole runs of flash-crash (a simulated hour, the crash and
  its ADL included) that one core completes per minute, as ``compare`` runs them: a
  seed's runs under every policy together, simulated once as far as the policies agree
  (``engine/lab_fork.py``). The median over three seeds. A comparison of S seeds × P
  policies on C cores takes about S·P / (C · this) minutes.
"""

from __future__ import annotations

import statistics
import time

from engine.lab_fork import SeedTask, run_seed
from engine.lab_run import RUN_POLICIES

SEEDS = (1, 2, 3)


def compare_runs_per_min() -> float:
    rates = []
    for seed in SEEDS:
        started = time.process_time()
        runs = run_seed(SeedTask("flash-crash", seed, RUN_POLICIES))
        rates.append(len(runs) / ((time.process_time() - started) / 60))
    return statistics.median(rates)


FIGURES = {"compare_runs_per_min": compare_runs_per_min}
