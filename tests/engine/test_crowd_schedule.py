"""The crowd's schedule: each trader acts with the scenario's chance per step, drawn as
gaps between acts (a step costs the traders who act); a journal written when every
trader drew every step still replays identically."""

import json
import random
import statistics

import pytest

from engine.agents.schedule import EVERY_STEP, SCHEDULED, EveryStep, Scheduled
from engine.journal import JournalWriter, header_for
from engine.restore import restore
from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from engine.units import MINUTE


@pytest.mark.parametrize("law", [Scheduled, EveryStep])
@pytest.mark.parametrize("chance", [0.02, 0.3])
def test_each_trader_acts_with_the_chance_per_step(law, chance):
    count, steps = 2_000, 400
    schedule = law(count, chance, random.Random(5))
    acts = [list(schedule.due()) for _ in range(steps)]
    per_step = [len(a) for a in acts]
    expected = count * chance
    assert abs(statistics.mean(per_step) - expected) < 0.02 * expected
    spread = (count * chance * (1 - chance)) ** 0.5  # binomial
    assert abs(statistics.pstdev(per_step) - spread) < 0.15 * spread
    assert all(a == sorted(set(a)) for a in acts)  # each once, in the crowd's order


def test_a_trader_who_never_acts_is_never_due_and_one_who_always_acts_always_is():
    assert [list(Scheduled(3, 0.0, random.Random(1)).due()) for _ in range(5)] == [[]] * 5
    always = Scheduled(3, 1.0, random.Random(1))
    assert [list(always.due()) for _ in range(5)] == [[0, 1, 2]] * 5


def test_the_same_seed_schedules_the_same_acts():
    first, second = (Scheduled(500, 0.05, random.Random(9)) for _ in range(2))
    assert [list(first.due()) for _ in range(300)] == [list(second.due()) for _ in range(300)]


def test_a_new_run_records_its_schedule():
    simulation = Simulation(load_scenario("flash-crash"), duration=MINUTE)
    assert simulation.settings["crowd_schedule"] == SCHEDULED


def test_a_journal_from_before_scheduling_replays_identically(tmp_path):
    """Older journals have no ``crowd_schedule`` in their header: their crowd drew a
    number per trader per step, and so it does again when they are replayed."""
    path = tmp_path / "old.jsonl"
    simulation = Simulation(
        load_scenario("flash-crash"), duration=25 * MINUTE, crowd_schedule=EVERY_STEP
    )
    header = header_for(simulation)
    del header["settings"]["crowd_schedule"]  # as the journal was written then
    writer = JournalWriter(path, header)
    session = Session(simulation, [writer])
    while not session.finished:
        session.step()
    writer.close()
    assert "crowd_schedule" not in json.loads(path.read_text().splitlines()[0])["settings"]
    restored = restore(path)
    assert restored.session.steps == simulation.steps
    restored.journal.close()
