"""The loss waterfall with hand-computed integers (SPEC §5): liquidation at bankruptcy, the
backstop that holds and works positions off, the insurance fund in and out, its trigger
policies, ADL only for what the fund may not absorb, socialized loss, counterfactuals.

The stage: the mark equals the index (``fair`` marking with no interest), 1 BTC is
1,000 lots, 50,000.0 USDT is 500,000 ticks, one lot·tick is 0.0001 USDT.

- ``victim``: long 1 BTC at 50,000, isolated, 1,000 USDT margin (50x): bankrupt at
  49,000; liquidated below 49,196.79 (tier 1 at the liquidation notional).
- ``a``: short 0.3 BTC at 50,000, isolated 10x (1,500 margin, bankrupt at 55,000).
- ``b``: short 0.7 BTC at 50,000, isolated 20x (1,750 margin, bankrupt at 52,500).
- ``maker``: the bids the liquidation meets.
"""

from dataclasses import replace

import pytest

from engine.adl import AdlPrice
from engine.events import (
    AdlExecuted,
    AutoDeleveraged,
    InsuranceFundChanged,
    Liquidation,
    LiquidationSettled,
    MarginWarning,
    SocializedLoss,
    SocializedLossCharged,
    Trade,
)
from engine.exchange import Exchange, ExchangeConfig
from engine.instrument import FundingSettings, default_instrument
from engine.orders import OrderType
from engine.policies import Haircut, LossPolicy, MarketSettings, TriggerPolicy
from engine.pricing import MarkPolicy
from engine.units import MONEY_SCALE, SECOND

from .helpers import assert_invariants

USDT = MONEY_SCALE


def usdt(text: str) -> int:
    """Exact money from decimal text (no float ever touches a figure)."""
    whole, _, frac = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * USDT + int((frac + "0" * 8)[:8] or 0))


def stage(fund: str, bids: list[tuple[str, int]], **config) -> Exchange:
    instrument = replace(default_instrument(), funding=replace(FundingSettings(), interest=0))
    exchange = Exchange(
        instrument,
        ExchangeConfig(
            market=MarketSettings(mark_policy=MarkPolicy.FAIR, **config),
            insurance_fund=usdt(fund),
        ),
    )
    exchange.advance(SECOND, 500_000)
    exchange.open_account("victim", 2_000 * USDT, "isolated", 50)
    exchange.open_account("a", 5_000 * USDT, "isolated", 10)
    exchange.open_account("b", 5_000 * USDT, "isolated", 20)
    exchange.open_account("maker", 1_000_000 * USDT, "cross", 10)
    exchange.submit("a", "sell", "0.3", "50000", OrderType.LIMIT)
    exchange.submit("b", "sell", "0.7", "50000", OrderType.LIMIT)
    exchange.submit("victim", "buy", "1", order_type=OrderType.MARKET)
    for qty, price in bids:
        exchange.submit("maker", "buy", qty, str(price), OrderType.LIMIT)
    assert exchange.account_view("victim").isolated_margin == 1_000 * USDT
    exchange.drain_events()
    return exchange


def crash_to(exchange: Exchange, price: int) -> list:
    exchange.advance(exchange.time + SECOND, price * 10)
    assert exchange.prices.mark == price * 10
    events = exchange.drain_events()
    assert_invariants(exchange)
    return events


def only(events, kind: type):
    found = [e for e in events if type(e) is kind]
    assert len(found) == 1, found
    return found[0]


def fund(exchange: Exchange) -> int:
    return exchange.ledger_totals().insurance_fund


def test_the_liquidation_price_is_where_it_triggers():
    exchange = stage("1000", [("1", 49_100)])
    alive = crash_to(exchange, 49_197)  # above 49,196.79: warned, not liquidated
    assert [type(e) for e in alive] == [MarginWarning]
    events = crash_to(exchange, 49_196)
    liquidation = only(events, Liquidation)
    assert liquidation.liquidation_price == 491_968  # ceil(491,967.87…): mark < it triggers
    assert liquidation.bankruptcy_price == 490_000
    assert liquidation.margin_lost == 1_000 * USDT


