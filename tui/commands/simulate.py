"""``adl-sandbox simulate``: run a scenario headless, then print what happened.

A progress bar on stderr while it runs; then a summary table, or with ``--json``
one JSON object on stdout (exact decimal strings for money). Same scenario and
seed give byte-identical output and journal.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.feeds.replay import FORMATS
from engine.feeds.replay_formats import Clock
from engine.journal import JournalWriter, header_for
from engine.policies import Venue
from engine.report import RunReport
from engine.restore import Moved
from engine.scenario import load_scenario
from engine.session import Session
from engine.simulation import Simulation
from engine.units import format_money_short, parse_duration, to_money
from tui import sessions
from tui.arguments import UserError, described, whole_number
from tui.columns import table
from tui.outputs import check_output

DEFAULT_SCENARIO = "calm"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "simulate", help="run a scenario headless and summarize it", description=described(__doc__)
    )
    add_market_arguments(parser, every_venue=True)
    parser.add_argument(
        "--duration",
        help="simulated time to run, e.g. 90s, 6h, 2d "
        "(default: the scenario's; a replay runs to its end)",
    )
    parser.add_argument("--journal", metavar="PATH", help="write a JSONL journal of the run")
    parser.add_argument(
        "--force", action="store_true", help="let --journal replace an existing file"
    )
    parser.add_argument(
        "--resume",
        metavar="PATH",
        help="continue a journaled run (killed or "
        "finished), appending to its journal; --duration sets the new total",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def add_market_arguments(parser: argparse.ArgumentParser, every_venue: bool = False) -> None:
    """The flags the app and ``simulate`` share, with the same names and errors;
    ``every_venue``: ``--venue all`` runs the scenario once under each venue's preset."""
    parser.add_argument(
        "--scenario",
        metavar="NAME|PATH",
        help="a shipped scenario (see `adl-sandbox scenarios`) or a TOML file (default: calm)",
    )
    parser.add_argument("--seed", type=whole_number, help="random seed (default: the scenario's)")
    venues = [venue.value for venue in Venue]
    parser.add_argument(
        "--venue",
        choices=[*venues, "all"] if every_venue else venues,
        help="run the market as this venue runs its waterfall (default: the scenario's)"
        + ("; all: once under each, compared side by side" if every_venue else ""),
    )
    parser.add_argument("--replay", metavar="FILE", help="replay a price file (csv, csv.gz, zip)")
    parser.add_argument(
        "--format", choices=sorted(FORMATS), help="the replay file's format (default: detected)"
    )
    parser.add_argument("--sort", action="store_true", help="accept replay rows out of order")
    parser.add_argument("--start", type=_moment, help="replay from this time (ISO or epoch)")
    parser.add_argument("--end", type=_moment, help="replay up to this time (ISO or epoch)")


