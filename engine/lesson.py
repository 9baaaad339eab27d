"""Lessons: a scripted scenario told as a short story whose steps the engine checks.

A lesson is a scenario file with a ``[lesson]`` table, so it runs, copies and
journals like any scenario. ``[[lesson.steps]]`` each hold:

- ``say``: the story at this step, and ``do``: what the learner does now;
- ``look``: the panel that matters (``book``, ``chart``, ``position``, ``log``, ``header``);
- ``done``: how the engine tells the step was done, every condition given holding
  at once: ``event`` (one of the learner's events of that kind arrived since the step
  began), ``position`` (``open`` or ``flat``), ``side`` (``long`` or ``short``),
  ``mode``, ``leverage``, ``ratio`` (the margin ratio at least this), ``after`` (market
  time since the step began), ``settings`` (a table of market policies in force, e.g.
  ``{ ranking = "pro_rata" }``);
- ``hint``, shown after ``hint_after`` (wall time at the step, default 30 s);
- ``ask`` and ``answer``: a question whose answer the learner types, checked against a
  figure the engine works out (``FIGURES``) within ``within`` (default 0.5 %);
- ``show``: the solution's commands (``COMMANDS``), which "show me" plays.

Learn Git Branching's levels are the model: data, a goal checked automatically,
hints, and a solution the tool can play.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from importlib import resources
from pathlib import Path

from engine.datafile import DataFileError, Table, load_toml, require_regular
from engine.events import Event, event_class
from engine.policies import POLICY_BY_FIELD, MarketSettings, PolicyError
from engine.units import PPM, parse_duration, parse_rate

DEFAULT_HINT_AFTER = 30.0  # wall seconds at a step before its hint shows
DEFAULT_WITHIN = 5_000  # ppm: how near a typed answer must be
LESSON_WARMUP = 1  # steps before a lesson's first frame: the makers' quotes, nothing more


class Look(StrEnum):
    """The panels a step can point at."""

    BOOK = "book"
    CHART = "chart"
    POSITION = "position"
    LOG = "log"
    HEADER = "header"


class Figure(StrEnum):
    """What a question can ask for: the engine's own figures for the learner's position."""

    LIQUIDATION_PRICE = "liquidation_price"
    BANKRUPTCY_PRICE = "bankruptcy_price"
    MARGIN_RATIO = "margin_ratio"
    INITIAL_MARGIN = "initial_margin"
    ADL_RANK = "adl_rank"
    # what happened to the learner, read from their last event of the kind:
    FUND_IN = "fund_in"  # their liquidation's surplus, paid into the fund
    FUND_OUT = "fund_out"  # what the fund paid to close their liquidated position
    FUNDING_PAID = "funding_paid"  # the last funding payment (negative: received)
    GAVE_UP = "gave_up"  # profit their last ADL fill gave up against the mark
    CLAWED_BACK = "clawed_back"  # their share of the last socialized loss


COMMANDS = ("buy", "sell", "close", "leverage", "mode", "set", "run", "answer")


@dataclass(frozen=True, slots=True)
class Goal:
    """How the engine's frames tell a step was done: every condition given holds."""

    event: type[Event] | None = None  # one of the learner's, since the step began
    position: str | None = None  # "open" or "flat"
    side: int | None = None  # 1: a long, -1: a short (``side = "long"`` in the file)
    mode: str | None = None  # "cross" or "isolated"
    leverage: int | None = None
    ratio: int | None = None  # ppm: the margin ratio at least this
    after: int | None = None  # µs of market time since the step began
    settings: tuple[tuple[str, str], ...] = ()  # (MarketSettings field, value) in force


@dataclass(frozen=True, slots=True)
class Question:
    ask: str
    figure: Figure
    within: int  # ppm of the right answer


@dataclass(frozen=True, slots=True)
class Command:
    """One move of a lesson's solution: ``buy 0.5``, ``leverage 50``, ``set ranking
    pro_rata`` (a market policy, as the palette switches it), ``run``."""

    verb: str
    argument: str = ""

    def __str__(self) -> str:
        return f"{self.verb} {self.argument}".strip()


@dataclass(frozen=True, slots=True)
class Step:
    say: str
    do: str
    done: Goal
    look: Look | None = None
    hint: str = ""
    hint_after: float = DEFAULT_HINT_AFTER
    question: Question | None = None
    show: tuple[Command, ...] = ()


@dataclass(frozen=True, slots=True)
class Lesson:
    number: int
    title: str
    summary: str
    path: Path
    steps: tuple[Step, ...]


# -- finding lessons ----------------------------------------------------------------------


def shipped_lessons() -> list[Lesson]:
    """Every lesson shipped with the sandbox, in order."""
    folder = resources.files("engine") / "lessons"
    paths = sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".toml"))
    return [load_lesson(path) for path in paths]


