"""The policy lab: this session's crash re-run whole under every ADL policy, side by side.

"Compare policies on this crash" (the palette) re-simulates the session's scenario at
its seed, up to the simulated time it has reached (through its last ADL), once under
each policy of ``engine.lab_run.RUN_POLICIES``: ADL feeds back into prices and later
liquidations, so each policy gets a whole run, not only a new split of each event
(``adl-sandbox compare`` does the same over many seeds, from the command line).

The runs go to worker processes (``PoolRunner``), read by a Textual thread worker that
hands each result to the screen as it finishes, so the keys answer all along and the
rows fill in one policy at a time. Closing the screen cancels what is left and
terminates the processes. A run is a pure function of its task, so a result already
had is not run again (reopening the screen while the market waits is instant).

The screen takes any runner (``tasks -> iterable of RunMeasures or RunFailed``, with
an optional ``cancel()``), so its tests feed made-up measures instead of simulating,
as memray's TUI tests feed a fake producer.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, fields
from multiprocessing import get_context, resource_tracker
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from engine.agents.schedule import SCHEDULED
from engine.comparison import MEANING as METRIC_MEANING
from engine.errors import UserFacingError
from engine.lab_run import CLAWBACK, HAIRCUTS, RUN_POLICIES, RunMeasures, RunTask, run
from engine.split import MEANING as POLICY_MEANING
from engine.units import format_duration, format_moment
from tui.app import text
from tui.app.screens.reading import ReadingScreen, title

TITLE = "Compare policies on this crash"
POLL = 0.1  # s between looks at the cancel flag while the processes work
REAP = 2  # s to wait, at most, for a terminated process to end
NICE = 10  # the workers yield the CPU to the screen
CACHED = 256  # runs remembered (a run is a pure function of its task)
REASON_WIDTH = 100  # a failure's reason, at most, in one line
TABLE_REASON = 44  # the part of it the table's row shows (the chart shows it all)
BUDGET = (
    "B = min(D, U) per event (θ = 1); H = the profit of the lots closed at the ADL price "
    "(clawback: what it collected)"
)


# -- what is run, and what comes back ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunFailed:
    """A run that did not finish: its one-line reason, never a traceback."""

    policy: str
    reason: str


Outcome = RunMeasures | RunFailed
Runner = Callable[[Sequence[RunTask]], Iterable[Outcome]]


@dataclass(frozen=True, slots=True)
class Metric:
    name: str  # the field of RunMeasures
    label: str  # the table's column, the chart's title
    kind: str  # count | money | ppm


METRICS = (
    Metric("adl_events", "ADL events", "count"),
    Metric("accounts_hit", "accounts hit", "count"),
    Metric("deficit", "Σ deficit D", "money"),
    Metric("taken", "Σ taken H", "money"),
    Metric("overshoot", "overshoot Σ[H−B]+", "money"),
    Metric("largest_haircut_ppm", "largest haircut", "ppm"),
    Metric("fund_min", "fund minimum", "money"),
    Metric("bad_debt", "bad debt", "money"),
    Metric("liquidations_after_adl", "liq. ≤60 s after ADL", "count"),
)
HEADINGS = {  # two lines, so the table is narrow
    "adl_events": "ADL\nevents",
    "accounts_hit": "accounts\nhit",
    "deficit": "Σ deficit\nD",
    "taken": "Σ taken\nH",
    "overshoot": "overshoot\nΣ[H−B]+",
    "largest_haircut_ppm": "largest\nhaircut",
    "fund_min": "fund\nminimum",
    "bad_debt": "bad\ndebt",
    "liquidations_after_adl": "liq. ≤60 s\nafter ADL",
}


def value_text(metric: Metric, value: int) -> str:
    if metric.kind == "money":
        return text.money(value)
    if metric.kind == "ppm":
        return text.percent(value)
    return f"{value:,}"


def metric_words(metric: Metric) -> str:
    """What the metric means (``engine.comparison.MEANING``); the haircut shows in %."""
    words = METRIC_MEANING[metric.name].removesuffix(", ppm")
    symbol, colon, rest = words.partition(": ")
    return rest if colon and symbol.startswith("Σ") else words  # the label has the symbol


def policy_words(policy: str) -> str:
    """One line on a policy (``engine.split.MEANING``); in whole runs the pro-rata
    splits other than the classic clawback are clawbacks too (``engine.lab_run``)."""
    words = POLICY_MEANING.get(policy, "")
    if policy in HAIRCUTS:
        return f"clawback split {words}; positions left open"
    return words or policy


def reason_of(error: BaseException) -> str:
    """One line on why a run failed."""
    if isinstance(error, BrokenProcessPool):
        words = "its worker process stopped unexpectedly (out of memory?)"
    elif isinstance(error, UserFacingError):
        words = str(error)
    else:
        words = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    line = " ".join(words.split())
    return line if len(line) <= REASON_WIDTH else line[: REASON_WIDTH - 1] + "…"


# -- the runs on worker processes ----------------------------------------------------------


def workers_here() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def tracker_running() -> None:
    """Start multiprocessing's resource tracker, which every process pool needs. It
    hands its process ``sys.stderr``'s descriptor, and under Textual ``sys.stderr`` is a
    capture without one (-1: "bad value(s) in fds_to_keep"): the real one, meanwhile."""
    captured = sys.stderr
    if sys.__stderr__ is not None and _descriptor(captured) < 0:
        sys.stderr = sys.__stderr__
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


def _descriptor(stream) -> int:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return -1


class PoolRunner:
    """The default runner: each task a run of ``engine.lab_run.run`` on a pool of worker
    processes (spawned, not forked: the app has threads), results as they finish.
    Finished runs are remembered, so the same task is not run twice."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers
        self.known: dict[RunTask, RunMeasures] = {}

    def __call__(self, tasks: Sequence[RunTask]) -> PoolRuns:
        """The runs of ``tasks``, started when first iterated. Called on the app's thread,
        which starts multiprocessing's resource tracker first (``tracker_running``)."""
        tracker_running()
        return PoolRuns(tasks, self.workers or workers_here(), self)

    def keep(self, task: RunTask, measures: RunMeasures) -> None:
        self.known[task] = measures
        while len(self.known) > CACHED:
            del self.known[next(iter(self.known))]


