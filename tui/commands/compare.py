"""``adl-sandbox compare``: one scenario, many seeds, re-simulated whole under each ADL
policy, and the metrics of SPEC §5.8 summed up per policy (mean ± spread over seeds).

Each run is a pure function of (scenario, seed, policy, duration), so the output is the
same bytes with one worker, many, or a Dask cluster (``--dask``). A progress bar on
stderr while it runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from dataclasses import astuple, fields
from fractions import Fraction
from pathlib import Path
from typing import Any

from tui.arguments import UserError, described, positive_number

DEFAULT_SCENARIO = "flash-crash"
MAX_RUNS = 1_000_000


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "compare",
        help="re-run a scenario under each ADL policy over many seeds",
        description=described(__doc__),
    )
    parser.add_argument(
        "--scenario", metavar="NAME|PATH", help=f"scenario (default: {DEFAULT_SCENARIO})"
    )
    parser.add_argument(
        "--seeds", default="1-20", help="seeds: 1-1000, 7, or 1-10,42 (default: 1-20)"
    )
    parser.add_argument(
        "--policies", default="all", help="all, or names separated by commas (default: all)"
    )
    parser.add_argument("--duration", help="simulated time per run (default: the scenario's)")
    parser.add_argument(
        "--severity",
        default="1",
        help="θ in (0, 1]: the share of each shortfall the clawbacks ask the winners for; the "
        "rest is left as bad debt (ADL runs close positions as venues do) (default: 1)",
    )
    parser.add_argument(
        "--workers",
        type=positive_number,
        help="processes on this machine (default: one per core)",
    )
    parser.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster, tcp://host:8786")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--csv", metavar="DIR", help="also write runs.csv and summary.csv there")
    parser.add_argument("--force", action="store_true", help="let --csv replace its files")


def parse_seeds(text: str) -> list[int]:
    """``1-1000``, ``7``, ``1-10,42``: the seeds, in order, each once."""
    seeds: dict[int, None] = {}
    for part in text.split(","):
        part = part.strip()
        low, dash, high = part.partition("-")
        try:
            first, last = int(low), int(high if dash else low)
        except ValueError:
            raise UserError(f"--seeds: {part!r} is not a seed or a range like 1-100") from None
        if first < 0 or last < first:
            raise UserError(f"--seeds: {part!r} must run from a seed ≥ 0 up to a higher one")
        if last - first >= MAX_RUNS:
            raise UserError(f"--seeds: {part!r} is more than {MAX_RUNS:,} seeds")
        seeds.update(dict.fromkeys(range(first, last + 1)))
    return list(seeds)


def parse_severity(text: str) -> int:
    """θ in (0, 1], as ppm."""
    from engine.units import PPM, UnitError, parse_decimal

    try:
        theta = parse_decimal(text)
    except UnitError:
        raise UserError(f"--severity: {text!r} is not a number") from None
    if not 0 < theta <= 1:
        raise UserError(f"--severity: {text!r} is not in (0, 1]")
    ppm = theta * PPM
    if ppm != int(ppm):
        raise UserError(f"--severity: {text!r} has more than 6 decimals")
    return int(ppm)


def parse_policies(text: str) -> list[str]:
    from engine.lab_run import RUN_POLICIES
    from engine.split import ORDERED, UNORDERED

    if text.strip() == "all":
        return list(RUN_POLICIES)
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UserError("--policies: give all, or policy names separated by commas")
    for name in names:
        if name in RUN_POLICIES:
            continue
        if name in ("pnl_pro_rata", "min_max"):
            raise UserError(
                f"--policies: in whole runs {name} is clawback (profit taken at one rate, "
                "positions left open, no lot grid): ask for clawback"
            )
        if name in ORDERED + UNORDERED:
            raise UserError(
                f"--policies: {name} splits one deficit (calc split), but is not simulated in "
                f"whole runs yet; runs take {', '.join(RUN_POLICIES)}"
            )
        raise UserError(f"--policies: unknown policy {name!r}: choose {', '.join(RUN_POLICIES)}")
    return list(dict.fromkeys(names))


def run(args: argparse.Namespace) -> int:
    from engine.comparison import summarize
    from engine.lab_run import RunTask
    from engine.scenario import load_scenario
    from engine.units import parse_duration

    scenario_name = args.scenario or DEFAULT_SCENARIO
    scenario = load_scenario(scenario_name)  # a bad name or file: refused here, once
    seeds = parse_seeds(args.seeds)
    policies = parse_policies(args.policies)
    duration = None if args.duration is None else parse_duration(args.duration, "--duration")
    if args.dask and args.workers:
        raise UserError("--workers sets this machine's processes; with --dask the cluster runs")
    outputs = _csv_paths(args, scenario)
    source = str(scenario.path) if scenario.path and not _shipped(scenario_name) else scenario_name
    severity = parse_severity(args.severity)
    tasks = [
        RunTask(source, seed, policy, duration, severity) for policy in policies for seed in seeds
    ]
    measures = _run(tasks, args)
    summaries = summarize(measures, policies)
    report = _report(scenario.name, seeds, duration, summaries, severity)
    if outputs:
        _write_csv(outputs, measures, summaries)
    print(json.dumps(report, indent=2) if args.json else _table(report))
    return 0


def _shipped(name: str) -> bool:
    return not name.endswith(".toml") and os.sep not in name


def _run(tasks, args) -> list:
    from engine.lab_pool import connect, run_everywhere

    client = None
    if args.dask:
        try:
            client = connect(args.dask)
        except ImportError as error:
            raise UserError(str(error)) from None
        except OSError as error:
            raise UserError(f"--dask: cannot reach {args.dask} ({error})") from None
    workers = args.workers or len(os.sched_getaffinity(0))
    results = []
    try:
        with _progress(len(tasks)) as advance:
            for measures in run_everywhere(tasks, workers, client):
                results.append(measures)
                advance()
    finally:
        if client is not None:
            client.close()
    return results


def _report(name: str, seeds: list[int], duration, summaries, severity: int) -> dict[str, Any]:
    from engine.comparison import MEANING, MONEY, decimal_text
    from engine.split import MEANING as POLICY_MEANING
    from engine.units import MONEY_DECIMALS, MONEY_SCALE, PPM

    def number(metric: str, value) -> str:
        if metric in MONEY:
            return decimal_text(Fraction(value, MONEY_SCALE), MONEY_DECIMALS)
        return decimal_text(Fraction(value), 2)

    return {
        "scenario": name,
        "seeds": _seed_text(seeds),
        "runs_per_policy": len(seeds),
        "duration_s": None if duration is None else duration // 10**6,
        "severity": "ADL: queue (venues: whole positions in rank order); clawbacks: θ = "
        + decimal_text(Fraction(severity, PPM), 6).rstrip("0").rstrip("."),
        "budget": "B = min(θ·D, U) per event (θ = 1 for ADL); H = the profit of the lots closed "
        "at the ADL price, or what a clawback collected",
        "metrics": MEANING,
        "policies": {
            s.policy: {
                "meaning": POLICY_MEANING.get(s.policy, ""),
                "runs": s.runs,
                **{
                    metric: {
                        "mean": number(metric, spread.mean),
                        "sd": number(metric, spread.sd),
                        "min": number(metric, spread.low),
                        "max": number(metric, spread.high),
                    }
                    for metric, spread in s.metrics.items()
                },
            }
            for s in summaries
        },
    }


def _seed_text(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else str(seeds[0])
    return ",".join(map(str, seeds))


COLUMNS = (
    ("ADL events", "adl_events"),
    ("hit", "accounts_hit"),
    ("Σ deficit D", "deficit"),
    ("Σ taken H", "taken"),
    ("overshoot", "overshoot"),
    ("largest cut", "largest_haircut_ppm"),
    ("fund min", "fund_min"),
    ("bad debt", "bad_debt"),
    ("liq. ≤60 s after", "liquidations_after_adl"),
)


def _table(report: dict[str, Any]) -> str:
    from tui.columns import table

    def cell(metric: str, values: dict[str, str]) -> str:
        mean, sd = float(values["mean"]), float(values["sd"])
        if metric == "largest_haircut_ppm":
            return f"{mean / 10**4:.1f}% ±{sd / 10**4:.1f}"
        if metric in ("adl_events", "accounts_hit", "liquidations_after_adl"):
            return f"{mean:,.1f} ±{sd:,.1f}"
        return f"{mean:,.0f} ±{sd:,.0f}"

    rows = [
        (policy, *(cell(metric, values[metric]) for _, metric in COLUMNS))
        for policy, values in report["policies"].items()
    ]
    lines = [
        f"{report['scenario']} · seeds {report['seeds']} · {report['runs_per_policy']} "
        f"run{'s' if report['runs_per_policy'] != 1 else ''} per policy · mean ±sd over seeds · "
        "money in the quote currency",
        *("  " + line for line in table(("policy", *(h for h, _ in COLUMNS)), rows, left={0})),
        "",
        "  " + report["budget"],
        *(f"  {name}: {meaning}" for name, meaning in report["metrics"].items()),
    ]
    return "\n".join(lines)


def _csv_paths(args: argparse.Namespace, scenario) -> Path | None:
    """The folder --csv writes to, checked before any run starts."""
    from tui.outputs import check_output

    if not args.csv:
        return None
    folder = Path(args.csv)
    if folder.exists() and not folder.is_dir():
        raise UserError(f"--csv: {folder} is not a folder")
    inputs = (scenario.path,)
    for name in ("runs.csv", "summary.csv"):
        check_output(folder / name, "--csv", inputs, args.force)
    return folder


def _write_csv(folder: Path, measures, summaries) -> None:
    from engine.comparison import decimal_text
    from engine.lab_run import RunMeasures
    from tui.outputs import ReplacedTogether

    folder.mkdir(parents=True, exist_ok=True)
    with ReplacedTogether(folder) as files:
        runs = csv.writer(files.open("runs.csv"))
        runs.writerow([f.name for f in fields(RunMeasures)])
        for m in sorted(measures, key=lambda m: (m.policy, m.seed)):
            runs.writerow(astuple(m))
        summary = csv.writer(files.open("summary.csv"))
        summary.writerow(["policy", "metric", "mean", "sd", "min", "max"])
        for s in summaries:
            for metric, spread in s.metrics.items():
                summary.writerow(
                    [
                        s.policy,
                        metric,
                        decimal_text(spread.mean, 4),
                        decimal_text(spread.sd, 4),
                        spread.low,
                        spread.high,
                    ]
                )
        files.commit(["runs.csv", "summary.csv"])


class _progress:
    """A transient progress bar on stderr, when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.bar = Progress(
            "compare",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("runs", total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()