def test_a_fill_better_than_bankruptcy_grows_the_fund():
    exchange = stage("1000", [("1", 49_100)])
    victim_wallet = exchange.account_view("victim").wallet
    events = crash_to(exchange, 49_150)
    settled = only(events, LiquidationSettled)
    # sold 1 BTC at 49,100 instead of 49,000: 100 USDT surplus into the fund
    assert (settled.book_qty, settled.band_qty, settled.adl_qty) == (1_000, 0, 0)
    assert settled.fund_in == 100 * USDT and settled.fund_out == 0
    assert fund(exchange) == 1_100 * USDT
    assert only(events, InsuranceFundChanged).delta == 100 * USDT
    # the owner loses exactly the margin, never more
    assert exchange.account_view("victim").wallet == victim_wallet - 1_000 * USDT
    assert exchange.account_view("victim").position is None
    trade = only(events, Trade)
    assert (trade.taker, trade.maker, trade.qty, trade.price) == (
        "liquidation-engine",
        "maker",
        1_000,
        491_000,
    )


def test_a_fill_worse_than_bankruptcy_is_paid_by_the_fund():
    exchange = stage("1000", [("0.4", 49_100), ("0.6", 48_800)])
    settled = only(crash_to(exchange, 49_150), LiquidationSettled)
    # 0.4 at 49,100: +40; then within 5 % of the mark the fund pays for 0.6 at 48,800: −120
    assert (settled.book_qty, settled.band_qty, settled.adl_qty) == (400, 600, 0)
    assert (settled.fund_in, settled.fund_out) == (40 * USDT, 120 * USDT)
    assert fund(exchange) == 920 * USDT


def adl_stage(fund_text: str, **config) -> tuple[Exchange, list]:
    """A gap from 50,000 to 48,500, through the bankruptcy price; bids only at 48,400."""
    exchange = stage(fund_text, [("0.1", 48_400)], **config)
    return exchange, crash_to(exchange, 48_500)


def test_an_exhausted_fund_hands_the_rest_to_adl_across_two_counterparties():
    exchange, events = adl_stage("30")
    settled = only(events, LiquidationSettled)
    # each lot sold at 48,400 costs the fund 0.6 USDT: 30 USDT buys 50 lots; the other
    # 950 carry 0.5 USDT each of deficit at the mark (475) and the fund has nothing left
    assert (settled.book_qty, settled.band_qty, settled.adl_qty) == (0, 50, 950)
    assert fund(exchange) == 0
    fills = [e for e in events if type(e) is AutoDeleveraged]
    # bitmex scores at 48,500: PnL% 3 % for both; b's effective leverage 48,500/4,000
    # = 12.125 beats a's 48,500/6,500 = 7.46, so b (700 lots) goes first, then a
    assert [(f.account, f.qty, f.rank, f.price) for f in fills] == [
        ("b", 700, 1, 490_000),
        ("a", 250, 2, 490_000),
    ]
    assert [round(f.score, 5) for f in fills] == [0.36375, 0.22385]
    # closing at the bankruptcy price 49,000 instead of the mark 48,500
    assert [f.forgone for f in fills] == [350 * USDT, 125 * USDT]
    executed = only(events, AdlExecuted)
    assert (executed.qty, executed.deficit, executed.counterparties) == (950, 475 * USDT, 2)
    assert (executed.reason, executed.fund_before, executed.room) == ("fund_exhausted", 0, 0)
    # capacity: a's profit 0.3 × 1,500 = 450, b's 0.7 × 1,500 = 1,050; budget min(D, U)
    assert (executed.capacity, executed.budget, executed.taken) == (
        1_500 * USDT,
        475 * USDT,
        475 * USDT,
    )
    assert exchange.account_view("b").position is None
    assert exchange.account_view("a").position.lots == 50
    # b bought back 0.7 at 49,000: +700 on its 1,750 margin, minus its 7 USDT maker fee
    assert exchange.account_view("b").wallet == (5_000 - 7 + 700) * USDT


def test_adl_never_closes_more_than_the_bankrupt_remainder():
    exchange, events = adl_stage("30")
    liquidation = only(events, Liquidation)
    settled = only(events, LiquidationSettled)
    adl_lots = sum(e.qty for e in events if type(e) is AutoDeleveraged)
    assert adl_lots == settled.adl_qty == liquidation.qty - settled.book_qty - settled.band_qty


def test_drawdown_policy_stops_the_fund_at_thirty_percent_below_its_peak():
    exchange, events = adl_stage("100", trigger_policy=TriggerPolicy.FUND_DRAWDOWN)
    settled = only(events, LiquidationSettled)
    # the floor is 70 % of the 100 peak: 30 USDT buys 50 lots at 48,400; the 950 left
    # owe 475 at the mark with no room above the floor: all of them go to ADL
    assert (settled.band_qty, settled.adl_qty) == (50, 950)
    assert fund(exchange) == 70 * USDT
    assert only(events, AdlExecuted).reason == "fund_drawdown"


