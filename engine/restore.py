"""Rebuild a session from its journal: the scenario and seed, then every recorded
command at its step, checking each regenerated event against the journal's.

The one replayer behind ``verify`` (report the first divergence), ``--resume``
(carry on where the session stopped) and ``export``'s trust in the record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.journal import JournalError, JournalFile, encode, file_digest
from engine.scenario import load_scenario, scenario_path
from engine.session import Listener, Session
from engine.simulation import Simulation


class Divergence(Exception):
    """The replay does not produce what the journal recorded."""

    def __init__(self, step: int, line: int, expected: Any, actual: Any) -> None:
        self.step, self.line, self.expected, self.actual = step, line, expected, actual
        super().__init__(
            f"step {step} (line {line}): the journal has {_short(expected)}, "
            f"the replay gives {_short(actual)}"
        )


@dataclass
class Restored:
    session: Session
    header: dict[str, Any]
    journal: JournalFile
    records: int


def simulation_from_header(header: dict[str, Any], path: Path) -> Simulation:
    """The simulation a journal describes; a changed scenario file is refused."""
    scenario_info, settings = header["scenario"], header["settings"]
    where = scenario_info.get("path") or scenario_info.get("name")
    try:
        scenario = load_scenario(where)
    except ValueError as error:
        raise JournalError(f"{path}: its scenario cannot be loaded: {error}") from None
    if file_digest(scenario_path(where)) != scenario_info.get("sha256"):
        raise JournalError(
            f"{path}: the scenario file {where} changed since this journal was written"
        )
    return Simulation(
        scenario,
        seed=header["seed"],
        duration=settings.get("duration"),
        replay=settings.get("replay"),
        replay_format=settings.get("format"),
        sort=bool(settings.get("sort")),
        start=settings.get("start"),
        end=settings.get("end"),
        venue=settings.get("venue"),
    )


def restore(
    path: str | Path, listeners: Callable[[Simulation], list[Listener]] | None = None
) -> Restored:
    """Replay a journal to its last complete record; raises ``Divergence`` on the first
    event that differs and ``JournalError`` on a journal that cannot be used.
    ``listeners(simulation)`` may add session listeners that see the whole replay."""
    journal = JournalFile(path)
    simulation = simulation_from_header(journal.header, journal.path)
    captured: list[list[Any]] = []

    def capture(step: int, time: int, command: dict | None, events: list) -> None:
        captured.extend(encode(events))

    session = Session(simulation, [capture, *(listeners(simulation) if listeners else [])])
    count = 0
    setup_seen = False
    for line, record in journal.records():
        count += 1
        step, rows = record["s"], record.get("e", [])
        if "r" in record:
            simulation.extend(record["r"]["duration"])
            continue
        if not setup_seen:
            setup_seen = True
            if step == 0 and "c" not in record:  # the set-up's events
                _expect(captured, rows, 0, line)
                continue
            _expect(captured, [], 0, line)
        _advance(session, captured, step, line)
        if "c" in record:
            _expect(captured, [], step, line)
            session.apply(record["c"])
        elif record.get("end"):
            _expect(captured, [], step, line)
            session.step()
        _expect(captured, rows, step, line)
    _expect(captured, [], simulation.steps, journal.valid_end)
    return Restored(session, journal.header, journal, count)


def _advance(session: Session, captured: list, step: int, line: int) -> None:
    """Step the replay up to ``step``; steps before it recorded no events."""
    while session.steps < step:
        _expect(captured, [], session.steps, line)
        if not session.step():
            raise Divergence(step, line, f"step {step}", f"the run ends at step {session.steps}")


def _expect(captured: list, wanted: list, step: int, line: int) -> None:
    """What the replay produced since the last check must be exactly ``wanted``."""
    if captured != wanted:
        for a, b in zip(wanted, captured, strict=False):
            if a != b:
                raise Divergence(step, line, a, b)
        n = min(len(wanted), len(captured))
        raise Divergence(
            step,
            line,
            wanted[n] if n < len(wanted) else "no more events",
            captured[n] if n < len(captured) else "no more events",
        )
    captured.clear()


def _short(row: Any, limit: int = 160) -> str:
    text = str(row)
    return text if len(text) <= limit else text[: limit - 1] + "…"
