"""A learner's way through a lesson: which step, what the engine said of it, the answers.

Fed every frame the screen draws (``see``), it tells when the step at hand is done,
so the app can pause the market and show the next; ``answer`` checks a typed answer
against the engine's own figure. It keeps what happened at each step for the summary
a lesson ends with. Wall time (for hints) is the app's: it passes the seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction

from engine.events import (
    AutoDeleveraged,
    Event,
    FundingPayment,
    LiquidationSettled,
    SocializedLossCharged,
)
from engine.frames import Frame
from engine.lesson import Figure, Goal, Lesson, Step, near
from engine.policies import MarketSettings
from engine.units import MONEY_SCALE, PPM, UnitError, parse_decimal
from engine.views import AccountView


@dataclass(frozen=True, slots=True)
class Verdict:
    right: bool
    typed: Fraction
    figure: Figure
    value: Fraction  # the engine's figure, in quote units (a price, money) or percent


@dataclass(frozen=True, slots=True)
class StepRecord:
    """What the learner did at one step, for the lesson's summary."""

    number: int
    do: str
    done: bool = False
    attempts: int = 0  # answers typed
    shown: bool = False  # "show me" played it


class LessonProgress:
    def __init__(self, lesson: Lesson, user: str) -> None:
        self.lesson, self.user = lesson, user
        self.index = 0
        self._began: int | None = None  # market time the step began at
        self._seen: set[type] = set()  # the learner's event classes since the step began
        self._answered = False
        self._settings: MarketSettings | None = None  # in force at the last frame
        self.last: dict[type, tuple[Event, ...]] = {}  # see ``see``
        self.records = [StepRecord(n + 1, step.do) for n, step in enumerate(lesson.steps)]

    @property
    def step(self) -> Step | None:
        """The step at hand; None once the lesson is over."""
        return self.lesson.steps[self.index] if self.index < len(self.lesson.steps) else None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.lesson.steps)

    def see(self, frame: Frame) -> bool:
        """Take in a frame; True when it completed the step at hand (now the next one)."""
        step = self.step
        if step is None:
            return False
        if self._began is None:
            self._began = frame.market.time
        self._settings = frame.settings
        self._remember(frame.own_events())
        if not self._met(step, frame):
            return False
        self._advance(frame.market.time)
        return True

    def _remember(self, events: list[Event]) -> None:
        """``last``: for each kind, the learner's events of it at the latest engine step
        that had any — one liquidation's fills, one step's charges — which figures add
        up, however many steps a frame spans."""
        for event in events:
            kind = type(event)
            self._seen.add(kind)
            held = self.last.get(kind, ())
            same_step = held and held[-1].time == event.time
            self.last[kind] = (*held, event) if same_step else (event,)

    def answer(self, text: str, frame: Frame) -> Verdict | None:
        """Check a typed answer to the step's question; None when there is no question or
        the engine has no figure to check it against (no position)."""
        step = self.step
        if step is None or step.question is None:
            return None
        value = self.figure(frame)
        typed = _number(text)
        if value is None or typed is None:
            return None
        record = self.records[self.index]
        self.records[self.index] = replace(record, attempts=record.attempts + 1)
        question = step.question
        verdict = Verdict(near(typed, value, question.within), typed, question.figure, value)
        self._answered = self._answered or verdict.right
        return verdict

    def figure(self, frame: Frame) -> Fraction | None:
        """The engine's answer to the step's question now; None without a question or
        without the position or event it asks about."""
        step = self.step
        if step is None or step.question is None:
            return None
        return figure_value(step.question.figure, frame, self.last)

    def mark_shown(self) -> None:
        """The step was played by "show me"."""
        if not self.finished:
            self.records[self.index] = replace(self.records[self.index], shown=True)

    def due(self, account: AccountView, time: int, events: list[Event]) -> bool:
        """Would the step at hand be done after this engine step (its ``events``, the
        learner's ``account`` after it)? The app stops the market on the very step, even
        at full speed, before a frame shows it; ``see`` then moves the lesson on."""
        step = self.step
        if step is None or (step.question is not None and not self._answered):
            return False
        seen = self._seen | {type(e) for e in events if getattr(e, "account", None) == self.user}
        elapsed = time - (self._began if self._began is not None else time)
        return goal_met(step.done, account, seen, elapsed, self._settings)

    def _met(self, step: Step, frame: Frame) -> bool:
        if step.question is not None and not self._answered:
            return False
        elapsed = frame.market.time - (self._began or 0)
        return goal_met(step.done, frame.account, self._seen, elapsed, frame.settings)

    def _advance(self, time: int) -> None:
        """The next step begins now (its market time counts from here, frames or not)."""
        self.records[self.index] = replace(self.records[self.index], done=True)
        self.index += 1
        self._began, self._seen, self._answered = time, set(), False


def goal_met(
    goal: Goal,
    account: AccountView,
    seen: set[type],
    elapsed: int,
    settings: MarketSettings | None = None,
) -> bool:
    """Every condition the goal gives holds now (``seen``: the learner's event classes
    since the step began; ``elapsed``: market µs since then; ``settings``: in force)."""
    position = account.position
    checks = (
        goal.event is None or goal.event in seen,
        goal.position is None or (position is not None) == (goal.position == "open"),
        goal.side is None or (position is not None and position.side == goal.side),
        goal.mode is None or account.mode == goal.mode,
        goal.leverage is None or account.leverage == goal.leverage,
        goal.ratio is None or (position is not None and position.ratio >= goal.ratio),
        goal.after is None or elapsed >= goal.after,
        all(str(getattr(settings, f, None)) == value for f, value in goal.settings),
    )
    return all(checks)


def figure_value(
    figure: Figure, frame: Frame, last: Mapping[type, tuple[Event, ...]] | None = None
) -> Fraction | None:
    """The engine's figure a question asks for: of the learner's position now, or of
    their ``last`` events of a kind (added up). Prices and money in quote units, the
    margin ratio in percent."""
    if figure in EVENT_FIGURES:
        kind, read = EVENT_FIGURES[figure]
        events = (last or {}).get(kind)
        return None if not events else Fraction(sum(map(read, events)), MONEY_SCALE)
    position = frame.account.position
    if position is None:
        return None
    tick = Fraction(frame.instrument.tick_size)
    if figure is Figure.LIQUIDATION_PRICE:
        price = position.liquidation_price
        return None if price is None else price * tick
    if figure is Figure.BANKRUPTCY_PRICE:
        return position.bankruptcy_price * tick
    if figure is Figure.MARGIN_RATIO:
        return Fraction(position.ratio * 100, PPM)
    if figure is Figure.ADL_RANK:
        return None if position.adl_rank is None else Fraction(position.adl_rank)
    return Fraction(position.initial_margin, MONEY_SCALE)


EVENT_FIGURES = {
    Figure.FUND_IN: (LiquidationSettled, lambda e: e.fund_in),
    Figure.FUND_OUT: (LiquidationSettled, lambda e: e.fund_out),
    Figure.FUNDING_PAID: (FundingPayment, lambda e: -e.amount),
    Figure.GAVE_UP: (AutoDeleveraged, lambda e: e.forgone),
    Figure.CLAWED_BACK: (SocializedLossCharged, lambda e: e.amount),
}


def _number(text: str) -> Fraction | None:
    """A typed number: thousands separators, a trailing % or currency are allowed."""
    cleaned = text.strip().replace(",", "").removesuffix("%").strip().removesuffix("USDT")
    try:
        return Fraction(parse_decimal(cleaned, "answer"))
    except UnitError:
        return None