def test_an_exhausted_fund_keeps_what_it_can_absorb_and_deleverages_only_the_rest():
    exchange, events = adl_stage("100")
    # the whole 0.1 BTC bid costs 60: fund 40. The 900 lots held owe 450 at the mark;
    # the fund absorbs 40 of it, so 410 must come from ADL: ⌈410 × 900 / 450⌉ = 820 lots
    executed = only(events, AdlExecuted)
    assert (executed.qty, executed.held_deficit, executed.room, executed.deficit) == (
        820,
        450 * USDT,
        40 * USDT,
        410 * USDT,
    )
    assert [(e.account, e.qty) for e in events if type(e) is AutoDeleveraged] == [
        ("b", 700),
        ("a", 120),
    ]
    # 80 lots stay with the backstop, their 40 of deficit exactly what the fund holds
    view = exchange.market_view()
    assert (view.backstop_long, view.insurance_fund, view.fund_equity) == (80, 40 * USDT, 0)
    assert not [e for e in events if type(e) is LiquidationSettled]


def test_adl_at_the_mark_closes_the_whole_position_and_the_fund_pays_what_it_may():
    at_bankruptcy, _ = adl_stage("300")
    at_mark, events = adl_stage("300", adl_price=AdlPrice.MARK)
    # both: 100 lots at 48,400 cost 60, the fund has 240 and the 900 held owe 450.
    # At bankruptcy: ⌈210 × 900 / 450⌉ = 420 lots close at 49,000; 480 stay held.
    assert at_bankruptcy.market_view().backstop_long == 480
    # At the mark: all 900 close, the fund paying its 240: the price is 49,000 less
    # 240 / 0.9 = 266.67, rounded up to the tick toward the fund: 48,733.4
    fills = [e for e in events if type(e) is AutoDeleveraged]
    assert [(f.account, f.qty, f.price) for f in fills] == [
        ("b", 700, 487_334),
        ("a", 200, 487_334),
    ]
    assert at_mark.market_view().backstop_long == 0
    # 900 × (48,733.4 − 49,000) × 0.0001 = −239.94: the fund keeps 0.06
    assert fund(at_mark) == usdt("0.06")
    # b gives up (48,733.4 − 48,500) per BTC against the mark: 0.7 × 233.4 = 163.38
    assert fills[0].forgone == usdt("163.38")


def test_adl_at_the_mark_with_an_empty_fund_never_takes_the_fund_below_zero():
    exchange, events = adl_stage("0", adl_price=AdlPrice.MARK)
    # nothing to pay with: the whole position closes at the bankruptcy price
    assert {e.price for e in events if type(e) is AutoDeleveraged} == {490_000}
    assert fund(exchange) == 0


def test_takeover_cap_sends_what_the_fund_may_not_hold_to_adl_at_once():
    # the order at bankruptcy sells 0.02 at 49,100 (+2: the fund has 1,002). The fund
    # may hold 100 % of its balance in notional: the 980 lots left are 980 × 49 =
    # 48,020, so ⌈(48,020 − 1,002) / 49⌉ = 960 go to ADL at the take-over. The mark
    # (49,150) is better than bankruptcy, so they close at the mark and the
    # 0.96 × 150 = 144 of surplus is the fund's; no winner gives anything up
    exchange = stage("1000", [("0.02", 49_100)], trigger_policy=TriggerPolicy.TAKEOVER_CAP)
    events = crash_to(exchange, 49_150)
    executed = only(events, AdlExecuted)
    assert (executed.reason, executed.qty, executed.price) == ("takeover_cap", 960, 491_500)
    assert (executed.notional, executed.cap, executed.deficit) == (
        48_020 * USDT,
        1_002 * USDT,
        0,
    )
    assert all(e.forgone == 0 for e in events if type(e) is AutoDeleveraged)
    assert fund(exchange) == 1_146 * USDT
    # the 20 lots kept (980 of notional) stay held until bids return
    assert exchange.market_view().backstop_long == 20


