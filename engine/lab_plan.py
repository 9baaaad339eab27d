"""What the app's lab screen re-runs for this session (SPEC §6): its scenario, seed and
time so far, and where the re-runs differ from it — read from the session, so the
screen need not look past its frames.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from engine.agents.schedule import SCHEDULED
from engine.lab_run import CLAWBACK, HAIRCUTS, RUN_POLICIES, RunTask
from engine.units import format_duration, format_moment


@dataclass(frozen=True, slots=True)
class LabPlan:
    """The session's run as the lab re-runs it, and what to say about it."""

    scenario: str  # its name, for the screen
    source: str  # what ``RunTask`` loads: the scenario file's path (or a shipped name)
    seed: int
    duration: int | None  # µs of simulated time; None: the scenario's own
    span: str  # what the duration is, in words
    notes: tuple[str, ...] = ()  # where the re-runs differ from the session
    in_force: str | None = None  # the policy of RUN_POLICIES the session runs under
    quote: str = ""  # the money's currency

    def tasks(self) -> list[RunTask]:
        return [RunTask(self.source, self.seed, policy, self.duration) for policy in RUN_POLICIES]


def plan_for(session, frame, fund_moves=()) -> LabPlan:
    """This session's scenario, seed and time so far. ``frame``: the screen's last (its
    rules in force, its instrument); ``fund_moves``: the fund's recent moves the screen
    keeps (each with ``time`` and ``reason``), where a clawback shows."""
    simulation = session.simulation
    scenario = simulation.scenario
    dated = frame.dated if frame else False
    start, now = simulation.start_time, session.exchange.time
    last = last_adl(session, fund_moves)
    if last is None:
        full = simulation.duration
        length = f"its full {format_duration(full)}" if full else "to the end of its feed"
        duration = full
        span = f"No ADL has happened in this session yet: each policy runs {length}."
    else:
        duration = now - start
        span = (
            f"{format_duration(duration)} of simulated time, as far as this session has run "
            f"(its last ADL at {format_moment(last, dated)})"
        )
    source = str(scenario.path) if scenario.path else scenario.name
    return LabPlan(
        scenario=scenario.name,
        source=source,
        seed=simulation.seed,
        duration=duration,
        span=span,
        notes=tuple(differences(session, frame)),
        in_force=in_force(frame.settings) if frame else None,
        quote=frame.instrument.quote if frame else "",
    )


def last_adl(session, fund_moves) -> int | None:
    """When the session's last ADL (or clawback) happened, if it has."""
    times = [record.time for record in session.exchange.adl_records[-1:]]
    times += [m.time for m in fund_moves if m.reason.startswith("socialized loss")]
    return max(times, default=None)


RE_RUN_FIELDS = ("ranking", "loss_policy", "haircut", "venue")  # the lab sets these itself


def differences(session, frame) -> list[str]:
    """Where the re-runs are not this session: its command-line options, the rules
    switched from the palette, the user's own orders."""
    notes = []
    simulation = session.simulation
    settings = simulation.settings
    given = [
        f"--{name}" for name in ("venue", "replay", "format", "start", "end") if settings.get(name)
    ]
    if settings.get("crowd_schedule", SCHEDULED) != SCHEDULED:
        given.append("older crowd schedule (a resumed journal's)")
    if given:
        notes.append(
            f"This session's {', '.join(given)} is not in the re-runs: they run the scenario "
            "as its file defines it."
        )
    if frame is not None:
        own = simulation.scenario.market
        switched = [
            f.name
            for f in fields(own)
            if f.name not in RE_RUN_FIELDS
            and getattr(own, f.name) != getattr(frame.settings, f.name)
        ]
        if switched:
            notes.append(
                f"Your switch of {', '.join(n.replace('_', ' ') for n in switched)} is not in "
                "the re-runs: each keeps the scenario's rules but its ADL policy."
            )
    if any(command.get("command") == "submit" for _, command in session.commands):
        notes.append("Your own orders are not in the re-runs: they re-simulate the crowd alone.")
    return notes


def in_force(settings) -> str | None:
    """The policy of RUN_POLICIES the market runs under now."""
    if str(settings.loss_policy) == "clawback":
        haircut = str(settings.haircut)
        return haircut if haircut in HAIRCUTS else CLAWBACK
    ranking = str(settings.ranking)
    return ranking if ranking in RUN_POLICIES else None
