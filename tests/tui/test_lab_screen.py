"""The policy lab ("Compare policies on this crash"): the session's scenario re-run whole
under every ADL policy, in the background, the rows filling in as runs finish.

Most tests feed the screen made-up measures through its runner seam (a fake producer,
as memray's TUI tests do); two run real worker processes on tiny runs.
"""

from __future__ import annotations

import threading
import time

from engine.lab_run import RUN_POLICIES, RunMeasures, RunTask, run
from engine.units import SECOND
from tui.app.screens import lab
from tui.app.screens.lab import (
    METRICS,
    LabPlan,
    LabScreen,
    MetricBars,
    PoolRunner,
    RunFailed,
    bar,
    plan_for,
)

from .helpers import ADL_AT, DELEVERAGED_SCENE, drive, paused_app, screen_text, seen

CALM_MINUTE = LabPlan("calm", "calm", 1, 60 * SECOND, "one minute of calm")


def measures(policy: str, k: int = 0) -> RunMeasures:
    """Made-up measures, different for each ``k``; money in units (10⁻⁸)."""
    return RunMeasures(
        policy=policy,
        seed=1,
        steps=3601,
        liquidations=100 + k,
        adl_events=10 + k,
        accounts_hit=5 + k,
        deficit=(1_234_567 + k) * 10**6,  # 12,345.67 + k cents
        capacity=10**15,
        budget=10**14,
        taken=(2_000_000 + k) * 10**6,
        overshoot=(300_000 + k) * 10**6,
        undershoot=0,
        largest_haircut_ppm=500_000 + k * 10_000,
        fund_min=-(k * 10**10),
        fund_end=10**12,
        bad_debt=0,
        liquidations_after_adl=7 + k,
    )


def instant(tasks):
    """Every run done at once."""
    for k, task in enumerate(tasks):
        yield measures(task.policy, k)


class Gated:
    """A runner whose first ``first`` runs finish at once and the rest only when the gate
    opens, as slow runs would; records the tasks and whether it was cancelled."""

    def __init__(self, first: int) -> None:
        self.first = first
        self.gate = threading.Event()
        self.cancelled = threading.Event()
        self.tasks: list[RunTask] = []

    def __call__(self, tasks):
        self.tasks = list(tasks)
        return self

    def __iter__(self):
        for k, task in enumerate(self.tasks):
            if k == self.first:
                self.gate.wait(10)
            if self.cancelled.is_set():
                return
            yield measures(task.policy, k)

    def cancel(self) -> None:
        self.cancelled.set()
        self.gate.set()


