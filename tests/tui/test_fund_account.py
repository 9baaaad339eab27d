"""The liquidation incident adds up: every change of the insurance fund it caused is
named in a step, and the popup's account sums exactly to the fund's change the event
log tells line by line, the cents an ADL at the tick-rounded bankruptcy price leaves
the fund included (before, 0.16 USDT of this scene went unexplained)."""

from __future__ import annotations

import re
from pathlib import Path

import engine.events as ev
from engine.session import start
from tui.app import text
from tui.app.fund_account import fund_account
from tui.app.held_events import held_events
from tui.app.liquidation_story import tell_liquidation
from tui.app.log_lines import Describer

SCENE = Path(__file__).parents[1] / "fixtures" / "scenarios" / "liquidated-between-ticks.toml"
FIGURE = r"[+-][\d,]+\.\d\d"


def played() -> tuple[list[ev.Event], object]:
    session = start(str(SCENE), None)
    events: list[ev.Event] = []
    while not session.finished:
        session.step()
        events += session.drain_events()
    return events, session.exchange.instrument


def test_the_popups_fund_figures_sum_to_the_logs_fund_change():
    events, instrument = played()
    liquidation = next(e for e in events if type(e) is ev.Liquidation and e.account == "you")
    told = held_events(events, liquidation.held, "you")
    changes = [e for e in told if type(e) is ev.InsuranceFundChanged]
    log = [
        line.text
        for line in Describer(instrument, "you").lines(changes)
        if line.text.startswith("insurance fund")
    ]
    logged = [re.search(FIGURE, line).group(0) for line in log]
    assert logged == [text.signed_money(e.delta) for e in changes]  # the log, line by line

    account = fund_account(told)
    assert account.total == sum(e.delta for e in changes)  # exact, to 1e-8 USDT
    assert account.adl > 0 and account.book < 0  # the ADL's cents: the unnamed movement

    incident = tell_liquidation(told, instrument)
    *steps, settled, summary = incident.steps
    named = [m for step in steps for m in re.findall(rf"fund ({FIGURE})", step)]
    assert named == logged  # each fund line of the log has its step in the popup
    assert summary == (
        f"The fund: {text.signed_money(account.book)} from the backstop's fills, "
        f"{text.signed_money(account.adl)} from closing by ADL at the ADL price (against the "
        f"take-over price): {text.signed_money(account.total)} USDT in all."
    )
    assert settled.endswith(f"paid {text.money(-account.book)} USDT.")  # the book's part
