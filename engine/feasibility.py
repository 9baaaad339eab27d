"""Refuse a market that can never trade, before it runs for nothing.

A scenario can be valid key by key and still describe a market where no order ever
fills: nobody quotes, or one lot costs more margin than any trader holds, or the
price is beyond what the grid can step through. Such a run would print a summary of
zeros after minutes of work; the user gets the reason instead, naming the key to
change.
"""

from __future__ import annotations

from engine.datafile import DataFileError
from engine.instrument import Instrument
from engine.scenario import Scenario
from engine.units import ceil_div

MAX_TICKS = 2**53  # the random walk steps in floats: beyond this not every tick is reachable


def check_tradable(scenario: Scenario, instrument: Instrument, start_ticks: int) -> None:
    """Raise ``DataFileError`` naming the setting that makes trading impossible."""
    where = scenario.path
    if start_ticks > MAX_TICKS:
        raise DataFileError(
            f"{where}: the start price {instrument.price_text(start_ticks)} is more than 2^53 "
            f"ticks of {instrument.tick_size}: beyond the grid a price can step through"
        )
    if scenario.accounts:
        return  # declared traders bring their own orders and positions
    population = scenario.population
    if population.makers.count == 0:
        raise DataFileError(
            f"{where}: population.makers.count is 0: nobody quotes, so no order could "
            "ever fill (add makers, or declare [[accounts]] with resting orders)"
        )
    margin = one_lot_margin(instrument, start_ticks)
    lot = f"one lot ({instrument.lot_size} at {instrument.price_text(start_ticks)})"
    if margin > population.makers.balance:
        raise DataFileError(
            f"{where}: {lot} needs {instrument.money_text(margin)} of margin, more than a "
            "market maker's balance: nobody could quote (lower instrument.lot_size)"
        )
    richest = max(_taker_balances(scenario))
    if margin > richest:
        raise DataFileError(
            f"{where}: {lot} needs {instrument.money_text(margin)} of margin, more than any "
            f"trader's balance (at most {instrument.money_text(richest)}): nobody could "
            "trade (lower instrument.lot_size)"
        )


def one_lot_margin(instrument: Instrument, ticks: int) -> int:
    """The least initial margin one lot can be opened with: at its tier's top leverage."""
    notional = instrument.notional(1, ticks)
    return ceil_div(notional, instrument.tier_for(notional).max_leverage)


def _taker_balances(scenario: Scenario) -> list[int]:
    """What each kind of trader that crosses the book can put up as margin."""
    population = scenario.population
    crowd = population.crowd  # a crowd trader puts up only part of its balance
    return [scenario.user.balance] + [
        margin
        for count, margin in (
            (population.noise.count, population.noise.balance),
            (population.momentum.count, population.momentum.balance),
            (crowd.count, int(crowd.balance * crowd.margin_fraction)),
        )
        if count
    ]
