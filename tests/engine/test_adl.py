"""ADL ranking policies, lights and allocation on fixed positions, computed by hand.

Four shorts at a mark of 50,000 (ticks of 0.1, lots of 0.001 BTC, cv = 0.0001 USDT):

====  ======  ======  ==========  =====  ======  =====  ===  =========
name  size    entry   collateral  uPnL   equity  N      MM   P_bk
====  ======  ======  ==========  =====  ======  =====  ===  =========
h1    0.1     52,000  1,040       200    1,240   5,000  20   62,400
h2    0.2     51,000  408         200    608     10,000 40   53,040
h3    0.05    55,000  300         250    550     2,500  10   61,000
h4    0.1     49,000  490         −100   390     5,000  20   53,900
====  ======  ======  ==========  =====  ======  =====  ===  =========
"""

import random

from hypothesis import given
from hypothesis import strategies as st

from engine import adl
from engine.adl import Holder, RankingPolicy
from engine.adl_queue import AdlQueue, LightView
from engine.units import MONEY_SCALE, PPM

USDT = MONEY_SCALE
CV = 10_000
MARK = 500_000


def short(name, lots, entry, collateral, mm, opened_at=0):
    return Holder(name, -1, lots, lots * entry * 10, collateral * USDT, mm * USDT, opened_at)


SHORTS = [
    short("h1", 100, 52_000, 1_040, 20),
    short("h2", 200, 51_000, 408, 40),
    short("h3", 50, 55_000, 300, 10),
    short("h4", 100, 49_000, 490, 20),
]


def order(policy, holders=SHORTS, start=0):
    return [h.account for h, _ in adl.queue(policy, holders, MARK, CV, start)]


def test_bitmex_ranks_by_pnl_percent_times_effective_leverage():
    # PnL% × mark/|mark − P_bk|: h3 0.0909×4.545 = 0.413, h2 0.0196×16.45 = 0.322,
    # h1 0.0385×4.03 = 0.155; h4 loses: −0.0204 / 12.82 = −0.0016
    assert order(RankingPolicy.BITMEX) == ["h3", "h2", "h1", "h4"]
    scores = dict(
        zip(
            ["h3", "h2", "h1", "h4"],
            [s for _, s in adl.queue(RankingPolicy.BITMEX, SHORTS, MARK, CV)],
            strict=True,
        )
    )
    assert round(scores["h3"], 4) == 0.4132 and round(scores["h4"], 6) == -0.001592


def test_binance_ranks_by_profit_on_wallet_times_margin_ratio():
    # h2 200/408 × 40/608 = 0.0323, h3 250/300 × 10/550 = 0.0152, h1 200/1040 × 20/1240
    # = 0.0031, h4 no profit: 0
    assert order(RankingPolicy.BINANCE) == ["h2", "h3", "h1", "h4"]


def test_hyperliquid_ranks_winners_by_price_ratio_times_leverage_and_losers_after():
    # (entry/mark) × N/equity: h2 1.02×16.45 = 16.78, h3 1.1×4.545 = 5.0,
    # h1 1.04×4.03 = 4.19; h4 is losing (0.98): Hyperliquid ranks users in profit, so it
    # comes after every winner, however high its leverage (12.82)
    assert order(RankingPolicy.HYPERLIQUID) == ["h2", "h3", "h1", "h4"]


def test_leverage_first_ranks_winners_by_leverage_then_the_losers():
    # h2 16.4x, h3 4.5x, h1 4.0x are in profit; h4 (12.8x) is losing: it comes last
    assert order(RankingPolicy.LEVERAGE_FIRST) == ["h2", "h3", "h1", "h4"]


def test_random_rotates_the_winners_account_order_from_a_seeded_start():
    # winners h1, h2, h3 in account order, rotated to the third; the losing h4 last
    assert order(RankingPolicy.RANDOM, start=2) == ["h3", "h1", "h2", "h4"]


