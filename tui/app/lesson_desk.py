"""A lesson on the trading screen: the panel kept up, the market paused at each step,
the panel that matters lit, the learner's answers, and "show me".

A part of the app that owns the lesson's state (``LessonGuide``); the app hands it
each frame and calls it from two keys. "Show me" plays the step's solution through
the app's own commands, so it does exactly what the learner's keys would do.
"""

from __future__ import annotations

import time
from typing import Any

from engine.frames import Frame
from engine.lesson import Command, Lesson, Look
from tui.app.lesson_guide import LessonGuide
from tui.app.screens.answer import AnswerScreen
from tui.app.screens.reading import keep_paused

LOOKS = {  # the panel a step points at → the widget's id
    Look.BOOK: "ladder",
    Look.CHART: "chart",
    Look.POSITION: "positions",
    Look.LOG: "log",
    Look.HEADER: "header",
}


class LessonDesk:
    def __init__(self, app: Any, lesson: Lesson, user: str) -> None:
        """``app``: the ``SandboxApp`` whose commands it plays (not imported: a cycle)."""
        self.app = app
        self.guide = LessonGuide(lesson, user, time.perf_counter())
        session = app.market.session
        app.market.stop_when = lambda when, events: self.guide.progress.due(
            session.account(), when, events
        )

    @property
    def asks(self) -> bool:
        """The step at hand asks a question (the frame then carries the explanation)."""
        return self.guide.asks

    def follow(self, frame: Frame) -> None:
        """A new frame: a step it completed pauses the market for the learner to read."""
        now = time.perf_counter()
        if self.guide.see(frame, now):
            self.app.market.paused = True
            self.app.market.halted = False  # stopped for this step (``stop_when``): read on
            keep_paused(self.app)
        self._light(self.guide.look)
        self.app.lesson_panel.show(self.guide.lines(now))

    def ask(self) -> None:
        step = self.guide.progress.step
        if step is None or step.question is None:
            self.app.notify("This step asks nothing: do what the panel says.")
            return
        self.app.push_screen(AnswerScreen(step.question.ask, self.answered))

    def answered(self, typed: str) -> None:
        """Check the answer on a frame drawn now: it carries the explanation the
        verdict's formula is filled in from."""
        self.app.render_frame()
        self.guide.answer(typed, self.app.frame)
        self.app.after_command()

    def show_me(self) -> None:
        """Play the step's solution with the app's own commands."""
        step = self.guide.progress.step
        if step is None:
            self.app.notify("The lesson is over: the market is yours.")
            return
        self.guide.progress.mark_shown()
        for command in step.show:
            self._play(command)
        self.app.after_command()

    def _play(self, command: Command) -> None:
        app, verb, argument = self.app, command.verb, command.argument
        if verb in ("buy", "sell"):
            event = app.engine(lambda: app.session.submit(verb, argument, None, "market"))
            app.report(event, f"Show me: market {verb} {argument}.")
        elif verb == "close":
            app.action_close_position()
        elif verb == "leverage":
            reason = app.apply_leverage(argument)
            app.notify(reason or f"Show me: leverage {argument}x.", markup=False)
        elif verb == "mode":
            event = app.engine(lambda: app.session.set_margin_mode(argument))
            app.report(event, f"Show me: margin mode {argument}.")
        elif verb == "set":
            field, value = argument.split()
            app.configure(**{field: value})
        elif verb == "run":
            app.market.paused = False
        elif verb == "answer":
            value = self.guide.progress.figure(app.frame)
            if value is not None:
                self.guide.answer(f"{float(value):.6f}", app.frame)

    def _light(self, look: Look | None) -> None:
        """Outline the panel the step points at, and only it."""
        for where, widget_id in LOOKS.items():
            self.app.query_one(f"#{widget_id}").set_class(where is look, "-look")