def test_socialized_loss_takes_the_deficit_from_every_winner_in_proportion():
    exchange = stage("30", [("1", 48_400)], loss_policy=LossPolicy.CLAWBACK)
    events = crash_to(exchange, 48_500)
    settled = only(events, LiquidationSettled)
    assert (settled.band_qty, settled.adl_qty) == (1_000, 0)  # all taken to the book
    # the fund paid 600 from its 30: shortfall 570; profits at 48,500: a 450, b 1,050,
    # maker (long 1 at 48,400) 100 → everyone gives up 570/1,600 = 35.625 %
    loss = only(events, SocializedLoss)
    assert (loss.deficit, loss.collected, loss.rate, loss.accounts) == (
        570 * USDT,
        570 * USDT,
        356_250,
        3,
    )
    charged = {e.account: e.amount for e in events if type(e) is SocializedLossCharged}
    assert charged == {"a": usdt("160.3125"), "b": usdt("374.0625"), "maker": usdt("35.625")}
    assert fund(exchange) == 0
    assert exchange.account_view("a").position.lots == 300  # positions stay open
    assert exchange.account_view("a").isolated_margin == usdt("1339.6875")


def test_a_clawback_at_severity_one_half_asks_half_and_leaves_the_rest_as_bad_debt():
    exchange = stage("30", [("1", 48_400)], loss_policy=LossPolicy.CLAWBACK, severity=500_000)
    events = crash_to(exchange, 48_500)
    loss = only(events, SocializedLoss)
    assert (loss.deficit, loss.collected) == (570 * USDT, 285 * USDT)  # θ·D of the same 570
    assert fund(exchange) == -285 * USDT  # the rest is the fund's bad debt
    later = crash_to(exchange, 48_500)  # the next step: what was written off is not asked again
    assert not [e for e in later if type(e) is SocializedLoss]
    assert fund(exchange) == -285 * USDT


def test_a_risk_weighted_clawback_takes_more_of_the_more_levered_winners_profit():
    exchange = stage(
        "30", [("1", 48_400)], loss_policy=LossPolicy.CLAWBACK, haircut=Haircut.RISK_PRO_RATA
    )
    events = crash_to(exchange, 48_500)
    loss = only(events, SocializedLoss)
    assert (loss.deficit, loss.collected) == (570 * USDT, 570 * USDT)  # the same 570
    charged = {e.account: e.amount for e in events if type(e) is SocializedLossCharged}
    profit = {"a": 450 * USDT, "b": 1_050 * USDT, "maker": 100 * USDT}
    share = {account: charged[account] / profit[account] for account in charged}
    # leverage at 48,500: b 33,950 / 2,800 = 12.1; a 14,550 / 1,950 = 7.5; the maker ~0.05
    assert share["b"] > share["a"] > share["maker"]
    assert round(share["b"], 3) == 0.429 and round(share["a"], 3) == 0.264
    assert exchange.account_view("a").position.lots == 300  # positions stay open


