"""Every shipped scenario keeps the promise its description makes, for seeds 1–5, and its
ADL events obey the trigger policy, all read back from the run's journal.

``make test`` runs each scenario far enough to hold its action (the crash, the
squeeze, two of thin-fund's shocks, the first funding); ``make soak`` runs each to
its full duration.
"""

from __future__ import annotations

import contextlib
import io
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from engine.journal import JournalFile
from engine.scenario import load_scenario, shipped
from tests.conftest import SOAK
from tui.cli import main

SEEDS = (1, 2, 3, 4, 5)
ACTION = {  # simulated time that holds each scenario's action
    "calm": "65m",
    "volatile": "1h",
    "flash-crash": "25m",
    "short-squeeze": "20m",
    "thin-fund": "50m",
    "replay-sample": "6h",  # past its drop at 05:00
}
DRAWDOWN = 300_000  # ppm, thin-fund's
PPM = 10**6


@cache
def journal_of(name: str, seed: int, folder: Path) -> tuple[dict, list[dict]]:
    """(the run's --json report, its journal's events as dicts), run once per test session."""
    path = folder / f"{name}-{seed}.jsonl"
    duration = [] if SOAK else ["--duration", ACTION[name]]
    args = ["simulate", "--scenario", name, "--seed", str(seed), "--journal", str(path)]
    out = folder / f"{name}-{seed}.json"
    code = _run([*args, *duration, "--json"], out)
    assert code == 0
    read = JournalFile(path)
    events = list(read.events())
    read.close()
    return json.loads(out.read_text()), events


def _run(args: list[str], out: Path) -> int:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(args)
    out.write_text(buffer.getvalue())
    return code


@pytest.fixture(scope="session")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("promises")
    return lambda name, seed: journal_of(name, seed, folder)


def of(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["kind"] == kind]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", [name for name, _ in shipped()])
def test_adl_only_where_the_fund_may_not_absorb_the_loss(runs, name, seed):
    """No ``fund_exhausted`` or ``fund_drawdown`` ADL with a deficit of 0, nor with more
    room than the trigger policy leaves; a ``takeover_cap`` ADL is over its cap."""
    report, events = runs(name, seed)
    assert all(report["invariants"].values())
    fund = int(Decimal(report["insurance_fund"]["start"]) * 10**8)
    peak = fund  # the trailing peak of end-of-step balances (runs here are under 8 h)
    step_end: dict[int, int] = {}
    for event in events:
        if event["kind"] == "insurance_fund":
            step_end[event["time"]] = event["balance"]
        if event["kind"] != "adl_executed":
            continue
        before = [balance for time, balance in step_end.items() if time < event["time"]]
        peak = max([fund, *before])
        reason = event["reason"]
        if reason == "takeover_cap":
            assert event["notional"] > event["cap"], event
            continue
        floor = peak * (PPM - DRAWDOWN) // PPM if reason == "fund_drawdown" else 0
        assert event["deficit"] > 0, event
        assert event["held_deficit"] > event["room"], event
        assert event["room"] <= max(0, event["fund_before"] - floor), (event, floor)
    assert all(e["forgone"] >= 0 for e in of(events, "adl"))  # no winner beats the mark


@pytest.mark.parametrize("seed", SEEDS)
def test_calm_has_no_adl_and_settles_funding(runs, seed):
    _, events = runs("calm", seed)
    assert of(events, "adl_executed") == []
    assert of(events, "funding_settled")


@pytest.mark.parametrize("seed", SEEDS)
def test_volatile_liquidates_both_sides_and_deleverages_nobody(runs, seed):
    _, events = runs("volatile", seed)
    sides = {e["side"] for e in of(events, "liquidation")}
    assert sides == {1, -1}
    assert of(events, "adl_executed") == []


@pytest.mark.parametrize(("name", "loser"), [("flash-crash", 1), ("short-squeeze", -1)])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_crash_drains_the_fund_and_adl_closes_winners_for_the_deficit(runs, name, loser, seed):
    report, events = runs(name, seed)
    liquidated = of(events, "liquidation")
    assert sum(1 for e in liquidated if e["side"] == loser) > len(liquidated) // 2
    assert any(e["realized"] < 0 for e in of(events, "backstop_traded"))  # the fund pays
    assert Decimal(report["insurance_fund"]["min"]) < 1  # it ran dry
    executed = of(events, "adl_executed")
    assert all(e["deficit"] > 0 for e in executed)
    # most of it closes the crowd's losers against winners on the other side (the
    # bounce after a crash can liquidate a few of the other side too)
    assert sum(1 for e in executed if e["side"] == loser) > len(executed) // 2
    assert _losers_only_when_no_winner_is_left(events)


@pytest.mark.parametrize("seed", SEEDS)
def test_thin_fund_reaches_its_floor_and_adl_happens_again_and_again(runs, seed):
    _, events = runs("thin-fund", seed)
    executed = [e for e in of(events, "adl_executed") if e["reason"] == "fund_drawdown"]
    assert len(executed) >= 20


@pytest.mark.parametrize("seed", SEEDS)
def test_replay_sample_drops_seven_percent_and_the_fund_pays_in_the_drop(runs, seed):
    report, events = runs("replay-sample", seed)
    index = report["index"]
    assert Decimal(index["min"]) <= Decimal(index["first"]) * Decimal("0.93")
    assert len(of(events, "liquidation")) > 20
    assert any(e["realized"] < 0 for e in of(events, "backstop_traded"))


def test_the_descriptions_are_the_ones_these_tests_check():
    said = {name: description for name, description in shipped()}
    assert "no ADL" in said["calm"]
    assert "runs dry" in said["flash-crash"] and "runs dry" in said["short-squeeze"]
    assert "again and again" in said["thin-fund"]
    assert load_scenario("thin-fund").market.drawdown == DRAWDOWN


def _losers_only_when_no_winner_is_left(events: list[dict]) -> bool:
    """Each ADL fill closes a position in profit at the event's mark, or none on its side
    was left in profit then (SPEC §5.4), positions followed through the journal."""
    positions: dict[str, tuple[int, int]] = {}
    for e in events:
        if e["kind"] == "adl":
            qty, cost = positions[e["account"]]
            if _profit(qty, cost, e["mark"]) <= 0:
                side = 1 if qty > 0 else -1
                winners = [
                    name
                    for name, (q, c) in positions.items()
                    if q * side > 0 and _profit(q, c, e["mark"]) > 0
                ]
                if winners:
                    return False
        if e["kind"] == "position_changed":
            positions[e["account"]] = (e["qty"], e["cost"])
    return True


def _profit(qty: int, cost: int, mark: int) -> int:
    side = 1 if qty > 0 else -1
    return side * (abs(qty) * mark - cost) if qty else 0