class PoolRuns:
    """The runs of ``tasks``, iterated on one thread; ``cancel()`` from any other stops
    them at once: pending runs are dropped and the processes terminated."""

    def __init__(self, tasks: Sequence[RunTask], workers: int, runner: PoolRunner) -> None:
        self.tasks = list(tasks)
        self.workers = workers
        self.runner = runner
        self.pool: ProcessPoolExecutor | None = None
        self.processes: list[Any] = []  # the worker processes, once started (tests look)
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Outcome]:
        todo = []
        for task in self.tasks:
            known = self.runner.known.get(task)
            if known is not None:
                yield known
            else:
                todo.append(task)
        with self._lock:
            if not todo or self._stop.is_set():
                return
            self.pool = ProcessPoolExecutor(
                max_workers=min(self.workers, len(todo)),
                mp_context=get_context("spawn"),
                initializer=getattr(os, "nice", None),
                initargs=(NICE,) if hasattr(os, "nice") else (),
            )
            futures = {self.pool.submit(run, task): task for task in todo}
        pending = set(futures)
        try:
            while pending and not self._stop.is_set():
                self._see_processes()
                done, pending = wait(pending, timeout=POLL, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=lambda f: todo.index(futures[f])):
                    if self._stop.is_set():
                        return
                    yield self._outcome(futures[future], future)
        finally:
            if pending or self._stop.is_set():
                self.cancel()
                for process in self.processes:  # reaped here, off the app's thread
                    process.join(REAP)
            else:
                self.pool.shutdown(wait=False)

    def _outcome(self, task: RunTask, future) -> Outcome:
        error = future.exception()
        if error is not None:
            return RunFailed(task.policy, reason_of(error))
        measures = future.result()
        self.runner.keep(task, measures)
        return measures

    def _see_processes(self) -> None:
        found = getattr(self.pool, "_processes", None)  # no public list before Python 3.14
        if found:
            with self._lock:
                self.processes = list(
                    {id(p): p for p in [*self.processes, *found.values()]}.values()
                )

    def cancel(self) -> None:
        """Stop: drop what has not started, terminate the processes (safe to repeat)."""
        self._stop.set()
        with self._lock:
            pool = self.pool
            if pool is None:
                return
            terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
            if terminate is not None:
                terminate()
                return
            found = getattr(pool, "_processes", None) or {}
            processes = list({id(p): p for p in [*self.processes, *found.values()]}.values())
            self.processes = processes
            pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()


default_runner: Runner = PoolRunner()


# -- what this session would re-run ---------------------------------------------------------


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