def _moment(text: str) -> int:
    try:
        return Clock(text)(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


REPLAY_FLAGS = ("format", "sort", "start", "end")
KEPT_BY_A_SESSION = ("seed", "venue", *REPLAY_FLAGS)


def refuse_with_resume(args: argparse.Namespace) -> None:
    """A resumed run is rebuilt from its journal: a flag that would set up a new run
    has no effect, so it is refused rather than silently ignored. (``--scenario`` and
    ``--replay`` say where the journal's files are now, if they moved: ``moved``.)"""
    for name in (*KEPT_BY_A_SESSION, "journal"):
        if getattr(args, name, None) not in (None, False):
            reason = (
                "the resumed run appends to its own journal"
                if name == "journal"
                else "a resumed run keeps the settings its journal recorded"
            )
            raise UserError(f"--{name} has no effect with --resume: {reason}")


def build_simulation(args: argparse.Namespace, duration: int | None = None) -> Simulation:
    """The simulation the flags ask for; every mistake comes back as a one-line error."""
    scenario = load_scenario(args.scenario or DEFAULT_SCENARIO)
    if not args.replay and scenario.feed.replay is None:
        for name in REPLAY_FLAGS:
            if getattr(args, name) not in (None, False):
                raise UserError(f"--{name} needs --replay (or a scenario with a replay feed)")
    return Simulation(
        scenario,
        seed=args.seed,
        duration=duration,
        replay=args.replay,
        replay_format=args.format,
        sort=args.sort,
        start=args.start,
        end=args.end,
        venue=args.venue,
    )


def run(args: argparse.Namespace) -> int:
    duration = _duration(args.duration)
    if args.venue == "all":
        return _every_venue(args, duration)
    if args.resume:
        refuse_with_resume(args)
        session, report, journal = _resumed(args.resume, duration, moved(args))
    else:
        simulation = build_simulation(args, duration)
        report = RunReport(simulation)
        journal = _journal(args, simulation)
        session = Session(simulation, [report] + ([journal] if journal else []))
    args.settle_heap()
    try:
        with _progress(session.simulation) as advance:
            while not session.finished:
                session.step()
                advance(session.simulation)
    finally:
        if journal:
            journal.close()
    summary = report.summary()
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print_summary(summary)
    return 0


def _every_venue(args: argparse.Namespace, duration: int | None) -> int:
    """The same scenario, seed and crash under each venue's preset, compared."""
    if args.journal or args.resume:
        raise UserError("--venue all runs six markets: --journal and --resume take one")
    summaries = []
    for venue in Venue:
        simulation = build_simulation(
            argparse.Namespace(**{**vars(args), "venue": venue.value}), duration
        )
        report = RunReport(simulation)
        session = Session(simulation, [report])
        while not session.finished:
            session.step()
        summaries.append({"venue": venue.value, **report.summary()})
    if args.json:
        print(json.dumps(summaries, indent=2))
    else:
        print_comparison(summaries)
    return 0


def print_comparison(summaries: list[dict[str, Any]]) -> None:
    first = summaries[0]
    print(f"{first['scenario']} · seed {first['seed']} · under each venue's preset")
    header = ("venue", "liquidations", "fund min", "fund end", "ADL events", "by reason", "hit")
    rows = [
        (
            s["venue"],
            f"{s['events'].get('liquidation', 0):,}",
            _money2(s["insurance_fund"]["min"]),
            _money2(s["insurance_fund"]["end"]),
            f"{len(s['adl']):,}",
            ", ".join(f"{k} {v}" for k, v in s["adl_by_reason"].items()) or "—",
            f"{s['adl_accounts_hit']:,}",
        )
        for s in summaries
    ]
    print("\n".join("  " + line for line in table(header, rows, left={0, 5})))


def _money2(text: str) -> str:
    """The report's exact money as the app shows money: to the cent, half away from zero,
    with thousands separators (``--json`` keeps every decimal)."""
    return format_money_short(to_money(text))


def _price(text: str | None) -> str:
    """The report's exact price (at the tick's decimals) with thousands separators."""
    return "—" if text is None else f"{Decimal(text):,f}"


def _duration(text: str | None) -> int | None:
    if text is None:
        return None
    return parse_duration(text, "--duration")


def _journal(args: argparse.Namespace, simulation: Simulation) -> JournalWriter | None:
    """The run's journal, if asked for, never written over the run's own inputs."""
    if not args.journal:
        return None
    path = Path(args.journal)
    inputs = (
        simulation.scenario.path,
        args.replay and Path(args.replay),
        simulation.scenario.feed.replay,
    )
    check_output(path, "--journal", inputs, args.force)
    return JournalWriter(path, header_for(simulation))


def moved(args: argparse.Namespace) -> Moved:
    """With ``--resume`` or ``verify``: where the journal's scenario or replay file is now."""
    return Moved(scenario=args.scenario, replay=args.replay)


def _resumed(path: str, duration: int | None, moved: Moved):
    """Rebuild a journaled run exactly, then let it carry on, appending to its journal."""
    reports: list[RunReport] = []

    def listeners(simulation: Simulation) -> list:
        reports.append(RunReport(simulation))
        return reports

    session, journal, warnings = sessions.resume(path, listeners, moved)
    for warning in warnings:
        print(f"adl-sandbox: warning: {warning}", file=sys.stderr)
    simulation = session.simulation
    if duration is not None and duration != simulation.duration:
        try:
            simulation.extend(duration)
        except ValueError as error:
            journal.close()
            raise UserError(f"--duration: {error}") from None
        journal.extended(simulation.steps, duration)
    return session, reports[0], journal


class _progress:
    """A transient progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return lambda simulation: None
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(
            TextColumn(f"{self.simulation.scenario.name}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}% · {task.fields[steps]} steps"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("run", total=1.0, steps=0)

        def advance(simulation: Simulation) -> None:
            if simulation.steps % 500 == 0:
                done = simulation.progress()
                self.bar.update(task, completed=done or 0.0, steps=simulation.steps)

        return advance

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


def print_summary(summary: dict[str, Any]) -> None:
    index, mark, fund = summary["index"], summary["mark"], summary["insurance_fund"]
    events = summary["events"]
    rows = [
        ("steps", f"{summary['steps']:,}"),
        ("simulated time", _hms(summary["sim_seconds"])),
        ("index first → last", f"{_price(index['first'])} → {_price(index['last'])}"),
        ("index min / max", f"{_price(index['min'])} / {_price(index['max'])}"),
        ("mark min / max", f"{_price(mark['min'])} / {_price(mark['max'])}"),
        ("trades", f"{events.get('trade', 0):,}"),
        ("liquidations", f"{events.get('liquidation', 0):,}"),
        ("insurance fund start → end", f"{_money2(fund['start'])} → {_money2(fund['end'])}"),
        ("insurance fund minimum", _money2(fund["min"])),
        (
            "insurance fund total in / out",
            f"{_money2(fund['total_in'])} / {_money2(fund['total_out'])}",
        ),
        (
            "ADL events (counterparties)",
            f"{len(summary['adl'])} ({sum(a['counterparties'] for a in summary['adl'])})",
        ),
        ("socialized losses", f"{events.get('socialized_loss', 0):,}"),
        (
            "invariants",
            "all hold"
            if all(summary["invariants"].values())
            else "BROKEN: " + ", ".join(k for k, ok in summary["invariants"].items() if not ok),
        ),
    ]
    print(f"{summary['scenario']} · seed {summary['seed']}")
    print("\n".join("  " + line for line in table(None, rows, left={0})))


def _hms(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m {rest % 60:02d}s"
