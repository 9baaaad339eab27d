"""``adl-sandbox calc``: hand-computed liquidation prices and ADL queues, and one-line refusals.

Every expected number below is worked out by hand in a comment, so a change in the
engine's margin or ADL math shows up here as a disagreement with arithmetic.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from engine import margin
from engine.instrument import default_instrument
from engine.units import MONEY_SCALE
from tui.cli import main

HEADER = "id,side,qty,entry,margin\n"

# Four longs and two shorts at mark 100 (tick 1, lot 1, so every number is small):
#   A long 1 @ 50, margin 10    uPnL 50, equity 60,  notional 100, MM 0.4 (tier 1, 0.4 %)
#   B long 2 @ 80, margin 80    uPnL 40, equity 120, notional 200, MM 0.8
#   C long 1 @ 120, margin 30   uPnL −20, equity 10, notional 100, MM 0.4
#   X long 1 @ 90, margin 1     uPnL 10, equity 11,  notional 100, MM 0.4
#   D short 1 @ 110, margin 22  uPnL 10, equity 32;  E short 1 @ 105, margin 50: uPnL 5, equity 55
MIXED = HEADER + (
    "A,long,1,50,10\nB,long,2,80,80\nC,long,1,120,30\nX,long,1,90,1\n"
    "D,short,1,110,22\nE,short,1,105,50\n"
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["calc", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def liq_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, "liq", *argv, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def adl_json(capsys, tmp_path: Path, text: str, *argv: str) -> dict:
    path = tmp_path / "positions.csv"
    path.write_text(text)
    code, out, err = run(capsys, "adl", str(path), *argv, "--json")
    assert (code, err) == (0, "")
    return json.loads(out)


def order(data: dict, side: str) -> list[str]:
    return [row["id"] for row in data["queue"] if row["side"] == side]


# -- calc liq --------------------------------------------------------------------------------


def test_isolated_long_at_ten_times_leverage(capsys):
    # Tier 1 (0.4 %, cum 0): LP = (1000 − 10000) / (0.004 − 1) = 9000 / 0.996 = 9036.1445783132…
    # P_bk = 10000 − 1000/1 = 9000; MM at LP = 9036.14457831325… × 0.004 = 36.144578313…, the
    # engine rounding it up to the money unit.
    data = liq_json(capsys, "--side", "long", "--qty", "1", "--entry", "10000", "--margin", "1000")
    assert data == {
        "side": "long",
        "qty": "1",
        "entry": "10000",
        "mode": "isolated",
        "collateral": "1000.00000000",
        "notional": "10000.00000000",
        "entry_tier": 1,
        "tier": 1,
        "mmr": "0.004",
        "maintenance_amount": "0.00000000",
        "liquidation_price": "9036.14457831",
        "liquidation_price_shown": "9036.2",  # the app's tick on the mark's side, not 9036.1
        "maintenance_margin": "36.14457832",
        "bankruptcy_price": "9000.00000000",
        "bankruptcy_price_shown": "9000.0",
        "tick": "0.1",
    }


def test_isolated_short_in_the_second_tier(capsys):
    # Notional 100,000: tier 2 (0.5 %, cum 50,000 × 0.1 % = 50).
    # LP = (5000 + 50 + 2.5 × 40000) / (2.5 × 0.005 + 2.5) = 105050 / 2.5125 = 41810.9452736318…
    # MM there = 2.5 × 41810.945… × 0.005 − 50 = 472.6368159…; P_bk = 40000 + 5000/2.5 = 42000.
    argv = ("--side", "short", "--qty", "2.5", "--entry", "40000", "--margin", "5000")
    data = liq_json(capsys, *argv)
    assert (data["entry_tier"], data["tier"], data["mmr"]) == (2, 2, "0.005")
    assert data["maintenance_amount"] == "50.00000000"
    assert data["liquidation_price"] == "41810.94527363"
    assert data["maintenance_margin"] == "472.63681593"
    assert data["bankruptcy_price"] == "42000.00000000"


def test_the_tier_is_taken_at_the_liquidation_price(capsys):
    # Entry notional 1.3 × 40000 = 52,000: tier 2. With tier 2, LP = (10000 + 50 − 52000) /
    # (1.3 × 0.005 − 1.3) = 32431.39…, notional 42,160.8 < 50,000: tier 1 applies there, so
    # LP = (10000 − 52000) / (1.3 × 0.004 − 1.3) = 42000 / 1.2948 = 32437.4420759963…
    # MM there = 1.3 × 32437.44… × 0.004 = 168.674698795…; P_bk = 40000 − 10000/1.3 = 32307.69…
    argv = ("--side", "long", "--qty", "1.3", "--entry", "40000", "--margin", "10000")
    data = liq_json(capsys, *argv)
    assert (data["entry_tier"], data["tier"], data["mmr"]) == (2, 1, "0.004")
    assert data["maintenance_amount"] == "0.00000000"
    assert data["liquidation_price"] == "32437.44207600"
    assert data["maintenance_margin"] == "168.67469880"
    assert data["bankruptcy_price"] == "32307.69230769"
    code, out, _ = run(capsys, "liq", *argv)
    assert code == 0
    assert "tier 1, not the entry's tier 2" in out
    assert "= -42000.00000000 / -1.2948" in out
    assert "= 32437.44207600" in out


def test_human_output_shows_each_step(capsys):
    argv = ("--side", "long", "--qty", "1", "--entry", "10000", "--margin", "1000")
    code, out, err = run(capsys, "liq", *argv)
    assert (code, err) == (0, "")
    for text in (
        "N = Q·P_e = 1 × 10000 = 10000.00000000",
        "tier 1: floor 0.00000000, max leverage 125x, MMR 0.4% (0.004), "
        "maintenance amount cum 0.00000000",
        "LP = (WB − TMM + UPNL + cum − s·Q·P_e) / (Q·MMR − s·Q)",
        "= (1000.00000000 − 0 + 0 + 0.00000000 − (+1)·1·10000) / (1·0.004 − (+1)·1)",
        "= -9000.00000000 / -0.996",
        "= 9036.14457831",
        "the entry tier",
        "= 36.14457832",
        "P_bk = P_e − s·WB/Q = 10000 − (+1)·1000.00000000 / 1 = 9000.00000000",
    ):
        assert text in out, text


def test_a_one_times_long_is_never_liquidated(capsys):
    argv = ("--side", "long", "--qty", "1", "--entry", "10000", "--margin", "10000")
    data = liq_json(capsys, *argv)
    assert data["liquidation_price"] is None
    assert data["maintenance_margin"] is None
    assert data["bankruptcy_price"] is None  # exactly 0: no positive price
    code, out, _ = run(capsys, "liq", *argv)
    assert code == 0 and "no positive price liquidates it" in out


def test_cross_uses_the_wallet_and_defaults_it_to_the_margin(capsys):
    base = ("--side", "long", "--qty", "1", "--entry", "10000", "--margin", "1000")
    cross = liq_json(capsys, *base, "--mode", "cross")
    assert cross["collateral"] == "1000.00000000"
    assert cross["liquidation_price"] == "9036.14457831"
    # WB = 2000: LP = (2000 − 10000) / −0.996 = 8032.1285140562…, P_bk = 8000.
    wider = liq_json(capsys, *base, "--mode", "cross", "--wallet", "2000")
    assert (wider["mode"], wider["collateral"]) == ("cross", "2000.00000000")
    assert wider["liquidation_price"] == "8032.12851406"
    assert wider["bankruptcy_price"] == "8000.00000000"


def test_the_calculator_grid_does_not_change_the_answer(capsys):
    # The shipped instrument (tick 0.1, lot 0.001) gives the same exact price as the
    # calculator's (tick 1, lot 0.1): the grid only has to hold the inputs.
    btc = default_instrument()
    lots, ticks = btc.lots("1.3"), btc.ticks("40000")
    picture = margin.assess(btc, 1, lots, lots * ticks, 10_000 * MONEY_SCALE, mark=ticks)
    expected = picture.liquidation_price * Fraction(btc.tick_size)
    data = liq_json(
        capsys, "--side", "long", "--qty", "1.3", "--entry", "40000", "--margin", "10000"
    )
    assert Fraction(data["liquidation_price"]) == round(expected, 8)


def test_a_tier_file_can_be_given(capsys, tmp_path):
    tiers = tmp_path / "flat.toml"
    tiers.write_text('[[tiers]]\nfloor = "0"\nmax_leverage = 10\nmmr = "1%"\n')
    # LP = (1000 − 10000) / (0.01 − 1) = 9000 / 0.99 = 9090.9090909…
    argv = ("--side", "long", "--qty", "1", "--entry", "10000", "--margin", "1000")
    data = liq_json(capsys, *argv, "--tiers", str(tiers))
    assert (data["mmr"], data["liquidation_price"]) == ("0.01", "9090.90909091")


# -- calc adl --------------------------------------------------------------------------------


def test_lights_follow_the_cumulative_share_of_the_queue(capsys, tmp_path):
    # All 10x at entry (margin = notional / 10), mark 100: lower entry, higher bitmex score
    # (PnL% × mark / (mark − 0.9 × entry)), so the rows are already in rank order.
    # Sizes 10, 20, 30, 10, 10, 20 of 100: shares 10, 30, 60, 70, 80, 100 % → percentiles
    # 20, 40, 60, 80, 80, 100 → lights 5, 4, 3, 2, 2, 1.
    text = "ID , Side,QTY,entry,margin,note\n" + "".join(
        f"p{n},LONG,{size},{entry},{size * entry // 10},x\n"
        for n, (size, entry) in enumerate(
            zip((10, 20, 30, 10, 10, 20), (50, 60, 70, 80, 90, 95), strict=True), start=1
        )
    )
    data = adl_json(capsys, tmp_path, text, "--mark", "100")
    assert data["policy"] == "bitmex" and data["mark"] == "100"
    assert [(r["id"], r["rank"], r["lights"]) for r in data["queue"]] == [
        ("p1", 1, 5),
        ("p2", 2, 4),
        ("p3", 3, 3),
        ("p4", 4, 2),
        ("p5", 5, 2),
        ("p6", 6, 1),
    ]
    # p1: PnL% = 1, effective leverage = 100 / (100 − 45) = 1.8181…: score 1.818181818
    assert data["queue"][0]["score"] == "1.818181818"
    assert {r["side"] for r in data["queue"]} == {"long"}


@pytest.mark.parametrize(
    ("policy", "longs", "shorts"),
    [
        # PnL% × EffLev: A 1 × 100/60, X 0.111 × 100/11, B 0.25 × 100/60, C −(1/6) / 10;
        # D (10/110) × 100/32, E (5/105) × 100/55.
        ("bitmex", ["A", "X", "B", "C"], ["D", "E"]),
        # uPnL/wallet × MM/equity: X 10 × 0.4/11, A 5 × 0.4/60, B 0.5 × 0.8/120, C loses: 0.
        ("binance", ["X", "A", "B", "C"], ["D", "E"]),
        # users in profit by price ratio × notional/equity: X 1.11 × 100/11, A 2 × 100/60,
        # B 1.25 × 200/120; C loses, so it comes after them; D 1.1 × 100/32, E 1.05 × 100/55.
        ("hyperliquid", ["X", "A", "B", "C"], ["D", "E"]),
        # winners by notional/equity: X 9.09, then A and B tie at 1.67 (the larger size
        # first); the losing C (10x) after every winner.
        ("leverage_first", ["X", "B", "A", "C"], ["D", "E"]),
        # the profitable group first (larger size, then file order), then the losers.
        ("pro_rata", ["B", "A", "X", "C"], ["D", "E"]),
    ],
)
def test_each_ranking_policy_orders_a_known_set(capsys, tmp_path, policy, longs, shorts):
    data = adl_json(capsys, tmp_path, MIXED, "--mark", "100", "--policy", policy)
    assert data["policy"] == policy
    assert order(data, "long") == longs
    assert order(data, "short") == shorts
    assert [r["side"] for r in data["queue"]] == ["long"] * 4 + ["short"] * 2


def test_scores_are_decimal_strings(capsys, tmp_path):
    data = adl_json(capsys, tmp_path, MIXED, "--mark", "100")
    scores = {r["id"]: r["score"] for r in data["queue"]}
    # A: 1 × 100/60; X: (10/90) × (100/11) = 1000/990; C: −(1/6) × 10/100 = −1/60
    assert scores["A"] == "1.666666667"
    assert scores["X"] == "1.01010101"
    assert scores["C"] == "-0.01666666667"


def test_pro_rata_groups_share_one_rank_and_their_lights(capsys, tmp_path):
    # Profitable A, B, X hold 4 of the 5 long lots: 80 % → 2 lights; C completes 100 % → 1.
    data = adl_json(capsys, tmp_path, MIXED, "--mark", "100", "--policy", "pro_rata")
    marks = {r["id"]: (r["rank"], r["lights"]) for r in data["queue"]}
    assert marks == {"A": (1, 2), "B": (1, 2), "X": (1, 2), "C": (2, 1), "D": (1, 1), "E": (1, 1)}


@pytest.mark.parametrize("seed", [0, 7])
def test_random_starts_at_the_seeded_place_in_id_order(capsys, tmp_path, seed):
    data = adl_json(
        capsys, tmp_path, MIXED, "--mark", "100", "--policy", "random", "--seed", str(seed)
    )
    winners = ["A", "B", "X"]  # C is losing: it comes after every winner
    start = random.Random(seed).randrange(4) % len(winners)
    assert order(data, "long") == winners[start:] + winners[:start] + ["C"]
    start = random.Random(seed).randrange(2)
    assert order(data, "short") == (["D", "E"][start:] + ["D", "E"][:start])


def test_a_position_bankrupt_at_the_mark_scores_infinity(capsys, tmp_path):
    # Long 1 @ 100 with margin 1 at mark 50: equity −49, so notional/equity has no bound.
    text = HEADER + "L,long,1,100,1\nM,long,1,60,30\n"
    data = adl_json(capsys, tmp_path, text, "--mark", "50", "--policy", "leverage_first")
    assert [(r["id"], r["score"]) for r in data["queue"]] == [("L", "Infinity"), ("M", "2.5")]


def test_human_queue_shows_ranks_and_lights(capsys, tmp_path):
    path = tmp_path / "positions.csv"
    path.write_text(MIXED)
    code, out, err = run(capsys, "adl", str(path), "--mark", "100")
    assert (code, err) == (0, "")
    assert "Longs: 4 positions, total size 5" in out
    assert "Shorts: 2 positions, total size 2" in out
    lines = out.splitlines()
    first = next(line for line in lines if " A " in line)
    assert first.split()[:5] == ["1", "A", "1", "50", "1.667"]  # every screen's score format
    assert "●●●●●" in first
    assert "●○○○○" in next(line for line in lines if " C " in line)


# -- refusals --------------------------------------------------------------------------------

LIQ = ("liq", "--side", "long", "--qty", "1", "--entry", "10000", "--margin", "1000")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("liq", "--side", "up", "--qty", "1", "--entry", "1", "--margin", "1"), "'up'"),
        (("liq", "--side", "long", "--entry", "1", "--margin", "1"), "--qty"),
        ((*LIQ[:4], "-1", *LIQ[5:]), "--qty: '-1' must be positive"),
        ((*LIQ[:4], "x", *LIQ[5:]), "--qty: 'x' is not a number"),
        ((*LIQ[:6], "0", *LIQ[7:]), "--entry: '0' must be positive"),
        ((*LIQ[:6], "inf", *LIQ[7:]), "--entry: 'inf' is not a number"),
        ((*LIQ[:6], "1e99", *LIQ[7:]), "--entry: '1e99' is too large"),
        ((*LIQ[:8], "-5"), "--margin: '-5' must not be negative"),
        ((*LIQ[:8], "0.000000001"), "--margin: '0.000000001' has more than 8 decimals"),
        ((*LIQ[:4], "0.00001", "--entry", "1.0001", *LIQ[7:]), "too many decimals"),
        ((*LIQ[:4], "1." + "0" * 30 + "1", *LIQ[5:]), "uses 31"),  # beyond Decimal's 28 digits
        ((*LIQ, "--wallet", "5"), "--wallet only applies with --mode cross"),
        ((*LIQ, "--mode", "cross", "--wallet", "-5"), "--wallet: '-5' must not be negative"),
        ((*LIQ, "--mode", "portfolio"), "'portfolio'"),
        ((*LIQ, "--tiers", "/no/such/tiers.toml"), "no such file"),
        (("liq", *LIQ[1:], "--bogus"), "--bogus"),
        ((), "required"),
    ],
)
def test_bad_liq_input_is_one_line(capsys, argv, expected):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert expected in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "positions.csv: empty"),
        ("\n\n", "positions.csv: empty"),
        ("id,side,qty,entry\nA,long,1,1\n", "positions.csv:1: missing column 'margin'"),
        (HEADER, "positions.csv: no positions after the header"),
        (HEADER + "A,long,1,1,1\nB,up,1,1,1\n", "positions.csv:3: side: 'up' is not long or short"),
        (HEADER + "A,,1,1,1\n", "positions.csv:2: side: missing"),
        (HEADER + "A,long,1,1,1\n\nC,long,-1,1,1\n", "positions.csv:4: qty: '-1' must be positive"),
        (HEADER + "A,long,1,abc,1\n", "positions.csv:2: entry: 'abc' is not a number"),
        (HEADER + "A,long,1,0,1\n", "positions.csv:2: entry: '0' must be positive"),
        (HEADER + "A,long,1,1,-5\n", "positions.csv:2: margin: '-5' must not be negative"),
        (HEADER + "A,long,1,1\n", "positions.csv:2: margin: missing"),
        (HEADER + ",long,1,1,1\n", "positions.csv:2: id: missing"),
        (
            HEADER + "A,long,1,1,1\nA,short,1,1,1\n",
            "positions.csv:3: id: 'A' already used on line 2",
        ),
        (HEADER + "A,long,0.00001,1.00001,1\n", "too many decimals"),
    ],
)
def test_bad_positions_file_is_one_line(capsys, tmp_path, text, expected):
    path = tmp_path / "positions.csv"
    path.write_text(text)
    code, out, err = run(capsys, "adl", str(path), "--mark", "1")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert expected in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("--mark", "0"), "--mark: '0' must be positive"),
        (("--mark", "x"), "--mark: 'x' is not a number"),
        (("--mark", "1.000001"), "too many decimals"),  # 6 + the size's 3 decimals
        (("--mark", "1", "--policy", "fifo"), "invalid choice: 'fifo'"),
        (("--mark", "1", "--seed", "x"), "invalid int value: 'x'"),
        ((), "--mark"),
    ],
)
def test_bad_adl_flags_are_one_line(capsys, tmp_path, argv, expected):
    path = tmp_path / "positions.csv"
    path.write_text(HEADER + "A,long,0.001,1,1\n")
    code, out, err = run(capsys, "adl", str(path), *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert expected in err


def test_unreadable_positions_files_are_one_line(capsys, tmp_path):
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"id,side,qty,entry,margin\n\xff\xfe,long,1,1,1\n")
    cases = {
        str(tmp_path / "missing.csv"): "missing.csv: no such file",
        str(binary): "binary.csv: not UTF-8",
        str(tmp_path): "is a directory",
    }
    for path, expected in cases.items():
        code, out, err = run(capsys, "adl", path, "--mark", "1")
        assert (code, out) == (2, "")
        assert err.count("\n") == 1 and "Traceback" not in err
        assert expected in err


def test_the_installed_console_script(tmp_path):
    script = Path(sys.executable).parent / "adl-sandbox"
    argv = ["calc", "liq", "--side", "short", "--qty", "2.5", "--entry", "40000"]
    done = subprocess.run(
        [str(script), *argv, "--margin", "5000", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout)["bankruptcy_price"] == "42000.00000000"


def test_prices_are_also_shown_as_the_app_shows_them_toward_the_mark(capsys):
    # Short: LP = (1000 + 10000) / (0.004 + 1) = 10956.1752988…, the mark below it: down.
    short = ("--side", "short", "--qty", "1", "--entry", "10000", "--margin", "1000")
    data = liq_json(capsys, *short)
    assert (data["liquidation_price"], data["liquidation_price_shown"]) == (
        "10956.17529880",
        "10956.1",
    )
    assert liq_json(capsys, *short, "--tick", "1")["liquidation_price_shown"] == "10956"
    code, out, _ = run(capsys, "liq", *short)
    assert code == 0 and "shown: 10,956.1 (rounded down to the 0.1 tick, toward the mark" in out
