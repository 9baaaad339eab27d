"""The policy lab's allocations against numbers worked by hand (ADL-POLICIES.md), and
their promises over random winners: exact budget, never beyond capacity, min-max the
least largest haircut."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import allocation as alloc
from engine.allocation import Winner
from engine.split import ORDERED, UNORDERED, Options, split
from engine.units import MONEY_SCALE

# -- Chitra 2025 §2.4, in profit space -----------------------------------------------------

EQUITY = (10, 5, 1, -3, -12)
PROFIT = (8, 4, Fraction(1, 2), -3, -12)


def usd(amount) -> int:
    return int(Fraction(amount) * MONEY_SCALE)


def chitra_winners() -> list[Winner]:
    return [
        Winner(str(i), usd(p), usd(e))
        for i, (e, p) in enumerate(zip(EQUITY, PROFIT, strict=True), start=1)
        if p > 0
    ]


def chitra_deficit() -> int:
    return sum(usd(-e) for e in EQUITY if e < 0)


def test_the_deficit_capacity_and_budget_of_the_worked_example():
    result = split(chitra_winners(), chitra_deficit(), Fraction(1, 2), "pnl_pro_rata")
    assert result.metrics.deficit == usd(15)
    assert result.metrics.capacity == usd(Fraction(25, 2))
    assert result.metrics.budget == usd(Fraction(15, 2))


def test_the_queue_takes_three_and_a_half_then_four():
    result = split(chitra_winners(), chitra_deficit(), Fraction(1, 2), "queue", order=[1, 0, 2])
    taken = dict(zip((w.account for w in result.winners), result.allocation.taken, strict=True))
    assert taken == {"2": usd(4), "1": usd(Fraction(7, 2)), "3": 0}
    assert result.metrics.largest_haircut == 1
    haircuts = {
        w.account: Fraction(x, w.profit)
        for w, x in zip(result.winners, result.allocation.taken, strict=True)
    }
    assert haircuts == {"1": Fraction(7, 16), "2": 1, "3": 0}  # 0.4375, 1, 0
    assert result.metrics.top_survivor == usd(Fraction(9, 2))
    assert result.metrics.inversions == 1  # account 2 ends below account 3


def test_profit_pro_rata_takes_six_tenths_of_every_profit_and_is_the_min_max():
    for policy in ("pnl_pro_rata", "min_max"):
        result = split(chitra_winners(), chitra_deficit(), Fraction(1, 2), policy)
        assert result.allocation.taken == (usd("4.8"), usd("2.4"), usd("0.3")), policy
        assert result.metrics.largest_haircut == Fraction(3, 5)
        assert result.metrics.top_survivor == usd("3.2")
        assert result.metrics.inversions == 0
        assert result.metrics.overshoot == result.metrics.undershoot == 0


# -- leverage water-filling (Campbell, Hey, Moallemi, Nutz) --------------------------------

NOTIONALS, EQUITIES = (100, 50, 30, 20), (5, 5, 10, 10)


def test_draining_forty_cuts_only_the_most_levered_to_twelve():
    left = alloc.drain(NOTIONALS, EQUITIES, 40)
    assert left == [60, 50, 30, 20]
    assert left[0] / EQUITIES[0] == 12


def test_draining_seventy_cuts_sixty_and_ten_to_leverage_eight():
    left = alloc.drain(NOTIONALS, EQUITIES, 70)
    assert [n - m for n, m in zip(NOTIONALS, left, strict=True)] == [60, 10, 0, 0]
    assert left[0] / EQUITIES[0] == left[1] / EQUITIES[1] == 8


def test_draining_forty_then_thirty_is_draining_seventy():
    once = alloc.drain(NOTIONALS, EQUITIES, 40)
    assert alloc.drain(once, EQUITIES, 30) == alloc.drain(NOTIONALS, EQUITIES, 70)


# -- properties over random winners --------------------------------------------------------

winner_rows = st.lists(
    st.tuples(
        st.integers(1, 10**6),  # lots
        st.integers(1, 5000),  # profit per lot
        st.integers(0, 10**9),  # margin
        st.integers(1, 10**5),  # price per lot (notional)
    ),
    min_size=1,
    max_size=12,
)


def make_winners(rows, money_grid: bool) -> list[Winner]:
    return [
        Winner(
            f"a{i}",
            lots * per_lot,
            margin + lots * per_lot,
            lots * price,
            0 if money_grid else lots,
        )
        for i, (lots, per_lot, margin, price) in enumerate(rows)
    ]


@settings(max_examples=150, deadline=None)
@given(winner_rows, st.fractions(0, 1), st.integers(0, 10**12), st.booleans())
def test_every_policy_takes_its_budget_exactly_within_each_capacity(rows, theta, deficit, money):
    winners = make_winners(rows, money)
    splits = {
        policy: split(winners, deficit, theta, policy, Options()) for policy in ORDERED + UNORDERED
    }
    for policy, result in splits.items():
        budget = alloc.budget(deficit, sum(w.profit for w in winners), theta)
        allocation = result.allocation
        assert all(
            0 <= x <= w.profit for w, x in zip(result.winners, allocation.taken, strict=True)
        ), policy
        if policy == "capped_pro_rata":  # its caps may bind before the budget
            caps = sum(  # half of each one's profit, in whole lots
                w.on_grid(w.lots_within(min(w.profit, w.profit // 2, w.equity))) for w in winners
            )
            assert allocation.total == min(budget, caps)
            assert result.metrics.budget == budget  # what it did not take is undershoot
            assert result.metrics.undershoot == budget - allocation.total
        elif policy == "clawback":  # the whole deficit, positions left open: no grid
            assert allocation.total == min(deficit, sum(w.profit for w in winners))
            continue
        else:
            assert allocation.total == budget, policy
        off_grid = [
            w.account
            for w, x, k in zip(result.winners, allocation.taken, allocation.lots, strict=True)
            if x != w.on_grid(k)
        ]
        assert len(off_grid) <= 1 and off_grid == ([allocation.residual] if off_grid else []), (
            policy
        )
    least = splits["min_max"].metrics.largest_haircut
    for policy, result in splits.items():
        if result.allocation.total == splits["min_max"].allocation.total:
            assert least <= result.metrics.largest_haircut, policy


@settings(max_examples=100, deadline=None)
@given(winner_rows, st.integers(0, 10**12))
def test_the_venue_queue_covers_the_deficit_with_whole_positions(rows, deficit):
    winners = make_winners(rows, money_grid=False)
    result = split(winners, deficit, "queue", "queue")
    budget = min(deficit, sum(w.profit for w in winners))
    assert result.metrics.taken >= budget
    closed = [k for k in result.allocation.lots if k]
    assert all(
        k == w.grid for w, k in zip(result.winners, result.allocation.lots, strict=True) if k
    )
    if closed:  # the last position closed was needed: without it, short of the budget
        assert result.metrics.taken - result.allocation.taken[len(closed) - 1] < budget


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 10**6), st.integers(-10, 10**4)), min_size=1, max_size=8),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
)
def test_draining_is_path_independent(rows, first, second):
    notionals = [n for n, _ in rows]
    equities = [e for _, e in rows]
    total = sum(notionals)
    first, second = min(first, total), min(second, total - min(first, total))
    once = alloc.drain(notionals, equities, first)
    assert alloc.drain(once, equities, second) == alloc.drain(notionals, equities, first + second)
    assert sum(notionals) - sum(alloc.drain(notionals, equities, first + second)) == first + second


def test_inversions_count_pairs_the_haircut_reverses():
    from engine.split_metrics import inversions

    assert inversions([8, 4, 1], [0, 4, 0]) == 1
    assert inversions([8, 4, 1], [8, 4, 1]) == 0  # all to zero: ties, not reversals
    assert inversions([3, 2, 1], [3, 2, 0]) == 2  # 1 keeps 1, above 3's and 2's 0
    assert inversions([5, 5], [5, 0]) == 0  # equal profits are never a pair
