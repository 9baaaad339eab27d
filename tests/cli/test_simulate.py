"""``adl-sandbox simulate`` and ``scenarios`` end to end: output, determinism, mistakes."""

import gzip
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tui.cli import main

ADL_SANDBOX = str(Path(sys.executable).with_name("adl-sandbox"))


def simulate(capsys, *args):
    code = main(["simulate", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report_has_every_promised_field_as_exact_text(capsys):
    code, out, err = simulate(capsys, "--scenario", "flash-crash", "--duration", "25m", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["scenario"] == "flash-crash" and report["seed"] == 7
    assert report["steps"] == 1501 and report["sim_seconds"] == 1500
    assert report["events"]["liquidation"] > 0 and report["events"]["trade"] > 0
    for prices in (report["index"], report["mark"]):
        assert set(prices) == {"first", "last", "min", "max"}
        assert Decimal(prices["min"]) <= Decimal(prices["last"]) <= Decimal(prices["max"])
    fund = report["insurance_fund"]
    assert set(fund) == {"start", "end", "min", "total_in", "total_out"}
    assert Decimal(fund["start"]) + Decimal(fund["total_in"]) - Decimal(fund["total_out"]) == (
        Decimal(fund["end"])
    )
    assert report["adl"] and set(report["adl"][0]) == {
        "time",
        "side",
        "qty",
        "price",
        "mark",
        "counterparties",
        "reason",
        "deficit",
        "fund_before",
    }
    by_reason = report["adl_by_reason"]
    assert sum(by_reason.values()) == len(report["adl"]) and set(by_reason) <= {
        "fund_exhausted",
        "fund_drawdown",
        "takeover_cap",
    }
    ledger = report["ledger"]
    assert all(isinstance(v, str) for v in ledger.values())
    # SPEC §1, recomputed from the report's own decimal strings
    held = sum(Decimal(ledger[k]) for k in ("wallets", "unrealized", "insurance_fund", "fees"))
    assert held == Decimal(ledger["deposits"]) - Decimal(ledger["withdrawals"])
    you = next(a for a in report["accounts"] if a["id"] == "you")
    assert you == {
        "id": "you",
        "wallet": "10000.00000000",
        "qty": "0.000",
        "cost": "0.00000000",
        "mode": "cross",
    }
    assert sum(Decimal(a["qty"]) for a in report["accounts"]) == 0  # longs = shorts
    assert all(report["invariants"].values())
    assert "." in fund["end"] and not any(isinstance(v, float) for v in fund.values())


def test_same_scenario_and_seed_give_byte_identical_output_and_journal(capsys, tmp_path):
    outputs = []
    for name in ("a", "b"):
        journal = tmp_path / f"{name}.jsonl"
        code, out, _ = simulate(
            capsys,
            "--scenario",
            "thin-fund",
            "--duration",
            "10m",
            "--seed",
            "12",
            "--json",
            "--journal",
            str(journal),
        )
        assert code == 0
        outputs.append((out, journal.read_bytes()))
    assert outputs[0] == outputs[1]
    header = json.loads(outputs[0][1].splitlines()[0])
    assert header["seed"] == 12 and header["scenario"]["name"] == "thin-fund"
    _, other = simulate(
        capsys, "--scenario", "thin-fund", "--duration", "10m", "--seed", "13", "--json"
    )[:2]
    assert other != outputs[0][0]


def test_the_table_summary_is_the_default(capsys):
    code, out, _ = simulate(capsys, "--duration", "2m")
    assert code == 0
    for label in ("steps", "liquidations", "insurance fund", "ADL events", "invariants"):
        assert label in out
    assert "all hold" in out


def test_a_replay_file_from_the_command_line(capsys, tmp_path):
    path = tmp_path / "aggTrades.csv.gz"
    rows = [
        f"{i},90000.{i % 10},0.01,{i},{i},{1_700_000_000_000 + 250 * i},true" for i in range(80)
    ]
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    code, out, err = simulate(capsys, "--replay", str(path), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["steps"] == 80 and report["events"]["feed_ended"] == 1
    assert report["index"]["first"] == "90000.0" and report["index"]["max"] == "90000.9"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scenario", "nope"], "unknown scenario 'nope'"),
        (["--seed", "minus"], "argument --seed: 'minus' is not a whole number"),
        (["--duration", "soon"], "--duration 'soon' is not a duration"),
        (["--format", "generic"], "--format needs --replay"),
        (["--replay", "/no/such/file.csv"], "/no/such/file.csv: no such file"),
        (["--wat"], "unrecognized arguments: --wat"),
        (["--start", "yesterday"], "argument --start: 'yesterday' is not a time"),
    ],
)
def test_every_mistake_is_one_line_and_exit_two(capsys, args, message):
    code, out, err = simulate(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_a_malformed_replay_names_file_line_and_field(capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("timestamp,price\n1700000000,100.5\n1700000060,oops\n")
    code, _, err = simulate(capsys, "--replay", str(path))
    assert code == 2
    assert f"{path}:3: price: 'oops' is not a number" in err


def test_a_bad_scenario_file_is_one_line(capsys, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text("[market]\ninsurance_fund = true\n")
    code, _, err = simulate(capsys, "--scenario", str(path))
    assert code == 2 and err.strip().endswith(
        "market.insurance_fund: expected text or an integer or a number, got True"
    )


def test_scenarios_lists_the_shipped_ones(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in ("calm", "volatile", "flash-crash", "short-squeeze", "thin-fund", "replay-sample"):
        assert name in out


def test_the_console_script_runs_simulate():
    result = subprocess.run(
        [ADL_SANDBOX, "simulate", "--duration", "30s", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["steps"] == 31


def test_a_venue_runs_the_market_as_that_venue_runs_its_waterfall(capsys, tmp_path):
    journal = tmp_path / "okx.jsonl"
    code, out, err = simulate(
        capsys, "--scenario", "flash-crash", "--duration", "25m", "--venue", "okx",
        "--journal", str(journal), "--json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    # OKX stops the fund 30 % below its 8 h peak (20,000): it never falls under 14,000
    assert Decimal(report["insurance_fund"]["min"]) >= 14_000
    assert set(report["adl_by_reason"]) == {"fund_drawdown"}
    # the journal records the venue, so verify rebuilds the same run
    assert main(["verify", str(journal)]) == 0
    assert capsys.readouterr().out.startswith("identical")


def test_venue_all_compares_the_same_crash_under_every_preset(capsys):
    code, out, err = simulate(
        capsys, "--scenario", "flash-crash", "--duration", "25m", "--venue", "all"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "flash-crash · seed 7 · under each venue's preset"
    venues = [line.split()[0] for line in lines[2:]]
    assert venues == ["bitmex", "binance", "bybit", "okx", "hyperliquid", "dydx"]
    binance = next(line for line in lines if line.split()[0] == "binance")
    assert "takeover_cap" in binance  # Binance's fund may not hold what is over its cap
    code, _, err = simulate(capsys, "--venue", "all", "--journal", "x.jsonl")
    assert code == 2 and "--venue all runs six markets" in err


def test_the_table_shows_money_to_the_cent_and_json_keeps_every_decimal(capsys):
    run = ("--scenario", "flash-crash", "--duration", "20m")
    _, table, _ = simulate(capsys, *run)
    _, out, _ = simulate(capsys, *run, "--json")
    fund, index = json.loads(out)["insurance_fund"], json.loads(out)["index"]
    assert fund["total_in"] == "792.41103600"  # exact to 1e-8 USDT: eight decimals
    rows = dict(line.strip().split("  ", 1) for line in table.splitlines()[1:])
    assert rows["insurance fund start → end"].strip() == "20,000.00 → 20,792.41"
    assert rows["insurance fund total in / out"].strip() == "792.41 / 0.00"
    assert rows["index first → last"].strip() == (
        f"{Decimal(index['first']):,f} → {Decimal(index['last']):,f}"
    )
    assert "," not in index["first"] and rows["index first → last"].strip().startswith("50,000.0")