@pytest.mark.parametrize(
    "fund_text, bitmex, top_share",
    [
        # the fund pays for 50 lots first: 950 lots at 0.5 USDT each = 475 USDT
        ("30", {"b": 350 * USDT, "a": 125 * USDT}, 350 * 1_000_000 // 475),
        # an empty fund: all 1,000 lots go to ADL, deficit 500 USDT
        ("0", {"b": 350 * USDT, "a": 150 * USDT}, 700_000),
    ],
)
def test_every_counterfactual_split_sums_exactly_to_the_deficit(fund_text, bitmex, top_share):
    exchange, events = adl_stage(fund_text)
    executed = only(events, AdlExecuted)
    counterfactual = exchange.counterfactual(executed.adl_id)
    deficit = executed.deficit
    assert counterfactual.deficit == deficit == sum(bitmex.values())
    splits = {s.policy: s for s in counterfactual.splits}
    assert set(splits) == {
        "bitmex",
        "binance",
        "hyperliquid",
        "random",
        "pro_rata",
        "leverage_first",
        "clawback",
    }
    for split in splits.values():
        assert sum(amount for _, amount in split.haircuts) == deficit, split.policy
    assert dict(splits["bitmex"].haircuts) == bitmex
    assert splits["bitmex"].top_share == top_share
    # the policy in force reports exactly the fills that happened
    fills = {e.account: e.qty for e in events if type(e) is AutoDeleveraged}
    assert dict(splits["bitmex"].sizes) == fills
    # pro-rata and clawback both spread the loss over a (30 %) and b (70 %)
    assert dict(splits["pro_rata"].haircuts) == {"a": deficit * 3 // 10, "b": deficit * 7 // 10}
    assert dict(splits["clawback"].haircuts) == {"a": deficit * 3 // 10, "b": deficit * 7 // 10}


def test_lights_rank_each_side_and_refresh_after_adl():
    exchange, _ = adl_stage("30")
    exchange.advance(exchange.time + 10 * SECOND, 485_000)
    a = exchange.account_view("a").position
    maker = exchange.account_view("maker").position
    assert (a.adl_rank, a.adl_lights) == (1, 1)  # alone on its side: 100 % of it
    assert (maker.adl_rank, maker.adl_lights) == (1, 1)


def test_a_margin_warning_comes_once_when_the_ratio_passes_eighty_percent():
    # equity = MM / 0.8 where 1,000 + (P − 50,000) = 0.005·P: at 49,246.23
    exchange = stage("1000", [("1", 49_100)])
    assert [e for e in crash_to(exchange, 49_247) if type(e) is MarginWarning] == []
    warning = only(crash_to(exchange, 49_246), MarginWarning)
    assert warning.account == "victim" and 800_000 <= warning.ratio < 801_000
    assert [e for e in crash_to(exchange, 49_240) if type(e) is MarginWarning] == []
    crash_to(exchange, 49_500)  # out of the zone, then back in: warned again
    assert only(crash_to(exchange, 49_230), MarginWarning).account == "victim"


def test_stepwise_liquidation_cuts_a_tier_two_position_under_its_floor_and_spares_the_rest():
    # 1.2 BTC long at 50,000 (60,000 notional, tier 2) isolated at 100x: 600 margin,
    # bankrupt at 49,500, liquidated below 49,706.87. At 49,700: equity 240 < MM 248.2.
    instrument = replace(default_instrument(), funding=replace(FundingSettings(), interest=0))
    exchange = Exchange(
        instrument,
        ExchangeConfig(
            market=MarketSettings(mark_policy=MarkPolicy.FAIR, stepwise_liquidation=True),
            insurance_fund=1_000 * USDT,
        ),
    )
    exchange.advance(SECOND, 500_000)
    exchange.open_account("whale", 2_000 * USDT, "isolated", 100)
    exchange.open_account("maker", 1_000_000 * USDT, "cross", 10)
    exchange.submit("maker", "sell", "1.2", "50000")
    exchange.submit("whale", "buy", "1.2", order_type=OrderType.MARKET)
    exchange.submit("maker", "buy", "1", "49600")
    exchange.drain_events()
    events = crash_to(exchange, 49_700)
    liquidation = only(events, Liquidation)
    # keep 1,006 lots (1,006 × 49.7 = 49,998.2 < 50,000): liquidate 194 with 97 of the 600
    assert (liquidation.qty, liquidation.margin_lost) == (194, 97 * USDT)
    settled = only(events, LiquidationSettled)
    assert (settled.book_qty, settled.fund_in) == (194, usdt("19.4"))  # sold at 49,600
    whale = exchange.account_view("whale").position
    # the rest is tier 1 now: equity 503 − 301.8 = 201.2 ≥ MM 199.9928, so it survives
    assert (whale.lots, whale.margin, whale.tier) == (1_006, 503 * USDT, 1)
    assert whale.equity == usdt("201.2") and whale.maintenance == usdt("199.9928")
    assert fund(exchange) == usdt("1019.4")


def test_an_empty_book_is_no_reason_for_adl_the_backstop_holds_until_bids_return():
    # the mark (49,150) is above bankruptcy and the book has no bids: nothing is owed,
    # so nobody is deleveraged; the backstop holds the whole 1 BTC
    exchange = stage("1000", [])
    events = crash_to(exchange, 49_150)
    assert not [e for e in events if type(e) in (AdlExecuted, LiquidationSettled)]
    view = exchange.market_view()
    # fund equity: 1,000 + the held long's 150 of profit over its take-over at 49,000
    assert (view.backstop_long, view.fund_equity) == (1_000, 1_150 * USDT)
    exchange.submit("maker", "buy", "1", "49100", OrderType.LIMIT)
    events = crash_to(exchange, 49_150)
    settled = only(events, LiquidationSettled)
    assert (settled.book_qty, settled.fund_in) == (1_000, 100 * USDT)
    assert fund(exchange) == 1_100 * USDT and exchange.market_view().backstop_long == 0