def plan_for(app) -> LabPlan:
    """This session's scenario, seed and time so far, from the app's session.

    The frame carries neither the seed nor the scenario's file nor when the run began,
    so this reads them from the session's simulation (its public attributes): the one
    place the screen looks past a frame."""
    session = app.session
    simulation = session.simulation
    scenario = simulation.scenario
    frame = app.frame
    dated = frame.dated if frame else False
    start, now = simulation.start_time, session.exchange.time
    last = last_adl(session, app.market.history)
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


def last_adl(session, history) -> int | None:
    """When the session's last ADL (or clawback) happened, if it has."""
    times = [record.time for record in session.exchange.adl_records[-1:]]
    times += [m.time for m in history.fund_moves if m.reason.startswith("socialized loss")]
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


# -- the bars ------------------------------------------------------------------------------

EIGHTHS = " ▏▎▍▌▋▊▉"
LABEL = max(len(p) for p in RUN_POLICIES) + 2  # "▶ " or "• " before the name


def bar(value: int, top: int, width: int) -> str:
    """|value| of ``top`` as a bar of ``width`` cells at most, in eighths of a cell; a
    value that is not zero shows at least an eighth."""
    if top <= 0 or width <= 0 or value == 0:
        return ""
    eighths = max(1, round(abs(value) * width * 8 / top))
    full, part = divmod(eighths, 8)
    return "█" * full + (EIGHTHS[part] if part else "")


