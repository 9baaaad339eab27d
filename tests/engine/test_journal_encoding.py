"""The journal's rows are written by msgspec now, byte for byte as ``json`` wrote them:
a journal's bytes depend on its inputs only, never on the encoder or the machine."""

import json
import math

from hypothesis import given
from hypothesis import strategies as st

from engine.events import AutoDeleveraged, Deposit, OrderRejected
from engine.journal import _Encoder, encode
from engine.scenario import load_scenario
from engine.simulation import Simulation
from engine.units import MINUTE


def as_json_wrote_it(events) -> str:
    return json.dumps(encode(events), separators=(",", ":"), ensure_ascii=False)[1:-1]


def test_a_crash_is_written_as_json_wrote_it():
    simulation = Simulation(load_scenario("flash-crash"), seed=3, duration=25 * MINUTE)
    encoder, kinds = _Encoder(), set()
    while simulation.step():
        events = simulation.exchange.drain_events()
        kinds.update(e.kind for e in events)
        assert encoder.text(events) == as_json_wrote_it(events)
    assert {"adl", "adl_executed", "liquidation", "trade"} <= kinds  # floats, ints, text


@given(
    st.floats(allow_nan=False) | st.sampled_from([math.inf, -math.inf, 1e16, -0.0, 5e-324]),
    st.text(),
)
def test_floats_and_any_text_keep_their_spelling(score, name):
    events = [
        Deposit(1, name, 10**30),
        AutoDeleveraged(2, name, "b", 1, -1, 3, 500_000, 500_100, 1, score, -5, "bitmex"),
        OrderRejected(3, "you", name),
    ]
    assert _Encoder().text(events) == as_json_wrote_it(events)
