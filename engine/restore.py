"""Rebuild a session from its journal: the scenario and seed, then every recorded
command at its step, checking each regenerated event against the journal's.

The one replayer behind ``verify`` (report the first divergence), ``--resume``
(carry on where the session stopped) and ``export``'s trust in the record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from engine.agents.schedule import EVERY_STEP
from engine.errors import UserFacingError
from engine.journal import JournalError, JournalFile, encode, file_digest
from engine.scenario import Scenario, load_scenario, scenario_path
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


@dataclass(frozen=True)
class Moved:
    """Where a journal's own files are now, if they moved since it was written (the
    ``--scenario`` and ``--replay`` of ``verify`` and ``--resume``); each is accepted
    only if its digest is the one the journal recorded."""

    scenario: str | None = None
    replay: str | None = None


NOT_MOVED = Moved()


def simulation_from_header(
    header: dict[str, Any], path: Path, moved: Moved = NOT_MOVED
) -> Simulation:
    """The simulation a journal describes; a changed or missing input file is refused."""
    scenario_info, settings = header["scenario"], header["settings"]
    recorded = scenario_info.get("path")
    if moved.scenario is not None and recorded is None:
        raise JournalError(
            f"{path}: --scenario: the journal ran the shipped scenario "
            f"{scenario_info['name']!r}, which cannot move"
        )
    where = moved.scenario or recorded or scenario_info["name"]
    _check_input(path, "scenario", recorded and where, scenario_info.get("sha256"))
    try:
        scenario = load_scenario(where)
    except ValueError as error:
        raise JournalError(f"{path}: its scenario cannot be loaded: {error}") from None
    if recorded is None and file_digest(scenario_path(where)) != scenario_info.get("sha256"):
        raise JournalError(
            f"{path}: the shipped scenario {where} changed since this journal was written"
        )
    replay = settings.get("replay")
    if moved.replay is not None and replay is None:
        raise JournalError(f"{path}: --replay: the journal's run replayed no file")
    replay = moved.replay or replay
    _check_input(path, "replay", replay, header.get("replay_sha256"))
    try:
        return _simulation(header, scenario, replay)
    except UserFacingError as error:
        raise JournalError(f"{path}: the journal's run cannot be rebuilt: {error}") from None


def _simulation(header: dict[str, Any], scenario: Scenario, replay: str | None) -> Simulation:
    settings = header["settings"]
    return Simulation(
        scenario,
        seed=header["seed"],
        duration=settings.get("duration"),
        replay=replay,
        replay_format=settings.get("format"),
        sort=bool(settings.get("sort")),
        start=settings.get("start"),
        end=settings.get("end"),
        venue=settings.get("venue"),
        crowd_schedule=settings.get("crowd_schedule", EVERY_STEP),  # older journals drew so
    )


def _check_input(path: Path, flag: str, where: str | None, digest: str | None) -> None:
    """The journal's ``flag`` file at ``where`` is there and is the same file (by digest,
    when the journal recorded one); else one line saying what to do."""
    if where is None:
        return
    if not Path(where).is_file():
        raise JournalError(
            f"{path}: its {flag} file {where} is not there; if it moved, give its new "
            f"place with --{flag} PATH"
        )
    if digest is not None and file_digest(where) != digest:
        raise JournalError(
            f"{path}: the {flag} file {where} changed since this journal was written "
            "(its SHA-256 differs)"
        )


def restore(
    path: str | Path,
    listeners: Callable[[Simulation], list[Listener]] | None = None,
    moved: Moved = NOT_MOVED,
) -> Restored:
    """Replay a journal to its last complete record; raises ``Divergence`` on the first
    event that differs and ``JournalError`` on a journal that cannot be used.
    ``listeners(simulation)`` may add session listeners that see the whole replay;
    ``moved`` says where its input files are now, if they moved."""
    journal = JournalFile(path)
    simulation = simulation_from_header(journal.header, journal.path, moved)
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
    _expect(captured, [], simulation.steps, journal.last_line)
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
    """A row as the journal spells it (JSON, enums by value), cut to ``limit``."""
    text = row if isinstance(row, str) else json.dumps(row, default=_plain, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else str(value)
