"""The loss waterfall as the venues run it, computed by hand and read back from journals.

Each case is a scripted scenario (``tests/fixtures/scenarios/waterfall.toml``, or it
with a few lines changed) run through ``adl-sandbox simulate --journal``; the
assertions read the journal's own records. The market: lot 1 BTC, no fees, mark =
index (``fair``, no funding), a 5 % band around the mark for the backstop.

- Shorts, all isolated: S1 2 @ 52,000 (margin 5,200), S2 5 @ 49,000 (24,500), S3 8 @
  51,000 (204,000), S4 5 @ 46,000 (23,000). The long L 10 @ 50,000 with margin 25,000
  (isolated, 20x): liquidation price 47,848.48 (tier 3 at 478,484.8 of notional: MMR
  1 %, cum 1,300; LP = (25,000 + 1,300 − 500,000) / (10 × 0.01 − 10)), bankruptcy
  47,500 (50,000 − 25,000 / 10). X: a cross long 10 @ 50,000 with a deep wallet, so
  the positions net to zero. MM bids 4 @ 47,550, 1 @ 46,900, 2 @ 46,000.
- The index goes 50,000 → 47,900 (above L's liquidation price: a warning) → 46,900.
"""

import json
from pathlib import Path

from engine.journal import JournalFile
from engine.units import MONEY_SCALE
from tui.cli import main

BASE = Path(__file__).parents[1] / "fixtures" / "scenarios" / "waterfall.toml"
USDT = MONEY_SCALE
TICKS = 100  # ticks of 0.01 per USDT of price


