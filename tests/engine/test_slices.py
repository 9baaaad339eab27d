"""Work in slices gives exactly what the work in one piece gives (``engine/slices.py``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.slices import finish, in_pieces, sorted_in_pieces

keys = st.lists(st.tuples(st.floats(allow_nan=False), st.integers(-3, 3), st.text(max_size=3)))


@given(keys, st.integers(1, 7))
def test_a_sort_in_pieces_is_the_sort(items, size):
    assert finish(sorted_in_pieces(items, size)) == sorted(items)


@given(keys, st.integers(1, 7))
def test_a_sort_in_pieces_pauses_between_pieces(items, size):
    slices = sum(1 for _ in sorted_in_pieces(items, size))
    assert slices == 2 * -(-len(items) // size)  # one per run sorted, one per run merged


@given(st.integers(0, 50), st.integers(1, 7))
def test_a_list_in_pieces_is_the_list(count, size):
    assert finish(in_pieces(lambda a, b: range(a, b), count, size)) == list(range(count))
