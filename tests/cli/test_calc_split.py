"""``adl-sandbox calc split``: one deficit split by every allocation policy, against the
worked example of ADL-POLICIES.md (Chitra 2025, §2.4) and numbers worked by hand, and
its one-line refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.split import ORDERED, UNORDERED
from tui.cli import main

# Chitra 2025 §2.4: equity (10, 5, 1, −3, −12), PnL (8, 4, 0.5, −3, −12); the queue
# takes account 2 first, then 1, then 3. D = 3 + 12 = 15, U = 8 + 4 + 0.5 = 12.5,
# B = min(½·15, 12.5) = 7.5.
CHITRA = "id,equity,pnl,rank\n1,10,8,2\n2,5,4,1\n3,1,0.5,3\n4,-3,-3,\n5,-12,-12,\n"

# At mark 40000 (tick 0.1, lot 0.001):
#   L1 long 0.003 @ 38000, margin 20        PnL 6,        equity 26
#   L2 long 1.25 @ 39500.5, margin 5000     PnL 624.375,  equity 5624.375
#   L3 long 0.4 @ 30000, margin 100, wallet 150: PnL 4000, equity 4150 (cross: the wallet)
#   L4 long 2 @ 41000                       PnL −2000: neither winner nor loser
#   S1 short 0.5 @ 36000, margin 800        PnL −2000, equity −1200: a loser
#   S2 short 0.1 @ 39000, margin 50         PnL −100,  equity −50:   a loser
#   S3 short 1 @ 45000, margin 3000         PnL 5000: a winner on the other side
# The longs give: U = 6 + 624.375 + 4000 = 4630.375, D = 1200 + 50 = 1250.
POSITIONS = (
    "id,side,qty,entry,margin,wallet\n"
    "L1,long,0.003,38000,20,\n"
    "L2,long,1.25,39500.5,5000,\n"
    "L3,long,0.4,30000,100,150\n"
    "L4,long,2,41000,9000,\n"
    "S1,short,0.5,36000,800,\n"
    "S2,short,0.1,39000,50,\n"
    "S3,short,1,45000,3000,\n"
)


def run(capsys, tmp_path: Path, text: str, *argv: str) -> tuple[int, str, str]:
    path = tmp_path / "accounts.csv"
    path.write_text(text)
    code = main(["calc", "split", str(path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def split_json(capsys, tmp_path: Path, text: str, *argv: str) -> dict:
    code, out, err = run(capsys, tmp_path, text, *argv, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def by_policy(data: dict) -> dict[str, dict]:
    return {p["policy"]: p for p in data["policies"]}


def taken(policy: dict) -> dict[str, str]:
    return {row["id"]: row["taken"] for row in policy["accounts"]}


# -- the worked example ------------------------------------------------------------------------


def test_the_deficit_comes_from_the_losers_and_the_budget_from_the_severity(capsys, tmp_path):
    data = split_json(capsys, tmp_path, CHITRA, "--severity", "0.5", "--policy", "queue")
    assert data["deficit"] == "15.00000000"
    assert data["deficit_source"] == "Σ(−equity)+ of the losers in the file"
    assert data["severity"] == "0.5"
    (queue,) = data["policies"]
    assert (queue["deficit"], queue["capacity"], queue["budget"]) == (
        "15.00000000",
        "12.50000000",
        "7.50000000",
    )


def test_the_queue_takes_four_from_two_then_three_and_a_half_from_one(capsys, tmp_path):
    data = split_json(capsys, tmp_path, CHITRA, "--severity", "0.5", "--policy", "queue")
    (queue,) = data["policies"]
    assert [(row["rank"], row["id"]) for row in queue["accounts"]] == [(1, "2"), (2, "1"), (3, "3")]
    assert taken(queue) == {"1": "3.50000000", "2": "4.00000000", "3": "0.00000000"}
    assert {row["id"]: row["haircut"] for row in queue["accounts"]} == {
        "1": "0.4375",
        "2": "1",
        "3": "0",
    }
    assert queue["largest_haircut"] == "1"
    assert queue["top_survivor"] == "4.50000000"  # account 1 keeps 8 − 3.5
    assert queue["inversions"] == 1  # account 2 (4 → 0) ends below account 3 (0.5)
    assert queue["taken"] == queue["budget"] == "7.50000000"
    assert queue["touched"] == 2
    assert queue["top_share"] == "0.5333333333"  # 4 / 7.5, to 10 significant digits
    assert queue["residual"] is None


def test_profit_pro_rata_takes_six_tenths_of_every_profit(capsys, tmp_path):
    data = split_json(capsys, tmp_path, CHITRA, "--severity", "0.5", "--policy", "pnl_pro_rata")
    (pro_rata,) = data["policies"]
    assert taken(pro_rata) == {"1": "4.80000000", "2": "2.40000000", "3": "0.30000000"}
    assert {row["haircut"] for row in pro_rata["accounts"]} == {"0.6"}
    assert pro_rata["largest_haircut"] == "0.6"
    assert pro_rata["top_survivor"] == "3.20000000"
    assert pro_rata["inversions"] == 0
    assert "rank" not in pro_rata["accounts"][0]


def test_every_policy_in_json_and_min_max_is_pro_rata_without_a_grid(capsys, tmp_path):
    data = split_json(capsys, tmp_path, CHITRA, "--severity", "0.5", "--policy", "all")
    policies = by_policy(data)
    assert policies["min_max"]["largest_haircut"] == policies["pnl_pro_rata"]["largest_haircut"]
    assert policies["min_max"]["largest_haircut"] == "0.6"
    assert policies["clawback"]["budget"] == "12.50000000"  # always θ = 1: min(15, 12.5)
    assert policies["capped_pro_rata"]["taken"] == "6.25000000"  # half of each profit at most
    left_out = {row["policy"]: row["reason"] for row in data["left_out"]}
    assert set(left_out) == {
        "bitmex",
        "binance",
        "hyperliquid",
        "random",
        "risk_pro_rata",
        "leverage_first",
    }
    assert "positions file" in left_out["bitmex"]
    assert "notional" in left_out["leverage_first"]
    assert set(policies) | set(left_out) == {*ORDERED, *UNORDERED}


def test_capped_pro_rata_short_of_its_budget_shows_the_undershoot(capsys, tmp_path):
    # Caps of half of each profit allow 4 + 2 + 0.25 = 6.25 of B = 7.5: 1.25 untaken.
    argv = ("--severity", "0.5", "--policy", "capped_pro_rata")
    (capped,) = split_json(capsys, tmp_path, CHITRA, *argv)["policies"]
    assert capped["taken"] == "6.25000000"
    assert capped["budget"] == "7.50000000"
    assert capped["undershoot"] == "1.25000000"


def test_the_human_table_says_where_the_deficit_came_from(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, CHITRA, "--severity", "0.5", "--policy", "queue")
    assert (code, err) == (0, "")
    assert "deficit D = 15.00000000: Σ(−equity)+ of the losers in the file" in out
    assert "severity θ = 0.5: budget B = min(θ·D, U)" in out
    assert "H − B, signed" in out
    first = next(line for line in out.splitlines() if line.split()[:2] == ["1", "2"])
    assert first.split() == ["1", "2", "4.00000000", "4.00000000", "1", "0.00000000"]
    code, out, err = run(capsys, tmp_path, CHITRA, "--deficit", "2", "--policy", "queue")
    assert (code, err) == (0, "")
    assert "deficit D = 2.00000000: given" in out


def test_every_policy_side_by_side_with_its_meaning_and_what_was_left_out(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, CHITRA, "--severity", "0.5", "--policy", "all")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("pnl_pro_rata "))
    assert row.split()[:7] == [
        "pnl_pro_rata",
        "7.50000000",
        "7.50000000",
        "0.00000000",
        "0.00000000",
        "0.00000000",
        "0.6",
    ]
    assert "min_max: the least possible largest haircut on the lot grid" in lines
    assert any(line.startswith("left out: bitmex — ") for line in lines)


def test_without_ranks_the_queue_is_the_file_order_and_columns_come_in_any_order(capsys, tmp_path):
    text = "pnl,id,equity\n8,1,10\n4,2,5\n0.5,3,1\n-3,4,-3\n-12,5,-12\n"
    data = split_json(capsys, tmp_path, text, "--severity", "0.5", "--policy", "queue")
    (queue,) = data["policies"]
    assert taken(queue) == {"1": "7.50000000", "2": "0.00000000", "3": "0.00000000"}


def test_a_notional_column_allows_the_leverage_policies(capsys, tmp_path):
    # λ = notional / equity: account 1 is 100/10 = 10, account 2 is 10/5 = 2; D = B = 3.
    # Draining cuts account 1 alone: keeping 5 of its 8 of profit leaves it a notional of
    # 100 · 5/8 = 62.5, leverage 6.25, still above account 2's 2.
    text = "id,equity,pnl,notional\n1,10,8,100\n2,5,4,10\n3,-3,-3,\n"
    data = split_json(capsys, tmp_path, text, "--policy", "all")
    policies = by_policy(data)
    for name in ("risk_pro_rata", "leverage_first"):
        assert policies[name]["taken"] == policies[name]["budget"] == "3.00000000", name
    # The most levered gives most under both.
    assert taken(policies["leverage_first"]) == {"1": "3.00000000", "2": "0.00000000"}
    assert {row["policy"] for row in data["left_out"]} == {
        "bitmex",
        "binance",
        "hyperliquid",
        "random",
    }


# -- a positions file ----------------------------------------------------------------------------


def test_positions_every_budget_respecting_policy_takes_the_budget_exactly(capsys, tmp_path):
    data = split_json(
        capsys, tmp_path, POSITIONS, "--mark", "40000", "--side", "long", "--policy", "all"
    )
    assert (data["format"], data["side"], data["losers_side"]) == ("positions", "long", "short")
    assert data["deficit"] == "1250.00000000"
    assert data["left_out"] == []
    policies = by_policy(data)
    assert set(policies) == {*ORDERED, *UNORDERED}
    for name, policy in policies.items():
        assert policy["capacity"] == "4630.37500000", name
        assert policy["budget"] == "1250.00000000", name
        assert set(taken(policy)) == {"L1", "L2", "L3"}, name
        if name == "capped_pro_rata":  # its caps may bind before the budget
            assert float(policy["taken"]) <= 1250
        else:
            assert policy["taken"] == policy["budget"], name
            assert policy["overshoot"] == policy["undershoot"] == "0.00000000", name
    sizes = {row["id"]: row["size_closed"] for row in policies["bitmex"]["accounts"]}
    assert set(sizes) == {"L1", "L2", "L3"} and all("." in s for s in sizes.values())


def test_positions_at_a_severity_below_one(capsys, tmp_path):
    # B = ⌈0.37 · 1250⌉ = 462.5
    argv = ("--mark", "40000", "--side", "long", "--severity", "0.37", "--policy", "all")
    policies = by_policy(split_json(capsys, tmp_path, POSITIONS, *argv))
    for name, policy in policies.items():
        if name in ("capped_pro_rata", "clawback"):
            continue
        assert policy["taken"] == policy["budget"] == "462.50000000", name


def test_the_venue_severity_closes_whole_positions_and_may_overshoot(capsys, tmp_path):
    argv = ("--mark", "40000", "--side", "long", "--severity", "queue", "--policy", "bitmex")
    data = split_json(capsys, tmp_path, POSITIONS, *argv)
    assert data["severity"] == "queue"
    (bitmex,) = data["policies"]
    assert float(bitmex["taken"]) >= 1250
    for row in bitmex["accounts"]:  # closed whole or not at all
        assert row["haircut"] in ("0", "1")
    assert float(bitmex["signed_taken_minus_budget"]) == float(bitmex["overshoot"])


def test_a_cross_wallet_is_the_collateral(capsys, tmp_path):
    # S2 with a wallet of 200: equity 200 − 100 = 100, no longer a loser: D = 1200.
    text = POSITIONS.replace("S2,short,0.1,39000,50,", "S2,short,0.1,39000,50,200")
    data = split_json(
        capsys, tmp_path, text, "--mark", "40000", "--side", "long", "--policy", "pnl_pro_rata"
    )
    assert data["deficit"] == "1200.00000000"


def test_one_side_in_profit_needs_no_side(capsys, tmp_path):
    text = "id,side,qty,entry,margin\nA,long,1,50,10\nB,long,2,80,80\nC,short,1,60,10\n"
    # At 100: A 50, B 40 in profit; C short −40, equity −30: D = 30.
    data = split_json(capsys, tmp_path, text, "--mark", "100", "--policy", "pnl_pro_rata")
    assert data["side"] == "long" and data["deficit"] == "30.00000000"
    (policy,) = data["policies"]
    # The lot is 1: A's one lot holds 50 of profit, B's two 20 each. Pro-rata aims at
    # 30·50/90 and 30·40/90; no whole lot fits either, so the largest shortfall, A's, is
    # first for the one more lot that fits in 30 (B's 20), and the 10 left, below a lot,
    # goes to A as the residual.
    assert taken(policy) == {"A": "10.00000000", "B": "20.00000000"}
    assert policy["residual"] == "A"


def test_human_positions_show_sizes_closed(capsys, tmp_path):
    argv = ("--mark", "40000", "--side", "long", "--policy", "min_max")
    code, out, err = run(capsys, tmp_path, POSITIONS, *argv)
    assert (code, err) == (0, "")
    assert "size closed" in out
    assert "the shorts, closed against the winners" in out


# -- refusals ----------------------------------------------------------------------------------

PROFIT = "id,equity,pnl\n1,10,8\n2,-3,-3\n"
LONGS = "id,side,qty,entry,margin\nA,long,1,50,10\nC,short,1,60,10\n"
FLAT = "id,side,qty,entry,margin\nA,long,1,50,10\nC,short,1,50,10\n"
BOTH = "id,side,qty,entry,margin\nA,long,1,50,10\nC,short,1,150,10\n"


@pytest.mark.parametrize(
    ("text", "argv", "expected"),
    [
        ("", ("--policy", "queue"), "accounts.csv: empty"),
        ("id,foo\n1,2\n", ("--policy", "queue"), "neither a positions file's"),
        ("id,equity\n1,2\n", ("--policy", "queue"), "missing column 'pnl'"),
        ("id,side,qty,entry\n", ("--policy", "queue"), "missing column 'margin'"),
        ("id,equity,pnl\n", ("--policy", "queue"), "no accounts after the header"),
        ("id,equity,pnl\n1,x,2\n", ("--policy", "queue"), ":2: equity: 'x' is not a number"),
        ("id,equity,pnl\n1,2,1e99\n", ("--policy", "queue"), ":2: pnl: '1e99' is too large"),
        ("id,equity,pnl\n1,2,0.000000001\n", ("--policy", "queue"), "more than 8 decimals"),
        ("id,equity,pnl\n1,2,3,4\n", ("--policy", "queue"), "4 cells"),
        ("id,equity,pnl\n1,2,3\n1,2,3\n", ("--policy", "queue"), "already used on line 2"),
        ("id,equity,pnl\n1,2," + "9" * 200_000 + "\n", ("--policy", "queue"), "not valid CSV"),
        ("id,equity,pnl\n1,-2,-3\n", ("--policy", "queue"), "no winner"),
        ("id,equity,pnl,rank\n1,10,8,x\n", ("--policy", "queue"), "rank: 'x' is not a whole"),
        ("id,equity,pnl,rank\n1,10,8,0\n", ("--policy", "queue"), "rank: '0' must be 1"),
        ("id,equity,pnl,rank\n1,10,8,\n", ("--policy", "queue"), ":2: rank: missing"),
        ("id,equity,pnl,rank\n1,10,8,1\n2,9,1,1\n", ("--policy", "queue"), "already given"),
        ("id,equity,pnl,notional\n1,10,8,\n", ("--policy", "queue"), ":2: notional"),
        ("id,equity,pnl\n1,10,8\n", ("--policy", "queue"), "give the deficit with --deficit"),
        (PROFIT, ("--policy", "bitmex"), "bitmex ranks positions"),
        (PROFIT, ("--policy", "random"), "needs a positions file"),
        (PROFIT, ("--policy", "risk_pro_rata"), "risk_pro_rata weighs each winner's leverage"),
        (PROFIT, ("--policy", "leverage_first"), "needs a notional column"),
        (PROFIT, ("--policy", "fifo"), "invalid choice: 'fifo'"),
        (PROFIT, ("--policy", "queue", "--mark", "1"), "--mark only applies to a positions"),
        (PROFIT, ("--policy", "queue", "--side", "long"), "--side only applies"),
        (PROFIT, ("--policy", "queue", "--deficit", "x"), "--deficit: 'x' is not a number"),
        (PROFIT, ("--policy", "queue", "--deficit", "-1"), "--deficit: '-1' must not be"),
        (PROFIT, ("--policy", "queue", "--severity", "1.5"), "--severity: '1.5' is not in [0, 1]"),
        (PROFIT, ("--policy", "queue", "--severity", "-0.1"), "is not in [0, 1]"),
        (PROFIT, ("--policy", "queue", "--severity", "half"), "'half' is not a number (or queue)"),
        (PROFIT, ("--policy", "queue", "--severity", "1e-20"), "more than 10 decimals"),
        (PROFIT, ("--policy", "capped_pro_rata", "--cap", "0"), "--cap: '0' is not in (0, 1]"),
        (PROFIT, ("--policy", "capped_pro_rata", "--cap", "2"), "is not in (0, 1]"),
        (PROFIT, ("--policy", "queue", "--cap", "0.5"), "--cap only applies to --policy capped"),
        (PROFIT, ("--policy", "queue", "--seed", "1"), "--seed only applies to --policy random"),
        (PROFIT, ("--policy", "all", "--risk", "square"), "--risk: 'square' is not linear"),
        (PROFIT, ("--policy", "all", "--risk", "power"), "--risk power needs its parameter"),
        (PROFIT, ("--policy", "all", "--risk", "power:-1"), "must be positive"),
        (PROFIT, ("--policy", "all", "--risk", "cvar:1e-99"), "more than 10 decimals"),
        (PROFIT, ("--policy", "all", "--min-equity", "-1"), "--min-equity: '-1' must not"),
        (LONGS, ("--policy", "queue"), "give the mark price with --mark"),
        (LONGS, ("--policy", "queue", "--mark", "0"), "--mark: '0' must be positive"),
        (LONGS, ("--policy", "queue", "--mark", "100", "--side", "short"), "no short position"),
        (FLAT, ("--policy", "queue", "--mark", "50"), "no position is in profit at mark 50"),
        (BOTH, ("--policy", "all", "--mark", "100"), "say which side gives with --side"),
        (BOTH, ("--policy", "queue", "--mark", "100", "--side", "up"), "invalid choice: 'up'"),
        (
            "id,side,qty,entry,margin\nA,long,1,50,10\n",
            ("--policy", "queue", "--mark", "100"),
            "no loser on the short side",
        ),
        ("id,side,qty,entry,margin\nA,long,1,50,-1\n", ("--policy", "queue"), "margin: '-1'"),
        ("id,side,qty,entry,margin,wallet\nA,long,1,50,1,x\n", ("--policy", "queue"), "wallet"),
    ],
)
def test_a_mistake_is_one_line_and_status_two(capsys, tmp_path, text, argv, expected):
    code, out, err = run(capsys, tmp_path, text, *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert expected in err, err


def test_an_unreadable_file_is_one_line(capsys, tmp_path):
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"id,equity,pnl\n\xff,1,1\n")
    for path, expected in {
        str(tmp_path / "missing.csv"): "missing.csv: no such file",
        str(binary): "not UTF-8",
        str(tmp_path): "is a directory",
    }.items():
        code = main(["calc", "split", path, "--policy", "queue"])
        out, err = capsys.readouterr()
        assert (code, out) == (2, "")
        assert err.count("\n") == 1 and expected in err, err


def test_a_power_too_large_for_a_float_still_puts_the_most_levered_first(capsys, tmp_path):
    text = "id,equity,pnl,notional\n1,0.00000001,8,100000000000000\n2,5,4,10\n3,-3,-3,\n"
    argv = ("--policy", "risk_pro_rata", "--risk", "power:1000", "--json")
    code, out, err = run(capsys, tmp_path, text, *argv)
    assert (code, err) == (0, "")
    (risk,) = json.loads(out)["policies"]
    taken = {row["id"]: row["taken"] for row in risk["accounts"]}
    # λ₁^1000 is beyond a float: it weighs the most a float can, and takes nearly all of B
    assert float(taken["1"]) > 2.9999 and float(taken["2"]) < 0.0001
