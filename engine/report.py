"""A run's summary: what happened to prices, the fund, liquidations and ADL.

Built from the events as they are drained, plus the exchange's own views at the
end; every amount leaves as an exact decimal string, never a float.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from engine.events import AdlExecuted, AutoDeleveraged, Event
from engine.feeds.replay_formats import iso as iso_time
from engine.side import position
from engine.simulation import Simulation
from engine.units import SECOND, format_money


class _Range:
    __slots__ = ("first", "last", "low", "high")

    def __init__(self) -> None:
        self.first = self.last = self.low = self.high = None

    def add(self, value: int) -> None:
        if self.first is None:
            self.first = self.low = self.high = value
        self.last = value
        self.low = min(self.low, value)
        self.high = max(self.high, value)


class RunReport:
    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        self.counts: Counter[str] = Counter()
        self.index = _Range()
        self.mark = _Range()
        exchange = simulation.exchange
        self.fund_start = exchange.ledger_totals().insurance_fund
        self.fund_low = self.fund_start
        self.adl: list[dict[str, Any]] = []
        self.deleveraged: set[str] = set()  # accounts ever hit by ADL
        self.given_up = 0  # profit the ADL fills gave up against the mark

    def __call__(self, step: int, time: int, command: dict | None, events: list[Event]) -> None:
        """As a ``Session`` listener: observe every step and command."""
        self.observe(events)

    def observe(self, events: list[Event]) -> None:
        """Take one step's events (call after every step)."""
        exchange = self.simulation.exchange
        self.counts.update(e.kind for e in events)
        if self.simulation.steps and exchange.prices.index:
            self.index.add(exchange.prices.index)
            self.mark.add(exchange.prices.mark)
        self.fund_low = min(self.fund_low, exchange.fund.balance)
        instrument = exchange.instrument
        for e in events:
            if type(e) is AutoDeleveraged:
                self.deleveraged.add(e.account)
                self.given_up += e.forgone
            if type(e) is AdlExecuted:
                self.adl.append(
                    {
                        "time": iso_time(e.time),
                        "side": position(e.side),
                        "qty": instrument.qty_text(e.qty),
                        "price": instrument.price_text(e.price),
                        "mark": instrument.price_text(e.mark),
                        "counterparties": e.counterparties,
                        "reason": e.reason,
                        "deficit": format_money(e.deficit),
                        "fund_before": format_money(e.fund_before),
                    }
                )

    def summary(self) -> dict[str, Any]:
        sim, exchange = self.simulation, self.simulation.exchange
        instrument = exchange.instrument
        totals = exchange.ledger_totals()
        return {
            "scenario": sim.scenario.name,
            "seed": sim.seed,
            "steps": sim.steps,
            "sim_seconds": (exchange.time - sim.start_time) // SECOND,
            "events": dict(sorted(self.counts.items())),
            "index": self._prices(self.index),
            "mark": self._prices(self.mark),
            "insurance_fund": {
                "start": format_money(self.fund_start),
                "end": format_money(totals.insurance_fund),
                "min": format_money(self.fund_low),
                "total_in": format_money(exchange.fund.total_in),
                "total_out": format_money(exchange.fund.total_out),
            },
            "adl": self.adl,
            "adl_by_reason": dict(sorted(Counter(a["reason"] for a in self.adl).items())),
            "adl_accounts_hit": len(self.deleveraged),
            "adl_profit_given_up": format_money(self.given_up),
            "ledger": {
                "deposits": format_money(totals.deposits),
                "withdrawals": format_money(totals.withdrawals),
                "wallets": format_money(totals.wallets),
                "unrealized": format_money(totals.unrealized),
                "insurance_fund": format_money(totals.insurance_fund),
                "fees": format_money(totals.fees),
            },
            "accounts": [
                {
                    "id": view.id,
                    "wallet": format_money(view.wallet),
                    "qty": instrument.qty_text(view.position.side * view.position.lots)
                    if view.position
                    else instrument.qty_text(0),
                    "cost": format_money(view.position.cost * instrument.contract_value)
                    if view.position
                    else format_money(0),
                    "mode": view.mode,
                }
                for view in (exchange.account_view(a) for a in sorted(exchange.accounts))
            ],
            "invariants": exchange.check_invariants(),
        }

    def _prices(self, values: _Range) -> dict[str, str | None]:
        text = self.simulation.exchange.instrument.price_text
        return {
            key: None if value is None else text(value)
            for key, value in (
                ("first", values.first),
                ("last", values.last),
                ("min", values.low),
                ("max", values.high),
            )
        }
