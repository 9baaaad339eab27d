"""A big side's lights, ranked by numpy from columns, are exactly the lights the
reference code publishes: the same rank, lights, score and share for every position,
under each policy numpy ranks, with ties, whales and positions that come and go."""

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import adl
from engine.adl import Holder
from engine.adl_queue import AdlQueue
from engine.column_ranking import COLUMN_POLICIES
from engine.units import MONEY_SCALE

CV = 10_000

positions = st.tuples(
    st.sampled_from([1, -1]),
    st.sampled_from([1, 2, 5, 50]) | st.integers(1, 10**6),  # equal sizes tie
    st.sampled_from([490_000, 500_000, 510_000]) | st.integers(1_000, 2_000_000),
    st.sampled_from([0, 10**10]) | st.integers(-(10**9), 10**13) | st.just(10**12 * MONEY_SCALE),
    st.sampled_from([0, 1, 2]),  # equal open times tie
)


def holder(n: int, side: int, lots: int, entry: int, collateral: int, opened: int) -> Holder:
    return Holder(f"a{n:03d}", side, lots, lots * entry, collateral, 0, opened)


def published(queue: AdlQueue, policy, mark: int, rule: str, accounts) -> dict:
    queue.publish(policy, None, mark, CV, time=0, rule=rule)
    return {account: queue.light(account, side) for account, side in accounts}


@settings(max_examples=300)
@given(
    st.lists(positions, min_size=1, max_size=60),
    st.lists(st.integers(0, 59), max_size=20),  # positions closed again
    st.lists(st.tuples(st.integers(0, 59), positions), max_size=20),  # and changed
    st.integers(1_000, 2_000_000),
    st.sampled_from(COLUMN_POLICIES),
    st.sampled_from(["size", "count"]),
)
def test_numpy_publishes_the_lights_the_reference_code_publishes(
    many, closed, changed, mark, policy, rule
):
    by_numpy, by_python = AdlQueue(1, 0, columns_from=0), AdlQueue(1, 0, columns_from=10**9)
    holders = {n: holder(n, *p) for n, p in enumerate(many)}
    for queue in (by_numpy, by_python):
        for h in holders.values():
            queue.track(h.account, h)
        for n in closed:
            queue.track(f"a{n:03d}", None)
        for n, p in changed:  # in place, or to the other side
            queue.track(f"a{n:03d}", holder(n, *p))
    holders.update((n, holder(n, *p)) for n, p in changed)
    accounts = [(h.account, side) for h in holders.values() for side in (1, -1)]
    assert published(by_numpy, policy, mark, rule, accounts) == published(
        by_python, policy, mark, rule, accounts
    )


def test_a_side_as_big_as_columns_from_is_ranked_by_numpy():
    """Three longs with one score (same entry, margin in proportion to size): the
    largest goes first, then the earlier open, then the name."""
    queue = AdlQueue(1, 0, columns_from=3)
    for n, (lots, opened) in enumerate([(1, 5), (2, 9), (1, 4)]):
        h = holder(n, 1, lots, 500_000, lots * 10**10, opened)
        queue.track(h.account, h)
    queue.publish(COLUMN_POLICIES[0], None, 510_000, CV, time=0)
    assert type(queue._sides[1]).__name__ == "PublishedRows"
    assert [queue.light(f"a{n:03d}", 1).rank for n in range(3)] == [3, 1, 2]


@settings(max_examples=300)
@given(
    st.lists(positions, min_size=1, max_size=60),
    st.lists(st.integers(0, 59), max_size=20),
    st.integers(1_000, 2_000_000),
    st.sampled_from([p for p in COLUMN_POLICIES if adl.walks_by_score(p)]),
)
def test_an_adl_event_gets_the_scores_and_capacity_the_reference_code_gives(
    many, closed, mark, policy
):
    """What an ADL event on a big side walks: the same scores, in the order of the
    tracked positions, and the same capacity U, to the money unit."""
    queue = AdlQueue(1, 0, columns_from=0)
    for n, p in enumerate(many):
        h = holder(n, *p)
        queue.track(h.account, h)
    for n in closed:
        queue.track(f"a{n:03d}", None)
    for side in (1, -1):
        tracked = queue.tracked(side)
        if not tracked:
            continue
        assert queue.scored(policy, side, mark, CV) == adl.scores_and_capacity(
            policy, tracked, mark, CV
        )


def test_a_shipped_crowd_is_ranked_without_numpy():
    """numpy takes a fifth of a second to import: the app's scenarios, with crowds of a
    few hundred, never pay it (their lights refresh every 10 s of market time)."""
    code = (
        "import sys\n"
        "from engine.session import start\n"
        "session = start('flash-crash')\n"
        "for _ in range(25 * 60):\n"
        "    session.step()\n"
        "assert any(session.exchange.light(a) for a in session.exchange.accounts.positions)\n"
        "print('numpy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