def run(tmp_path: Path, capsys, *changes: tuple[str, str]) -> list[dict]:
    """Run the scenario (with ``changes`` to its text) through simulate --journal and
    return the journal's events, oldest first, as dicts named by the journal's schema."""
    text = BASE.read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    scenario, journal = tmp_path / "waterfall.toml", tmp_path / "run.jsonl"
    scenario.write_text(text)
    code = main(["simulate", "--scenario", str(scenario), "--journal", str(journal), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and all(report["invariants"].values()), report["invariants"]
    read = JournalFile(journal)
    events = list(read.events())
    read.close()
    return events


def of(events: list[dict], kind: str) -> list[dict]:
    return [e for e in events if e["kind"] == kind]


def test_the_fund_pays_to_its_floor_and_adl_takes_only_what_it_may_not_absorb(tmp_path, capsys):
    events = run(tmp_path, capsys)
    (liquidation,) = of(events, "liquidation")
    assert (liquidation["account"], liquidation["qty"]) == ("L", 10)
    assert liquidation["mark"] == 46_900 * TICKS  # 47,900 was above 47,848.48: only warned
    assert liquidation["bankruptcy_price"] == 47_500 * TICKS
    assert liquidation["margin_lost"] == 25_000 * USDT
    # the backstop's first order, at bankruptcy or better: 4 @ 47,550, +50 each for the
    # fund (exactly 200); then within 5 % of the mark (44,555 to 49,245): 1 @ 46,900 and
    # 1 @ 46,000. Fund 10,000 under fund_drawdown 30 %: its floor is 7,000 (70 % of the
    # trailing peak, 10,000 at the last step's end), so it may pay 10,200 − 7,000 =
    # 3,200: 600 for the lot at 46,900, 1,500 for one at 46,000; a second one at
    # 46,000 (1,500 more) would pass the floor, so the book's last lot stays.
    trades = of(events, "trade")
    assert [(t["taker"], t["qty"], t["price"]) for t in trades] == [
        ("liquidation-engine", 4, 47_550 * TICKS),
        ("liquidation-engine", 1, 46_900 * TICKS),
        ("liquidation-engine", 1, 46_000 * TICKS),
    ]
    (worked,) = of(events, "backstop_traded")
    # + 200 − 600 − 1,500 = −1,900 for the fund; 4 lots still held
    assert (worked["qty"], worked["at_or_better"], worked["realized"], worked["left"]) == (
        6,
        4,
        -1_900 * USDT,
        4,
    )
    fund = of(events, "insurance_fund")
    assert [f["balance"] for f in fund] == [8_100 * USDT]  # 10,000 + 200 − 2,100
    # the 4 lots held owe 4 × (47,500 − 46,900) = 2,400 at the mark; the fund may
    # absorb 8,100 − 7,000 = 1,100 of it: 1,300 it may not. ⌈1,300 × 4 / 2,400⌉ = 3 lots
    # go to ADL; the one kept owes 600, within the 1,100.
    (executed,) = of(events, "adl_executed")
    assert executed["reason"] == "fund_drawdown"
    assert (executed["fund_before"], executed["room"], executed["held_deficit"]) == (
        8_100 * USDT,
        1_100 * USDT,
        2_400 * USDT,
    )
    assert (executed["deficit"], executed["qty"], executed["price"]) == (
        1_300 * USDT,
        3,
        47_500 * TICKS,
    )
    # BitMEX ranking at mark 46,900, PnL% × mark / |mark − P_bk| for winners,
    # PnL% / effective leverage for losers:
    # S1: (52,000 − 46,900)/52,000 × 46,900/|46,900 − 54,600| = 0.0981 × 6.091 = 0.5974
    # S2: (49,000 − 46,900)/49,000 × 46,900/|46,900 − 53,900| = 0.0429 × 6.7 = 0.2871
    # S3: (51,000 − 46,900)/51,000 × 46,900/|46,900 − 76,500| = 0.0804 × 1.584 = 0.1274
    # S4: (46,000 − 46,900)/46,000 / (46,900/|46,900 − 50,600|) = −0.0196 / 12.68 = −0.0015
    fills = of(events, "adl")
    assert [(f["account"], f["qty"], f["rank"], round(f["score"], 4)) for f in fills] == [
        ("S1", 2, 1, 0.5974),
        ("S2", 1, 2, 0.2871),
    ]
    # each closes at 47,500 with the mark at 46,900: 600 given up per BTC
    assert [f["forgone"] for f in fills] == [1_200 * USDT, 600 * USDT]
    # capacity: S1 2 × 5,100 + S2 5 × 2,100 + S3 8 × 4,100 = 53,500 (S4 loses);
    # budget min(D, U) = 1,300; taken 1,800 (whole lots: 500 beyond the budget)
    assert (executed["capacity"], executed["budget"], executed["taken"]) == (
        53_500 * USDT,
        1_300 * USDT,
        1_800 * USDT,
    )


def test_a_deep_fund_and_an_empty_book_hold_the_position_until_bids_return(tmp_path, capsys):
    # fund 1,000,000, no bids until 5 s; then MM bids 10 @ 46,800
    events = run(
        tmp_path,
        capsys,
        ('insurance_fund = "10000"', 'insurance_fund = "1000000"'),
        (
            """orders = [
  { side = "buy", type = "limit", qty = "4", price = "47550" },
  { side = "buy", type = "limit", qty = "1", price = "46900" },
  { side = "buy", type = "limit", qty = "2", price = "46000" },
]""",
            'orders = [{ side = "buy", type = "limit", qty = "10", price = "46800", at = "5s" }]',
        ),
    )
    assert of(events, "adl") == [] and of(events, "adl_executed") == []
    (liquidation,) = of(events, "liquidation")
    (worked,) = of(events, "backstop_traded")
    # held from the take-over (2 s) until the bids come (5 s): 10 × (46,800 − 47,500)
    assert worked["time"] - liquidation["time"] == 3_000_000
    assert (worked["qty"], worked["realized"], worked["left"]) == (10, -7_000 * USDT, 0)
    (settled,) = of(events, "liquidation_settled")
    assert (settled["band_qty"], settled["fund_out"], settled["adl_qty"]) == (10, 7_000 * USDT, 0)


def test_clawback_deleverages_nobody_and_charges_every_winner_at_one_rate(tmp_path, capsys):
    events = run(
        tmp_path,
        capsys,
        ('liquidation_band = "5%"', 'liquidation_band = "5%"\nloss_policy = "clawback"'),
    )
    assert of(events, "adl") == [] and of(events, "adl_executed") == []
    # with the winners to refill it, the backstop sells all the band holds: 4 @ 47,550
    # (+200), 1 @ 46,900 (−600), 2 @ 46,000 (−3,000): 10,000 − 3,400 = 6,600, 400 below
    # the 7,000 floor. Winners at 46,900: S1 10,200, S2 10,500, S3 32,800 (U = 53,500);
    # S4, X and MM lose. Each gives 400 / 53,500 = 0.7477 % of its profit.
    (loss,) = of(events, "socialized_loss")
    assert (loss["deficit"], loss["collected"], loss["accounts"], loss["rate"]) == (
        400 * USDT,
        400 * USDT,
        3,
        7_476,
    )
    charged = {e["account"]: e["amount"] for e in of(events, "socialized_loss_charged")}
    # 400 × 10,200 / 53,500 = 76.262 (7,626,168,224.3 units), × 10,500 = 78.505
    # (…289.72), × 32,800 = 245.234 (…485.98): the two units the floors leave go to
    # the largest remainders, S3's and S2's
    assert charged == {"S1": 7_626_168_224, "S2": 7_850_467_290, "S3": 24_523_364_486}
    assert sum(charged.values()) == 400 * USDT
    # positions stay open: each winner's only position change is its set-up
    changed = [e["account"] for e in of(events, "position_changed")]
    assert [changed.count(name) for name in ("S1", "S2", "S3")] == [1, 1, 1]


def test_adl_at_the_mark_with_an_empty_fund_never_takes_it_below_zero(tmp_path, capsys):
    events = run(
        tmp_path,
        capsys,
        ('insurance_fund = "10000"', 'insurance_fund = "0"'),
        ('adl_trigger = "fund_drawdown"', 'adl_trigger = "fund_exhausted"\nadl_price = "mark"'),
    )
    # 4 @ 47,550: +200. The band's first lot (46,900) would cost 600 > 200: none. The 6
    # held owe 3,600 at the mark, the fund may pay 200: at the mark all 6 close, the fund
    # paying its 200: 47,500 − 200 / 6 = 47,466.666…, rounded up toward the fund
    (executed,) = of(events, "adl_executed")
    assert (executed["qty"], executed["price"], executed["room"]) == (
        6,
        4_746_667,
        200 * USDT,
    )
    fills = of(events, "adl")
    assert [(f["account"], f["qty"]) for f in fills] == [("S1", 2), ("S2", 4)]
    # 6 × (47,466.67 − 47,500) = −199.98: the fund keeps 0.02, never less than 0
    balances = [f["balance"] for f in of(events, "insurance_fund")]
    assert balances[-1] == 2_000_000 and min(balances) >= 0