def test_ties_go_to_the_larger_then_the_older_position():
    twins = [
        short("late", 100, 52_000, 1_040, 20, opened_at=5),
        short("early", 100, 52_000, 1_040, 20, opened_at=1),
        short("big", 200, 52_000, 2_080, 40, opened_at=9),
    ]
    assert order(RankingPolicy.BITMEX, twins) == ["big", "early", "late"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from([100, 200]),  # few sizes, entries and opening times: many ties
            st.sampled_from([49_000, 52_000, 55_000]),
            st.integers(0, 2),
        ),
        max_size=40,
    ),
    st.sampled_from([RankingPolicy.BITMEX, RankingPolicy.PRO_RATA, RankingPolicy.HYPERLIQUID]),
)
def test_the_queue_is_the_sort_by_score_then_size_then_age_then_name(positions, policy):
    """The queue sorts scores alone and re-sorts runs of equal scores by the tie-breaks:
    the same order as one sort of (−score, −size, opened, name)."""
    holders = [
        short(f"p{n:02d}", lots, entry, lots * entry // 5_000, 1, opened)
        for n, (lots, entry, opened) in enumerate(positions)
    ]
    by_hand = sorted(
        holders, key=lambda h: (-adl.score(policy, h, MARK, CV), -h.lots, h.opened_at, h.account)
    )
    assert order(policy, holders) == [h.account for h in by_hand]


def ranked_by_size(sizes):
    return [(short(f"p{i}", lots, 50_000, 100, 1), float(-i)) for i, lots in enumerate(sizes)]


def test_lights_follow_the_cumulative_share_of_the_queue():
    # shares 10, 30, 60, 70, 80, 100 % → rounded up to 20, 40, 60, 80, 80, 100 → 5,4,3,2,2,1
    marks = adl.lights(RankingPolicy.BITMEX, ranked_by_size([10, 20, 30, 10, 10, 20]))
    assert [marks[f"p{i}"][1] for i in range(6)] == [5, 4, 3, 2, 2, 1]
    assert [marks[f"p{i}"][0] for i in range(6)] == [1, 2, 3, 4, 5, 6]
    assert adl.lights(RankingPolicy.BITMEX, []) == {}


def test_pro_rata_lights_show_the_group_not_a_place_in_line():
    ordered = adl.queue(RankingPolicy.PRO_RATA, SHORTS, MARK, CV)
    marks = adl.lights(RankingPolicy.PRO_RATA, ordered)
    # winners h1, h2, h3 hold 350 of 450 lots (78 % → 80 %): 2 lights; h4 then 100 %: 1
    assert {name: marks[name][1] for name in marks} == {"h1": 2, "h2": 2, "h3": 2, "h4": 1}


def test_queue_allocation_fills_in_rank_order():
    taken = adl.allocate(RankingPolicy.BITMEX, SHORTS, 120, MARK, CV, MARK, random.Random(0))
    assert [(h.account, lots, rank) for h, lots, rank, _ in taken] == [("h3", 50, 1), ("h2", 70, 2)]


def test_pro_rata_takes_the_same_fraction_from_every_winner():
    taken = adl.allocate(RankingPolicy.PRO_RATA, SHORTS, 70, MARK, CV, MARK, random.Random(0))
    # 70 of the winners' 350 lots: 20 % each of h1 (100), h2 (200), h3 (50)
    assert {h.account: lots for h, lots, _, _ in taken} == {"h1": 20, "h2": 40, "h3": 10}


def test_leverage_first_water_fills_the_most_leveraged_down_to_a_common_level():
    taken = adl.allocate(
        RankingPolicy.LEVERAGE_FIRST, SHORTS, 100, MARK, CV, MARK, random.Random(0)
    )
    # the losing h4 (12.8x) waits while winners remain; among them h2 (16.4x) cut by
    # 100 lots keeps 5,000 USDT of notional on 608 of equity: 8.2x, still above h3's
    # 4.5x, so h2 alone gives all 100
    assert {h.account: lots for h, lots, _, _ in taken} == {"h2": 100}
    more = adl.allocate(RankingPolicy.LEVERAGE_FIRST, SHORTS, 300, MARK, CV, MARK, random.Random(0))
    # 350 winner lots cover 300: h4 is still untouched
    assert "h4" not in {h.account for h, _, _, _ in more}


def test_random_skips_accounts_the_fill_would_make_bankrupt():
    # at an ADL price of 62,000 h2 (bankrupt at 53,040) would be wiped out; h1 survives
    taken = adl.allocate(RankingPolicy.RANDOM, SHORTS[:2], 100, MARK, CV, 620_000, random.Random(1))
    assert [h.account for h, _, _, _ in taken] == ["h1"]


def test_split_exact_sums_to_the_total_and_respects_caps():
    assert adl.split_exact(10, [1, 1, 1]) == [4, 3, 3]
    assert adl.split_exact(7, [0.5, 0.25, 0.25]) == [3, 2, 2]  # remainders .5, .75, .75
    assert adl.split_exact(10, [5, 5], caps=[2, 100]) == [2, 8]
    assert sum(adl.split_exact(10**9 + 7, [3, 7, 11, 13])) == 10**9 + 7


holders = st.builds(
    lambda side, lots, entry, collateral, mm: Holder(
        "h", side, lots, lots * entry, collateral, mm, 0
    ),
    st.sampled_from([1, -1]),
    st.integers(1, 10_000),
    st.integers(1_000, 2_000_000),
    st.integers(0, 10**13),
    st.integers(0, 10**11),
)


@given(
    st.lists(holders, min_size=1, max_size=20),
    st.integers(1_000, 2_000_000),
    st.sampled_from(list(RankingPolicy)),
)
def test_the_fast_scores_are_the_scores(many, mark, policy):
    fast = adl.scores(policy, many, mark, CV)
    slow = [adl.score(policy, h, mark, CV) for h in many]
    assert fast == slow


@given(
    st.lists(holders, min_size=1, max_size=30),
    st.integers(1_000, 2_000_000),
    st.sampled_from(list(RankingPolicy)),
    st.sampled_from(["size", "count", "none"]),
)
def test_the_published_lights_are_the_lights_of_the_queue(many, mark, policy, rule):
    """What the exchange publishes (compact, worked out when asked) is ``adl.lights``."""
    many = [h._replace(account=f"a{n}", opened_at=n % 3) for n, h in enumerate(many)]
    queue = AdlQueue(every=1, start=0)
    sides = {side: [h for h in many if h.side == side] for side in (1, -1)}
    queue.publish(policy, sides, mark, CV, time=0, rule=rule)
    for side, holders_of_side in sides.items():
        ordered = adl.queue(policy, holders_of_side, mark, CV)
        expected = adl.lights(policy, ordered, rule)
        total = len(ordered) if rule == "count" else sum(h.lots for h in holders_of_side)
        for h in holders_of_side:
            light = queue.light(h.account, side)
            if h.account not in expected:
                assert light is None
                continue
            rank, lit, score, cumulative = expected[h.account]
            assert light == LightView(rank, lit, score, cumulative * PPM // total)
