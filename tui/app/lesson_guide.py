"""The lesson on screen: the learner's progress, the words the panel shows, the answers.

No Textual here: the app feeds it frames and the wall clock, and shows its lines in
the lesson panel. The engine's ``LessonProgress`` decides when a step is done; this
says so in words, shows the hint once the learner has had time, and words a verdict
with the engine's figure and, when the answer is off, the formula with their numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from engine.events import (
    AutoDeleveraged,
    Event,
    Liquidation,
    LiquidationSettled,
    SocializedLossCharged,
)
from engine.frames import Frame
from engine.instrument import Instrument
from engine.lesson import Figure, Lesson, Look, Step
from engine.lesson_progress import EVENT_FIGURES, LessonProgress, Verdict
from engine.units import MONEY_SCALE
from tui.app import text
from tui.app.screens.explain import liquidation_lines

FREE_PLAY = "The market is yours now: trade on from here, or open another lesson (ctrl+p)."
Line = tuple[str, str]  # (text, tone): "", "strong", "muted", "up", "down", "accent"


@dataclass(frozen=True, slots=True)
class Told:
    """What an answer got: the verdict's words, one per line."""

    right: bool
    lines: tuple[str, ...]


class LessonGuide:
    def __init__(self, lesson: Lesson, user: str, now: float) -> None:
        self.lesson = lesson
        self.progress = LessonProgress(lesson, user)
        self._since = now  # wall time the step at hand began
        self.told: Told | None = None  # the last answer's verdict, at this step
        self.done = ""  # what the learner just did: the last step, done
        self.wrong_side = ""  # the step wants a long and the learner is short, or so

    @property
    def look(self) -> Look | None:
        """The panel the step at hand points at."""
        step = self.progress.step
        return step.look if step is not None else None

    @property
    def asks(self) -> bool:
        step = self.progress.step
        return step is not None and step.question is not None

    def see(self, frame: Frame, now: float) -> bool:
        """Feed a frame; True when it completed a step (the app pauses the market)."""
        number = self.progress.index + 1
        if not self.progress.see(frame):
            self.wrong_side = _wrong_side(self.progress.step, frame)
            return False
        self.wrong_side = ""
        said = f": {self.told.lines[0]}" if self.told is not None else ""
        self.done = f"✓ Step {number} done{said}{_happened(frame)}"
        self._since, self.told = now, None
        return True

    def answer(self, typed: str, frame: Frame) -> Told:
        step = self.progress.step
        question = step.question if step is not None else None
        if question is not None and self.progress.figure(frame) is None:
            missing = (
                "it has not happened to you yet"
                if question.figure in EVENT_FIGURES
                else "no open position"
            )
            self.told = Told(False, (f"Nothing to check it against now: {missing}.",))
            return self.told
        verdict = self.progress.answer(typed, frame)
        if verdict is None:
            said = f"{typed.strip()!r} is not a number" if typed.strip() else "Nothing typed"
            self.told = Told(False, (f"{said}: type the figure, e.g. 40,200.",))
        else:
            self.told = _told(verdict, frame, self.progress.last)
        return self.told

    def lines(self, now: float) -> list[Line]:
        """The panel: title and progress, the story, what to do, the hint in time."""
        lesson, progress = self.lesson, self.progress
        header = f"Lesson {lesson.number}: {lesson.title}"
        step = progress.step
        if step is None:
            return [(header, "strong"), (self.done, "up"), *self._summary()]
        count = len(lesson.steps)
        lines: list[Line] = [(f"{header}  ·  step {progress.index + 1} of {count}", "strong")]
        if self.done:
            lines.append((self.done, "up"))
        lines += [
            (step.say, ""),
            (f"▶ {step.do}", "accent"),
        ]
        if step.question is not None:
            lines.append((f"? {step.question.ask}  (a: answer)", "accent"))
        if self.wrong_side:
            lines.append((self.wrong_side, "down"))
        if self.told is not None:
            tone = "up" if self.told.right else "down"
            lines += [(line, tone) for line in self.told.lines]
        if step.hint and now - self._since >= step.hint_after:
            lines.append((f"Hint: {step.hint}", "muted"))
        lines.append(("w: show me · space: run/pause · ctrl+p: other lessons", "muted"))
        return lines

    def _summary(self) -> list[Line]:
        """What the learner did against what the lesson asked."""
        records = self.progress.records
        shown = sum(r.shown for r in records)
        tries = sum(r.attempts for r in records)
        done = f"Done: {len(records)} steps, {shown} shown by 'show me', {tries} answers typed."
        lines: list[Line] = [(done, "up"), (self.lesson.summary, "")]
        for r in records:
            lines.append((f"  {r.number}. {r.do}{'  (shown)' if r.shown else ''}", "muted"))
        lines.append((FREE_PLAY, "accent"))
        return lines


def _wrong_side(step: Step | None, frame: Frame) -> str:
    """What to do when the step wants one side and the learner holds the other."""
    position = frame.account.position
    wanted = step.done.side if step is not None else None
    if wanted is None or position is None or position.side == wanted:
        return ""
    held, want = text.side_word(position.side), text.side_word(wanted)
    key = "b" if wanted > 0 else "s"
    return f"That is a {held}: this step wants a {want}. x closes it, then {key} opens a {want}."


