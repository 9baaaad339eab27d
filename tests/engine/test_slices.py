"""Work in slices gives exactly what the work in one piece gives (``engine/slices.py``)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from engine.slices import finish, in_pieces


@given(st.integers(0, 50), st.integers(1, 7))
def test_a_list_in_pieces_is_the_list(count, size):
    assert finish(in_pieces(lambda a, b: range(a, b), count, size)) == list(range(count))


def test_a_journal_written_in_slices_is_the_same_bytes(tmp_path):
    """The app writes a crash step's line in pieces; the file must be what one write
    gives, or ``verify`` and ``--resume`` would read another run."""
    from engine.journal import JournalWriter, header_for
    from engine.scenario import load_scenario
    from engine.session import Session
    from engine.simulation import Simulation
    from engine.units import MINUTE

    def journal(name: str, size: int | None) -> bytes:
        simulation = Simulation(load_scenario("thin-fund"), duration=20 * MINUTE)
        writer = JournalWriter(tmp_path / name, header_for(simulation))
        if size is not None:  # a listener without ``recording``: the session calls it whole
            whole = writer.recording
            writer = _Sliced(lambda *args: whole(*args, size=size), writer)
        session = Session(simulation, [writer])
        session.submit("buy", "0.5", order_type="market")
        while not session.finished:
            for _ in session.stepping():
                pass
        writer.close()
        return (tmp_path / name).read_bytes()

    assert journal("sliced.jsonl", size=3) == journal("whole.jsonl", size=None)


class _Sliced:
    """A journal whose ``recording`` encodes three events a piece."""

    def __init__(self, recording, writer) -> None:
        self.recording, self._writer = recording, writer

    def __call__(self, *args) -> None:
        self._writer(*args)

    def close(self) -> None:
        self._writer.close()
