"""Identifiers in words: every policy choice and order type has a few words for the
header and the log, and the palette keeps the identifier a user types beside them."""

from __future__ import annotations

from engine.instrument import default_instrument
from engine.orders import OrderType
from engine.policies import POLICIES
from engine.views import OrderView
from tui.app.commands import commands
from tui.app.order_words import ORDER_TYPES
from tui.app.policy_words import SHORT, WORDS
from tui.app.widgets.positions import order_cells

from .helpers import drive, paused_app


def test_every_choice_and_order_type_has_its_words():
    for policy in POLICIES:
        assert set(SHORT[policy.field]) == set(policy.names), policy.field
    assert set(ORDER_TYPES) == {t.value for t in OrderType}
    assert "_" not in "".join(ORDER_TYPES.values()) + "".join(
        w for words in SHORT.values() for w in words.values()
    )


def test_the_palette_names_the_identifier_and_says_it_in_words():
    app = paused_app(steps=2)

    async def script(pilot):
        found = {title: help_text for title, help_text, _ in commands(app)}
        assert found["ADL trigger: fund_drawdown"] == WORDS["trigger_policy"]["fund_drawdown"]
        assert found["ADL ranking: bitmex"].endswith("(in force)")

    drive(app, script)


def test_the_log_says_an_order_type_in_words():
    import engine.events as ev
    from engine.instrument import load_instrument
    from tui.app.log_lines import Describer

    words = Describer(load_instrument(), "you")
    accepted = ev.OrderAccepted(0, "you", 3, 1, "post_only", 10, 500_000)
    assert "buy 0.010 post-only @ 50,000.0" in words.line(accepted).text


def test_the_open_orders_list_says_the_order_type_in_words():
    stop = OrderView(7, -1, "stop_market", 1_000, None, True, trigger=480_000)
    cells = order_cells(stop, default_instrument())
    assert cells[2] == "stop-market" and cells[5] == "48,000.0"
