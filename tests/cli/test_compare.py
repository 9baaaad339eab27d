"""``adl-sandbox compare``: whole runs under each policy, the same JSON wherever they ran."""

from __future__ import annotations

import csv
import json

import pytest

from tui.cli import main

RUNS = ["compare", "--seeds", "3-4", "--policies", "bitmex,pro_rata", "--duration", "22m", "--json"]


def compared(capsys, *extra: str) -> str:
    assert main([*RUNS, *extra]) == 0
    return capsys.readouterr().out


def test_one_worker_two_workers_and_a_dask_cluster_give_the_same_json(capsys):
    # 25 minutes: the crash at 20 reaches ADL, and the capped clawback meets the plain
    # one again at 22 (engine/lab_trail.py), so every way a seed's runs share work runs
    distributed = pytest.importorskip("distributed")
    policies = ["--policies", "bitmex,pro_rata,clawback,capped_pro_rata", "--duration", "25m"]
    alone = compared(capsys, "--workers", "1", *policies)
    assert compared(capsys, "--workers", "2", *policies) == alone
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        assert compared(capsys, "--dask", cluster.scheduler_address, *policies) == alone
    report = json.loads(alone)
    assert set(report["policies"]) == {"bitmex", "pro_rata", "clawback", "capped_pro_rata"}
    bitmex = report["policies"]["bitmex"]
    assert bitmex["runs"] == 2
    assert float(bitmex["adl_events"]["mean"]) > 0  # the crash at 20 min reached ADL
    # contracts pro-rata spreads the cut: its largest haircut is below the queue's
    assert float(report["policies"]["pro_rata"]["largest_haircut_ppm"]["max"]) < float(
        bitmex["largest_haircut_ppm"]["min"]
    )


def test_csv_writes_every_run_and_refuses_to_replace_without_force(capsys, tmp_path):
    folder = tmp_path / "out"
    assert main([*RUNS[:-1], "--seeds", "3", "--duration", "1m", "--csv", str(folder)]) == 0
    with open(folder / "runs.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["policy"], r["seed"]) for r in rows] == [("bitmex", "3"), ("pro_rata", "3")]
    assert main([*RUNS[:-1], "--seeds", "3", "--duration", "1m", "--csv", str(folder)]) == 2
    assert "already exists (add --force" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        (["--seeds", "x"], "--seeds: 'x' is not a seed"),
        (["--seeds", "9-2"], "--seeds: '9-2' must run from"),
        (["--policies", "nope"], "unknown policy 'nope'"),
        (["--policies", "pnl_pro_rata"], "in whole runs pnl_pro_rata is clawback"),
        (["--policies", "bitmex,queue"], "queue splits one deficit (calc split)"),
        (["--workers", "0"], "must be at least 1"),
        (["--severity", "0"], "--severity: '0' is not in (0, 1]"),
        (["--severity", "half"], "--severity: 'half' is not a number"),
        (["--duration", "soon"], "--duration"),
        (["--scenario", "no-such-scenario"], "no-such-scenario"),
        (["--workers", "2", "--dask", "tcp://127.0.0.1:1"], "with --dask the cluster runs"),
    ],
)
def test_a_mistake_is_one_line_and_runs_nothing(capsys, flags, reason):
    assert main(["compare", "--seeds", "1", "--duration", "1m", *flags]) == 2
    captured = capsys.readouterr()
    assert reason in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert captured.out == ""


def test_the_spread_is_the_sample_standard_deviation_in_exact_arithmetic():
    from fractions import Fraction

    from engine.comparison import _spread

    spread = _spread([1, 2, 3, 4])
    assert spread.mean == Fraction(5, 2)
    assert abs(float(spread.sd) - 1.2909944487) < 1e-8  # √(5/3)
    assert (spread.low, spread.high) == (1, 4)
    assert _spread([7]).sd == 0


def test_a_clawback_at_half_severity_takes_less_and_leaves_bad_debt(capsys):
    flags = ["--seeds", "3", "--policies", "clawback", "--duration", "25m", "--json"]
    whole = json.loads(compared(capsys, *flags[:-1], "--workers", "1"))["policies"]["clawback"]
    assert main(["compare", *flags, "--severity", "0.5", "--workers", "1"]) == 0
    half = json.loads(capsys.readouterr().out)["policies"]["clawback"]
    assert float(half["taken"]["mean"]) < float(whole["taken"]["mean"])
    assert float(half["bad_debt"]["mean"]) > float(whole["bad_debt"]["mean"])


def test_a_headless_lab_run_measures_what_a_run_with_lights_and_warnings_does():
    """Lab runs skip the ADL lights and the margin warnings (no one reads them there):
    they must never change what happens, under any policy."""
    from engine.lab_run import RUN_POLICIES, RunTask, run

    for policy in RUN_POLICIES:
        task = RunTask("flash-crash", 5, policy, 22 * 60 * 10**6)
        assert run(task) == run(task, headless=False), policy
