"""Headless simulation speed: the default scenario, 1 s steps, events drained as
``simulate`` drains them."""

from __future__ import annotations

import time

from engine.scenario import load_scenario
from engine.simulation import Simulation
from engine.units import HOUR
from tui.runtime import settle_heap


def sim_steps_per_s() -> float:
    """Steps per second over a simulated hour of ``calm`` (best of three runs)."""
    best = 0.0
    for seed in (1, 2, 3):
        simulation = Simulation(load_scenario("calm"), seed=seed, duration=HOUR)
        settle_heap()
        started = time.process_time()
        simulation.run()
        best = max(best, simulation.steps / (time.process_time() - started))
    return best


FIGURES = {"sim_steps_per_s": sim_steps_per_s}
