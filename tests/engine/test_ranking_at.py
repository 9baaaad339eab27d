"""A side ranked at a given mark (``engine/ranking_at.py``): the queue view's and the
what-if's one ranking, checked against the engine's own ADL and lights."""

from __future__ import annotations

import hashlib
import pickle
import random
from pathlib import Path

import pytest

from engine.adl import Holder, RankingPolicy
from engine.events import AutoDeleveraged
from engine.queue_view import shown
from engine.ranking_at import priced_at, rank_at
from engine.session import Session, start

DELEVERAGED_SCENE = Path(__file__).parents[2] / "tui" / "scenes" / "deleveraged.toml"
ADL_AT = 3  # the step whose gap liquidates L's long, and ADL closes the user's short


def scene(steps: int = 1) -> Session:
    """The user's winning 20x short heads a queue of four shorts (S2, S3, S4)."""
    session = start(str(DELEVERAGED_SCENE))
    for _ in range(steps):
        session.step()
    return session


def state(session: Session) -> str:
    """Everything the exchange holds, as one hash."""
    return hashlib.sha256(pickle.dumps(session.exchange)).hexdigest()


@pytest.mark.parametrize("policy", list(RankingPolicy))
def test_ranked_at_the_live_mark_it_is_the_queue_the_lights_publish(policy):
    session = scene()
    session.configure(ranking=policy.value)
    session.step()  # a new policy is lit at the next step, at that step's mark
    exchange = session.exchange
    for side in (1, -1):
        ranked = rank_at(
            policy, exchange.holders(side), exchange.prices.mark, exchange.instrument, "size"
        )
        for holder, _ in ranked.ordered:
            light = exchange.light(holder.account)
            place = ranked.place(holder.account)
            assert (place.rank, place.lights, place.score, place.share) == (
                light.rank,
                light.lights,
                light.score,
                light.share,
            )


def test_what_if_at_the_next_mark_foretells_the_adl_rank_and_score():
    """One step before the gap, the what-if at the gap's mark ranks the user as the ADL
    then does: first, with the very score."""
    session = scene(ADL_AT - 1)
    before = session.what_if(469_000)  # 46,900.0: the path's next point
    session.step()
    adl = next(e for e in session.drain_events() if type(e) is AutoDeleveraged)  # the first
    assert session.exchange.prices.mark == 469_000
    assert (adl.account, adl.rank) == ("you", before.adl.now.rank) == ("you", 1)
    assert adl.score == before.adl.score == before.adl.now.score


def test_the_queue_view_lists_the_side_in_the_adl_order_with_the_user_marked():
    session = scene()
    queue = session.adl_queue()
    assert (queue.side, queue.policy, queue.length, queue.has_position) == (-1, "bitmex", 4, True)
    assert [row.account for row in queue.rows] == ["you", "S3", "S4", "S2"]
    assert [row.rank for row in queue.rows] == [1, 2, 3, 4]
    assert [row.lights for row in queue.rows] == [5, 3, 2, 1]
    assert [row.you for row in queue.rows] == [True, False, False, False]
    you = queue.rows[0]
    assert (you.lots, you.unrealized, you.equity) == (2000, 4_000 * 10**8, 9_200 * 10**8)
    assert queue.you.rank == 1 and you.published_rank == 1


def test_a_flat_user_sees_the_longs_queue():
    session = start("calm", seed=2)
    for _ in range(30):
        session.step()
    queue = session.adl_queue()
    assert (queue.side, queue.has_position, queue.you) == (1, False, None)
    assert not any(row.you for row in queue.rows)


def test_the_view_keeps_the_head_and_the_users_neighbours_never_the_whole_side():
    assert shown(100_000, 50_000) == [*range(10), *range(49_997, 50_004)]
    assert shown(100_000, None) == list(range(10))
    assert shown(12, 11) == list(range(12))
    assert shown(4, 0) == [0, 1, 2, 3]


def test_what_if_and_the_queue_change_nothing_in_the_exchange():
    session = scene()
    before, events = state(session), len(session.commands)
    for mark in (400_000, 469_000, 530_000, 1):
        session.what_if(mark)
    session.adl_queue()
    assert state(session) == before
    assert len(session.commands) == events and session.exchange.drain_events() == []


def test_binance_scores_each_position_at_the_asked_mark_with_its_maintenance_there():
    session = scene()
    session.configure(ranking="binance")
    exchange = session.exchange
    holders = exchange.holders(-1)
    ranked = rank_at(RankingPolicy.BINANCE, holders, 480_000, exchange.instrument)
    at_live = [priced_at(h, exchange.prices.mark, exchange.instrument) for h in holders]
    assert at_live == holders  # as the exchange builds them at its mark
    lower = {h.account: h.maintenance for h, _ in ranked.ordered}
    assert all(lower[h.account] < h.maintenance for h in holders)  # 48,000 < 50,000


def test_a_venue_without_lights_still_ranks():
    holders = [Holder(f"S{k}", -1, 1000 * k, 1000 * k * 500_000, 10**12, 0, k) for k in (1, 2, 3)]
    ranked = rank_at(RankingPolicy.BITMEX, holders, 480_000, scene().exchange.instrument, "none")
    # the same margin behind more lots: a bankruptcy price nearer, more leverage, first
    assert [ranked.place(h.account).rank for h in holders] == [3, 2, 1]
    assert {ranked.place(h.account).lights for h in holders} == {0}


def test_ranking_a_big_side_is_the_engines_queue_order():
    rng = random.Random(7)
    instrument = scene().exchange.instrument
    holders = []
    for k in range(5_000):
        lots, entry = rng.randint(1, 900), rng.randint(450_000, 550_000)
        margin = lots * entry * 10**4 // rng.choice((2, 10, 50))  # 2x to 50x
        holders.append(Holder(f"c{k:05d}", 1, lots, lots * entry, margin, 0, k))
    ranked = rank_at(RankingPolicy.HYPERLIQUID, holders, 500_000, instrument)
    ranks = [ranked.place(h.account).rank for h, _ in ranked.ordered]
    assert ranks == list(range(1, 5_001))
    assert ranked.index(ranked.ordered[4_321][0].account) == 4_321
    winners = [value for _, value in ranked.ordered if value > 0]
    assert winners == sorted(winners, reverse=True)