def _happened(frame: Frame) -> str:
    """The learner's liquidation or ADL in the frame that ended a step, in figures."""
    i = frame.instrument
    for event in frame.own_events():
        if type(event) is AutoDeleveraged:
            against = (
                f"gave up {text.money(event.forgone)} {i.quote} vs the mark"
                if event.forgone >= 0
                else f"{text.money(-event.forgone)} {i.quote} better than the mark"
            )
            return (
                f": you were deleveraged, rank {event.rank}, {text.qty(i, event.qty)} at "
                f"{text.price(i, event.price)} (mark {text.price(i, event.mark)}), {against}"
            )
        if type(event) is Liquidation:
            return (
                f": liquidated at mark {text.price(i, event.mark)}, settled at "
                f"{text.price(i, event.bankruptcy_price)}, margin lost "
                f"{text.money(event.margin_lost)} {i.quote}"
            )
    return ""


def _told(verdict: Verdict, frame: Frame, last: Mapping[type, tuple[Event, ...]]) -> Told:
    """The verdict in words: the engine's figure, and the formula when the answer is off."""
    figure, i = verdict.figure, frame.instrument
    value = _figure_text(figure, verdict.value, i)
    if verdict.right:
        return Told(True, (f"Right: the engine says {value}.",))
    typed = _figure_text(figure, verdict.typed, i)
    lines = [f"Not quite: you said {typed}; the engine says {value}."]
    e = frame.explanation
    s = "(+1)" if e is not None and e.side > 0 else "(−1)"  # the side, as explain writes it
    if e is not None and figure is Figure.LIQUIDATION_PRICE:
        lines += liquidation_lines(e, i, s)
    elif e is not None and figure is Figure.BANKRUPTCY_PRICE:
        lines.append(
            f"  P_bk = P_e − s·WB/Q = {text.price(i, e.entry)} − {s}·"
            f"{text.money(e.collateral)} / {text.qty(i, e.lots)}"
        )
    elif e is not None and figure is Figure.MARGIN_RATIO:
        lines.append(
            f"  margin ratio = MM / equity = {text.money(e.maintenance)} / {text.money(e.equity)}"
        )
    elif figure in EVENT_FIGURES:
        lines += _event_formula(figure, last, i)
    return Told(False, tuple(lines))


def _event_formula(
    figure: Figure, last: Mapping[type, tuple[Event, ...]], i: Instrument
) -> list[str]:
    """How the engine came to an event's figure, with the event's numbers."""
    if figure in (Figure.FUND_IN, Figure.FUND_OUT) and last.get(LiquidationSettled):
        return [_fund_formula(settled, last, i) for settled in last[LiquidationSettled]]
    if figure is Figure.GAVE_UP:
        return [
            f"  gave up = |ADL price − mark| × size = |{text.price(i, a.price)} − "
            f"{text.price(i, a.mark)}| × {text.qty(i, a.qty)} = {text.money(a.forgone)}"
            for a in last.get(AutoDeleveraged, ())
        ]
    if figure is Figure.FUNDING_PAID:
        return ["  funding = the rate × your notional at the mark (the log: 'funding settled')"]
    return [
        f"  charged {text.money(c.amount)} {i.quote}: the same rate of every winner's profit"
        for c in last.get(SocializedLossCharged, ())
    ]


def _fund_formula(
    settled: LiquidationSettled, last: Mapping[type, tuple[Event, ...]], i: Instrument
) -> str:
    """One settled liquidation's fund change: the backstop's average close against the
    bankruptcy price it took the position over at (a long sold, a short bought back)."""
    taken = next((e for e in last.get(Liquidation, ()) if e.held == settled.held), None)
    net = settled.fund_in - settled.fund_out
    if taken is None:
        return f"  fund change = {text.signed_money(net)}"
    s = taken.side
    per_unit = Fraction(net, MONEY_SCALE) / (taken.qty * Fraction(i.lot_size))
    closed = text.price(i, taken.bankruptcy_price + s * per_unit / Fraction(i.tick_size))
    q, bankrupt = text.qty(i, taken.qty), text.price(i, taken.bankruptcy_price)
    verb, formula = ("sold", "(sale − P_bk)") if s > 0 else ("bought back", "(P_bk − buy)")
    pair = f"({closed} − {bankrupt})" if s > 0 else f"({bankrupt} − {closed})"
    return (
        f"  the backstop took your {q} over at the bankruptcy price {bankrupt} and {verb} "
        f"it at {closed} on average: fund change = {formula} × Q = {pair} × {q} = "
        f"{text.signed_money(net)}"
    )


def _figure_text(figure: Figure, value: Fraction, i: Instrument) -> str:
    """A figure as the rest of the screen shows it: prices on the tick's decimals."""
    if figure is Figure.MARGIN_RATIO:
        return f"{float(value):,.2f}%"
    if figure is Figure.ADL_RANK:
        return f"rank {value}"
    is_money = figure is Figure.INITIAL_MARGIN or figure in EVENT_FIGURES
    decimals = 2 if is_money else i.price_decimals
    return f"{float(value):,.{decimals}f} {i.quote}"
