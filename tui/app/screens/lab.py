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

from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass

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

from engine.lab import (
    HAIRCUTS,
    METRIC_MEANING,
    POLICY_MEANING,
    RUN_POLICIES,
    LabPlan,
    Outcome,
    PoolRunner,
    RunFailed,
    RunMeasures,
    Runner,
    reason_of,
)
from engine.lab import plan_for as plan_session
from tui.app import text
from tui.app.screens.reading import ReadingScreen, title

TITLE = "Compare policies on this crash"
TABLE_REASON = 44  # the part of it the table's row shows (the chart shows it all)
BUDGET = (
    "B = min(D, U) per event (θ = 1); H = the profit of the lots closed at the ADL price "
    "(clawback: what it collected)"
)


# -- what is run, and what comes back ---------------------------------------------------------


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

    def __init__(self, plan: LabPlan, runner: Runner) -> None:
        super().__init__()
        self.plan = plan
        self.runner = runner
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


def plan_for(app) -> LabPlan:
    """What the lab re-runs for the app's session (``engine/lab_plan.py``)."""
    return plan_session(app.session, app.frame, app.market.history.fund_moves)


def open_lab(app) -> None:
    """The palette's "Compare policies on this crash": the lab on this session, on the
    app's runner, made at the first opening; it remembers the runs it had, so reopening
    the lab while the market waits is instant."""
    if app.lab_runner is None:
        app.lab_runner = PoolRunner()
    app.push_screen(LabScreen(plan_for(app), app.lab_runner))
