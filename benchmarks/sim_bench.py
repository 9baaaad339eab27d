"""Headless simulation speed, in CPU time, median of three seeds: 1 s steps, events
drained as ``simulate`` drains them.

- ``sim_steps_per_s``: the default scenario (calm, a simulated hour).
- ``sim_steps_per_s_3k`` / ``_30k``: flash-crash with a crowd of 3,200 and of 30,000
  leveraged traders, through the shock and its cascade (the first 30 simulated minutes).
- ``sim_us_per_account_step``: what one more crowd account costs a step, from the two.
- ``journal_overhead_pct``: flash-crash as shipped, a simulated hour, through a
  ``Session`` writing its journal against one writing none.
"""

from __future__ import annotations

import functools
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.crowd_scenario import flash_crash_with_crowd
from engine.journal import JournalWriter, header_for
from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from engine.units import HOUR, MINUTE
from tui.runtime import settle_heap

SEEDS = (1, 2, 3)


def sim_steps_per_s() -> float:
    return statistics.median(_steps_per_s("calm", seed, HOUR) for seed in SEEDS)


def sim_steps_per_s_3k() -> float:
    return _crowd_steps_per_s(3_200)


def sim_steps_per_s_30k() -> float:
    return _crowd_steps_per_s(30_000)


def sim_us_per_account_step() -> float:
    """The slope between the two crowds: µs per crowd account per step."""
    small, big = _crowd_steps_per_s(3_200), _crowd_steps_per_s(30_000)
    return (1 / big - 1 / small) / (30_000 - 3_200) * 1e6


def journal_overhead_pct() -> float:
    """How much longer a journaled run takes than the same run unjournaled: the medians
    of five runs each, on one seed, taken in turns (which goes first alternates), so
    that the machine's drift falls on both alike."""
    plain, journaled = [], []
    for round_ in range(5):
        for journal in (False, True) if round_ % 2 else (True, False):
            (journaled if journal else plain).append(_session_cpu(1, journal))
    return (statistics.median(journaled) / statistics.median(plain) - 1) * 100


@functools.cache
def _crowd_steps_per_s(count: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = flash_crash_with_crowd(count, folder)
        return statistics.median(_steps_per_s(str(path), seed, 30 * MINUTE) for seed in SEEDS)


def _steps_per_s(scenario: str, seed: int, duration: int) -> float:
    simulation = Simulation(load_scenario(scenario), seed=seed, duration=duration)
    settle_heap()
    started = time.process_time()
    simulation.run()
    return simulation.steps / (time.process_time() - started)


def _session_cpu(seed: int, journal: bool) -> float:
    """CPU seconds of an hour of flash-crash run as ``simulate`` runs it."""
    simulation = Simulation(load_scenario("flash-crash"), seed=seed, duration=HOUR)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "run.jsonl"
        writer = JournalWriter(path, header_for(simulation)) if journal else None
        session = Session(simulation, [writer] if writer else [])
        settle_heap()
        started = time.process_time()
        while not session.finished:
            session.step()
        spent = time.process_time() - started
        if writer:
            writer.close()
    return spent


FIGURES = {
    "sim_steps_per_s": sim_steps_per_s,
    "sim_steps_per_s_3k": sim_steps_per_s_3k,
    "sim_steps_per_s_30k": sim_steps_per_s_30k,
    "sim_us_per_account_step": sim_us_per_account_step,
    "journal_overhead_pct": journal_overhead_pct,
}