def find_lesson(number_or_path: str) -> Lesson:
    """Lesson ``N`` of the shipped ones, or a lesson file of one's own."""
    if number_or_path.isdigit():
        lessons = {lesson.number: lesson for lesson in shipped_lessons()}
        number = int(number_or_path)
        if number not in lessons:
            raise DataFileError(f"no lesson {number}: the lessons are 1 to {max(lessons)}")
        return lessons[number]
    return load_lesson(Path(number_or_path))


def load_lesson(path: Path) -> Lesson:
    require_regular(path, DataFileError, "lesson file")
    table = Table(load_toml(path), path)
    if not table.has("lesson"):
        raise DataFileError(f"{path}: no [lesson] table: this is a scenario, not a lesson")
    lesson = table.table("lesson")
    lesson.check_known({"number", "title", "summary", "steps"})
    steps = tuple(_step(step) for step in lesson.tables("steps"))
    if not steps:
        raise lesson.fail("steps", "a lesson needs at least one step")
    return Lesson(
        number=lesson.get("number", int, 0),
        title=lesson.get("title", str),
        summary=lesson.get("summary", str, ""),
        path=path,
        steps=steps,
    )


def _step(table: Table) -> Step:
    table.check_known(
        {"say", "do", "look", "done", "hint", "hint_after", "ask", "answer", "within", "show"}
    )
    question = None
    if table.has("ask") or table.has("answer"):
        question = Question(
            ask=table.get("ask", str),
            figure=_choice(table, "answer", Figure),
            within=table.parse("within", parse_rate, DEFAULT_WITHIN),
        )
    show = tuple(_command(table, n, text) for n, text in enumerate(table.get("show", list, [])))
    if question is None and any(command.verb == "answer" for command in show):
        raise table.fail("show", "'answer' needs the step to ask something (ask, answer)")
    return Step(
        say=table.get("say", str),
        do=table.get("do", str, ""),
        done=_goal(table.table("done", required=False)),
        look=_choice(table, "look", Look) if table.has("look") else None,
        hint=table.get("hint", str, ""),
        hint_after=table.parse("hint_after", parse_duration, int(DEFAULT_HINT_AFTER * 1e6)) / 1e6,
        question=question,
        show=show,
    )


def _goal(table: Table) -> Goal:
    known = {"event", "position", "side", "mode", "leverage", "ratio", "after", "settings"}
    table.check_known(known)
    event = None
    if table.has("event"):
        kind = table.get("event", str)
        event = event_class(kind)
        if event is None:
            raise table.fail("event", f"no event is called {kind!r}")
    position = table.get("position", str, None)
    if position not in (None, "open", "flat"):
        raise table.fail("position", f"expected open or flat, got {position!r}")
    side = table.get("side", str, None)
    if side not in (None, "long", "short"):
        raise table.fail("side", f"expected long or short, got {side!r}")
    mode = table.get("mode", str, None)
    if mode not in (None, "cross", "isolated"):
        raise table.fail("mode", f"expected cross or isolated, got {mode!r}")
    return Goal(
        event=event,
        position=position,
        side=None if side is None else (1 if side == "long" else -1),
        mode=mode,
        leverage=table.get("leverage", int, None),
        ratio=table.parse("ratio", parse_rate, None),
        after=table.parse("after", parse_duration, None),
        settings=_settings(table.table("settings", required=False)),
    )


def _settings(table: Table) -> tuple[tuple[str, str], ...]:
    """Policies a step waits for, named as ``MarketSettings`` names them."""
    table.check_known(set(POLICY_BY_FIELD))
    wanted = []
    for field, policy in POLICY_BY_FIELD.items():
        if table.has(field):
            try:
                wanted.append((field, policy.parse(table.get(field, str)).value))
            except PolicyError as error:
                raise table.fail(field, str(error)) from None
    return tuple(wanted)


def _command(table: Table, n: int, text: object) -> Command:
    if not isinstance(text, str) or not text.split():
        raise table.fail(f"show[{n}]", f"expected a command such as 'buy 0.5', got {text!r}")
    verb, _, argument = text.strip().partition(" ")
    if verb not in COMMANDS:
        raise table.fail(f"show[{n}]", f"unknown command {verb!r} (known: {', '.join(COMMANDS)})")
    if verb == "set":
        field, _, value = argument.strip().partition(" ")
        try:
            MarketSettings().switched(**{field: value.strip()})
        except PolicyError as error:
            raise table.fail(f"show[{n}]", f"set FIELD VALUE: {error}") from None
    return Command(verb, argument.strip())


def _choice(table: Table, key: str, enum: type[StrEnum]):
    value = table.get(key, str)
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(member.value for member in enum)
        raise table.fail(key, f"expected one of {known}, got {value!r}") from None


def near(typed: Fraction, right: Fraction, within: int) -> bool:
    """A typed answer is right when it is within ``within`` ppm of the engine's figure."""
    return abs(typed - right) * PPM <= abs(right) * within