class MetricBars(Widget):
    """One metric across the policies, a bar a policy, scaled to the largest."""

    COMPONENT_CLASSES = {
        "metric-bars--bar",
        "metric-bars--negative",
        "metric-bars--chosen",
        "metric-bars--muted",
        "metric-bars--failed",
    }
    DEFAULT_CSS = """
    MetricBars { height: auto; }
    MetricBars > .metric-bars--bar { color: $accent; }
    MetricBars > .metric-bars--negative { color: $error; }
    MetricBars > .metric-bars--chosen { text-style: bold reverse; }
    MetricBars > .metric-bars--muted { color: $text-muted; }
    MetricBars > .metric-bars--failed { color: $error; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.outcomes: dict[str, Outcome] = {}
        self.metric = METRICS[0]
        self.chosen: str | None = None  # the policy the table's cursor is on

    def show(self, outcomes: dict[str, Outcome], metric: Metric, chosen: str | None) -> None:
        self.outcomes, self.metric, self.chosen = dict(outcomes), metric, chosen
        self.refresh()

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(RUN_POLICIES)

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.size.width))

    def lines(self, width: int) -> list[Text]:
        style = self.get_component_rich_style
        metric = self.metric
        values = {
            p: getattr(o, metric.name)
            for p, o in self.outcomes.items()
            if isinstance(o, RunMeasures)
        }
        texts = {p: value_text(metric, v) for p, v in values.items()}
        value_width = max((len(t) for t in texts.values()), default=1)
        room = max(0, width - LABEL - value_width - 2)
        top = max((abs(v) for v in values.values()), default=0)
        lines = []
        for policy in RUN_POLICIES:
            label = Text(f"{policy:<{LABEL - 2}}", end="")
            label = Text.assemble("▶ " if policy == self.chosen else "  ", label)
            if policy == self.chosen:
                label.stylize(style("metric-bars--chosen"))
            outcome = self.outcomes.get(policy)
            if isinstance(outcome, RunFailed):
                line = Text.assemble(
                    label, " ", ("failed: " + outcome.reason, style("metric-bars--failed"))
                )
            elif outcome is None:
                line = Text.assemble(label, " ", ("pending…", style("metric-bars--muted")))
            else:
                value = values[policy]
                tone = "metric-bars--negative" if value < 0 else "metric-bars--bar"
                drawn = bar(value, top, room)
                line = Text.assemble(
                    label,
                    " ",
                    (drawn, style(tone)),
                    " " * (room - len(drawn) + 1),
                    f"{texts[policy]:>{value_width}}",
                )
            line.truncate(width)
            lines.append(line)
        return lines


# -- the screen ----------------------------------------------------------------------------


class LabScreen(ReadingScreen):
    """The table of every policy's run (policies down, metrics across), the bars of the
    metric under the table's cursor, and the words for each. The cursor picks the
    policy (↑/↓) and the metric (←/→, or m / M); the table scrolls sideways to it on a
    narrow terminal."""

    DEFAULT_CSS = """
    LabScreen #lab {
        width: 100%; max-width: 164; height: 1fr;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    LabScreen.-short #lab, LabScreen.-narrow #lab { border: none; padding: 0; }
    LabScreen #lab-table { height: auto; margin-top: 1; background: transparent; }
    LabScreen .lab-note, LabScreen #lab-words { color: $text-muted; }
    LabScreen #lab-chart-title { margin-top: 1; text-style: bold; }
    LabScreen #lab-words { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="lab-close"),
        Binding("m", "metric(1)", "Next metric", id="lab-metric-next"),
        Binding("M", "metric(-1)", "Previous metric", show=False, id="lab-metric-back"),
        Binding("pagedown", "page(1)", "More", id="lab-page-down", priority=True),
        Binding("pageup", "page(-1)", "Back", show=False, id="lab-page-up", priority=True),
    ]

    class Arrived(Message):
        """One run's outcome, from the worker thread."""

        def __init__(self, outcome: Outcome) -> None:
            super().__init__()
            self.outcome = outcome

    class Stopped(Message):
        """The runner itself failed: the runs it had not given are not had."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, plan: LabPlan, runner: Runner | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.runner = runner if runner is not None else default_runner
        self.outcomes: dict[str, Outcome] = {}
        self.metric = 0  # in METRICS
        self.chosen = RUN_POLICIES[0]  # the policy the cursor is on
        self.stopped: str | None = None
        self.runs: Iterable[Outcome] | None = None

    # -- building

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="lab"):
            yield Static(title(TITLE), id="lab-title")
            yield Static(self.plan_words(), id="lab-plan")
            for note in self.plan.notes:
                yield Static(Content(note), classes="lab-note")
            yield Static(id="lab-status")
            yield DataTable(id="lab-table", cursor_type="cell", header_height=2)
            yield Static(id="lab-chart-title")
            yield MetricBars(id="lab-bars")
            yield Static(id="lab-words")

    def on_mount(self) -> None:
        """The table with a row a policy, waiting; then the runs. (Textual calls
        ``ReadingScreen.on_mount`` too: the market waits.)"""
        table = self.query_one("#lab-table", DataTable)
        for metric in METRICS:
            table.add_column(Text(HEADINGS[metric.name], justify="right"), key=metric.name)
        for policy in RUN_POLICIES:
            mark = "• " if policy == self.plan.in_force else "  "
            table.add_row(*self.cells(policy), key=policy, label=Text(mark + policy))
        table.focus()
        self.redraw()
        self.call_after_refresh(self.refresh_bindings)  # pgdn, if the page is too tall
        self.runs = self.runner(self.plan.tasks())
        self.run_all(self.runs)

    def plan_words(self) -> Content:
        plan = self.plan
        head = [plan.scenario, f"seed {plan.seed}"]
        if plan.quote:
            head.append(f"money in {plan.quote}")
        return Content.assemble((" · ".join(head), "bold"), "\n", plan.span)

    # -- the runs, on a thread

    @work(thread=True, exclusive=True, group="lab", exit_on_error=False)
    def run_all(self, runs: Iterable[Outcome]) -> None:
        """Hand each outcome to the screen as it comes; stop when the screen closes."""
        worker = get_current_worker()
        iterator = iter(runs)
        try:
            while not worker.is_cancelled:
                try:
                    outcome = next(iterator)
                except StopIteration:
                    break
                except Exception as error:  # the runner's own failure: said, never raised
                    self.tell(self.Stopped(reason_of(error)))
                    break
                self.tell(self.Arrived(outcome))
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    def tell(self, message: Message) -> None:
        with suppress(RuntimeError):  # the app's loop is gone: nobody to tell
            self.post_message(message)

    def on_lab_screen_arrived(self, message: Arrived) -> None:
        outcome = message.outcome
        if outcome.policy not in RUN_POLICIES:
            return
        self.outcomes[outcome.policy] = outcome
        table = self.query_one("#lab-table", DataTable)
        for metric, cell in zip(METRICS, self.cells(outcome.policy), strict=True):
            table.update_cell(outcome.policy, metric.name, cell, update_width=True)
        self.redraw()

    def on_lab_screen_stopped(self, message: Stopped) -> None:
        self.stopped = message.reason
        for policy in RUN_POLICIES:
            if policy not in self.outcomes:
                failed = RunFailed(policy, f"not run: {message.reason}")
                self.on_lab_screen_arrived(self.Arrived(failed))
        self.redraw()

    def on_unmount(self) -> None:
        """Closing stops the runs: the thread worker is cancelled with the screen, and the
        runner told to stop (the process runner terminates its processes)."""
        cancel = getattr(self.runs, "cancel", None)
        if cancel is not None:
            cancel()

    # -- drawing

    def cells(self, policy: str) -> list[Text]:
        """A policy's row: its measures, "…" until its run is in, or why it failed."""
        outcome = self.outcomes.get(policy)
        if isinstance(outcome, RunFailed):
            reason = outcome.reason
            if len(reason) > TABLE_REASON:
                reason = reason[: TABLE_REASON - 1] + "…"
            rest = (Text("—", justify="right") for _ in METRICS[1:])
            return [Text(f"failed: {reason}", style="bold"), *rest]
        if outcome is None:
            return [Text("…", style="dim", justify="right") for _ in METRICS]
        return [Text(value_text(m, getattr(outcome, m.name)), justify="right") for m in METRICS]

    def redraw(self) -> None:
        metric = METRICS[self.metric]
        self.query_one("#lab-status", Static).update(self.status())
        self.query_one("#lab-chart-title", Static).update(
            Content.assemble(
                metric.label,
                (f" across the policies (metric {self.metric + 1}/{len(METRICS)}: ", "dim"),
                ("←/→", "bold $accent"),
                (" or ", "dim"),
                ("m", "bold $accent"),
                ("/", "dim"),
                ("M", "bold $accent"),
                (" for another)", "dim"),
            )
        )
        self.query_one(MetricBars).show(self.outcomes, metric, self.chosen)
        self.query_one("#lab-words", Static).update(self.words())

    def status(self) -> Content:
        total, done = len(RUN_POLICIES), len(self.outcomes)
        failed = sum(isinstance(o, RunFailed) for o in self.outcomes.values())
        if self.stopped is not None:
            return Content.styled(
                f"stopped after {done - failed}/{total}: {self.stopped}", "bold $error"
            )
        if done < total:
            return Content.styled(
                f"running {done}/{total}… (the keys work meanwhile; esc stops the runs)", "bold"
            )
        if failed:
            return Content.styled(
                f"done: {total - failed}/{total} runs, {failed} failed", "bold $warning"
            )
        return Content.styled(f"done: {total}/{total} runs", "bold")

    def words(self) -> Content:
        """The chosen metric, then every policy, a line each (the cursor's in bold)."""
        metric = METRICS[self.metric]
        lines = [
            Content.assemble((f"{metric.label}: ", "bold"), metric_words(metric)),
            Content(BUDGET),
            Content(""),
        ]
        width = max(len(p) for p in RUN_POLICIES)
        for policy in RUN_POLICIES:
            mark = "• " if policy == self.plan.in_force else "  "
            style = "bold" if policy == self.chosen else ""
            lines.append(
                Content.assemble((f"{mark}{policy:<{width}}  ", style), policy_words(policy))
            )
        if self.plan.in_force:
            lines.append(Content("• the policy in force in your session"))
        return Content("\n").join(lines)

    # -- keys

    def action_metric(self, steps: int) -> None:
        """The next (or previous) metric: the table's cursor moves to its column."""
        self.show_metric((self.metric + steps) % len(METRICS))

    def show_metric(self, index: int) -> None:
        self.metric = index
        table = self.query_one("#lab-table", DataTable)
        if table.cursor_column != index:
            table.move_cursor(column=index)
        self.redraw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """pgdn/pgup only where the page is taller than the terminal (80×24)."""
        if action == "page":
            scroll = self.query("#lab").first(VerticalScroll) if self.is_mounted else None
            return scroll is not None and scroll.max_scroll_y > 0
        return super().check_action(action, parameters)

    def on_resize(self) -> None:
        self.call_after_refresh(self.refresh_bindings)

    def action_page(self, steps: int) -> None:
        scroll = self.query_one("#lab", VerticalScroll)
        if steps > 0:
            scroll.scroll_page_down()
        else:
            scroll.scroll_page_up()

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self.chosen = RUN_POLICIES[event.coordinate.row]
        self.metric = event.coordinate.column
        self.redraw()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a column's heading charts that metric."""
        self.show_metric(event.column_index)


def open_lab(app, runner: Runner | None = None) -> None:
    """The palette's "Compare policies on this crash": the lab on this session."""
    app.push_screen(LabScreen(plan_for(app), runner if runner is not None else default_runner))