async def until(pilot, done, timeout: float = 10) -> None:
    """Let the app run until ``done()`` (the runs come from a thread)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.02)


def lab_screen(app) -> LabScreen:
    assert isinstance(app.screen, LabScreen), app.screen
    return app.screen


def table_row(screen: str, policy: str) -> str:
    """The table's row of ``policy`` (the first line naming it), the dialog's border off."""
    return next(line for line in screen.splitlines() if f" {policy} " in line).strip("█ ")


# -- opening ---------------------------------------------------------------------------


def test_the_palette_opens_the_lab_on_this_sessions_scenario_and_seed():
    runner = Gated(first=len(RUN_POLICIES))
    app = paused_app("calm", steps=30, seed=4)
    app.lab_runner = runner

    async def script(pilot):
        await pilot.press("ctrl+p", *"compare policies")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(
            pilot, lambda: isinstance(app.screen, LabScreen) and len(app.screen.outcomes) == 9
        )
        screen = await seen(pilot)
        assert "Compare policies on this crash" in screen
        assert "calm · seed 4 · money in USDT" in screen
        # no ADL in 30 s of calm: the scenario's whole 6 h, and the screen says so
        assert (
            "No ADL has happened in this session yet: each policy runs its full 06:00:00." in screen
        )
        assert [t.policy for t in runner.tasks] == list(RUN_POLICIES)
        assert {(t.seed, t.duration) for t in runner.tasks} == {(4, 6 * 3600 * SECOND)}
        assert {t.scenario for t in runner.tasks} == {str(app.session.simulation.scenario.path)}
        assert "done: 9/9 runs" in screen

    drive(app, script)


def test_after_an_adl_the_lab_re_runs_the_session_so_far():
    app = paused_app(str(DELEVERAGED_SCENE))

    async def script(pilot):
        while app.session.steps < ADL_AT + 2:  # two steps past the ADL (each halts)
            app.run_steps(1)
        app.render_frame()
        await pilot.pause()
        plan = plan_for(app)
        session = app.session
        elapsed = session.exchange.time - session.simulation.start_time
        assert plan.duration == elapsed == (ADL_AT + 1) * SECOND  # the first step is at 0
        assert plan.seed == session.simulation.seed
        assert "as far as this session has run (its last ADL at 07:00:02)" in plan.span
        assert plan.in_force == "bitmex"
        assert [t.duration for t in plan.tasks()] == [elapsed] * len(RUN_POLICIES)

    drive(app, script)


def test_the_lab_says_where_the_re_runs_are_not_this_session():
    app = paused_app("calm", steps=5)

    async def script(pilot):
        app.session.submit("buy", "0.010", order_type="market")
        app.configure(adl_price="mark")
        app.configure(loss_policy="clawback")
        await pilot.pause()
        plan = plan_for(app)
        assert plan.in_force == "clawback"
        notes = " ".join(plan.notes)
        assert "Your switch of adl price is not in the re-runs" in notes
        assert "loss policy" not in notes  # the lab sets the loss policy itself
        assert "Your own orders are not in the re-runs" in notes

    drive(app, script)


# -- the runs coming in ----------------------------------------------------------------------


def test_rows_fill_in_as_runs_finish_and_the_keys_answer_meanwhile():
    runner = Gated(first=3)
    app = paused_app("calm")

    async def script(pilot):
        app.push_screen(LabScreen(CALM_MINUTE, runner))
        await until(pilot, lambda: len(lab_screen(app).outcomes) == 3)
        screen = await seen(pilot)
        assert "running 3/9…" in screen
        bitmex = table_row(screen, "bitmex")
        for cell in ("10", "5", "12,345.67", "20,000.00", "3,000.00", "50.00%", "0.00", "7"):
            assert cell in bitmex.split()
        hyperliquid = table_row(screen, "hyperliquid")
        assert "12,345.69" in hyperliquid and "-200.00" in hyperliquid  # k = 2
        assert table_row(screen, "random").split("random")[1].split() == ["…"] * len(METRICS)
        assert "  random          pending…" in screen

        # the keys answer while the rest is running: the metric switches
        page = lab_screen(app)
        assert "ADL events across the policies (metric 1/9" in screen
        await pilot.press("m", "m")
        assert page.metric == 2
        screen = await seen(pilot)
        assert "Σ deficit D across the policies (metric 3/9" in screen
        assert "Σ deficit D: loss beyond bankruptcy the fund could not absorb" in screen
        bars = [line for line in screen.splitlines() if "██" in line and "12,345.6" in line]
        assert len(bars) == 3
        await pilot.press("M")
        assert page.metric == 1 and "accounts hit across" in await seen(pilot)
        await pilot.press("right", "right", "right")  # the table's cursor is the metric too
        assert page.metric == 4 and "overshoot Σ[H−B]+ across" in await seen(pilot)
        await pilot.press("down", "down")
        assert page.chosen == "hyperliquid"
        assert "running 3/9…" in await seen(pilot)

        runner.gate.set()
        await until(pilot, lambda: len(page.outcomes) == 9)
        screen = await seen(pilot)
        assert "done: 9/9 runs" in screen
        assert "12,345.75" in table_row(screen, "risk_pro_rata")  # k = 8
        assert "pending" not in screen

    drive(app, script)


def test_the_bars_scale_to_the_largest_and_show_each_value():
    assert bar(0, 100, 40) == ""
    assert bar(100, 100, 40) == "█" * 40
    assert bar(50, 100, 40) == "█" * 20
    assert bar(1, 10**9, 40) == "▏"  # not zero: seen
    assert bar(-100, 100, 8) == "█" * 8  # the length of a negative one; its colour says so
    app = paused_app("calm")

    async def script(pilot):
        app.push_screen(LabScreen(CALM_MINUTE, instant))
        page = lab_screen(app)
        await until(pilot, lambda: len(page.outcomes) == 9)
        await pilot.press("M", "M", "M")  # back to fund minimum: 0, −100, … −800
        lines = [line.plain for line in page.query_one(MetricBars).lines(80)]
        assert lines[0].rstrip().endswith(" 0.00") and "█" not in lines[0]
        assert lines[8].startswith("  risk_pro_rata") and lines[8].endswith("-800.00")
        assert lines[8].count("█") == 80 - 17 - len("-800.00") - 2
        assert lines[4].count("█") == lines[8].count("█") // 2  # −400 is half of −800

    drive(app, script)


def test_a_failed_run_shows_its_reason_in_one_line():
    def runner(tasks):
        for k, task in enumerate(tasks):
            if task.policy == "random":
                yield RunFailed("random", lab.reason_of(MemoryError("no room\nTraceback …")))
            elif k < 6:
                yield measures(task.policy, k)
            else:
                raise OSError("the disk went away")

    app = paused_app("calm")

    async def script(pilot):
        app.push_screen(LabScreen(CALM_MINUTE, runner))
        page = lab_screen(app)
        await until(pilot, lambda: len(page.outcomes) == 9)
        screen = await seen(pilot)
        assert "failed: MemoryError: no room Traceback …" in table_row(screen, "random")
        assert "failed: not run: OSError: the disk went away" in table_row(screen, "clawback")
        assert "stopped after 5/9: OSError: the disk went away" in screen
        assert "Traceback (most recent call last)" not in screen
        assert "12,345.67" in table_row(screen, "bitmex")

    drive(app, script)


# -- closing -------------------------------------------------------------------------------


def test_escape_closes_the_lab_and_cancels_the_runs_left():
    runner = Gated(first=2)
    app = paused_app("calm")
    app.market.paused = False  # running, though nothing moves: no timers

    async def script(pilot):
        assert not app.market.paused
        app.push_screen(LabScreen(CALM_MINUTE, runner))
        page = lab_screen(app)
        await until(pilot, lambda: len(page.outcomes) == 2)
        assert app.market.paused  # a page to read: the market waits
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, LabScreen)
        assert runner.cancelled.is_set()
        assert not app.market.paused  # what the page paused, it resumes
        await until(pilot, lambda: not [w for w in page.workers if w.is_running])

    drive(app, script)


# -- real worker processes -----------------------------------------------------------------


def test_real_runs_on_worker_processes_fill_the_table_and_are_remembered():
    """Nine minute-long runs of calm on two processes: the same measures as a run in this
    process, and a second look at the same tasks runs nothing."""
    runner = PoolRunner(workers=2)
    app = paused_app("calm")

    async def script(pilot):
        app.push_screen(LabScreen(CALM_MINUTE, runner))
        page = lab_screen(app)
        await until(pilot, lambda: len(page.outcomes) == 9, timeout=20)
        assert all(isinstance(o, RunMeasures) for o in page.outcomes.values()), page.outcomes
        assert page.outcomes["bitmex"] == run(RunTask("calm", 1, "bitmex", 60 * SECOND))
        assert "done: 9/9 runs" in screen_text(app)
        again = runner(CALM_MINUTE.tasks())
        assert [m.policy for m in again] == list(RUN_POLICIES) and again.pool is None

    drive(app, script)


def test_closing_the_lab_terminates_its_worker_processes():
    runner = PoolRunner(workers=1)
    plan = LabPlan("flash-crash", "flash-crash", 7, None, "the full hour")  # minutes of work
    app = paused_app("calm")

    async def script(pilot):
        app.push_screen(LabScreen(plan, runner))
        page = lab_screen(app)
        await until(pilot, lambda: page.runs is not None and page.runs.processes, timeout=10)
        processes = list(page.runs.processes)
        assert all(p.is_alive() for p in processes)
        await pilot.press("escape")
        await until(pilot, lambda: not any(p.is_alive() for p in processes), timeout=5)
        assert not page.outcomes or len(page.outcomes) < 9

    drive(app, script)
