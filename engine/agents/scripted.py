"""The declared traders of a scripted scenario (``[[accounts]]``).

Before the first step they are opened with their balances, their positions (as if
opened before the run) and their orders marked ``at = "0s"``; later orders go in
when the run reaches their time. A refusal at set-up (a size off the lot grid, an
order the account cannot afford) is the scenario file's mistake and names it.
"""

from __future__ import annotations

from engine.datafile import DataFileError
from engine.events import OrderRejected
from engine.exchange import Exchange
from engine.instrument import Instrument
from engine.scripted import AccountSpec, OrderSpec
from engine.units import UnitError

from .base import MarketState


class ScriptedTraders:
    def __init__(self, accounts: tuple[AccountSpec, ...], start_time: int, source: str) -> None:
        self.accounts = accounts
        self.start_time = start_time
        self.source = source  # the scenario file, for a refusal
        later = [(o.at, n, spec.id, o) for spec in accounts for n, o in enumerate(spec.orders)]
        self._due = sorted((e for e in later if e[0] > 0), key=lambda e: (e[0], e[1]))

    def setup(self, exchange: Exchange) -> None:
        instrument = exchange.instrument
        for spec in self.accounts:
            opened = exchange.open_account(spec.id, spec.balance, spec.mode, spec.leverage)
            if type(opened) is OrderRejected:
                raise DataFileError(f"{spec.where}: {opened.reason}")
        declared = [
            (spec.id, spec.position.side, *_grid(instrument, spec))
            for spec in self.accounts
            if spec.position is not None
        ]
        try:
            exchange.seed_positions(declared)
        except ValueError as error:
            raise DataFileError(f"{self.source}: accounts: {error}") from None
        for spec in self.accounts:
            for order in spec.orders:
                if order.at == 0:
                    placed = _place(exchange, spec.id, order)
                    if type(placed) is OrderRejected:
                        raise DataFileError(f"{order.where}: refused: {placed.reason}")

    def act(self, state: MarketState, exchange: Exchange) -> None:
        due = self._due
        while due and self.start_time + due[0][0] <= state.time:
            _, _, account, order = due.pop(0)
            _place(exchange, account, order)


def _grid(instrument: Instrument, spec: AccountSpec) -> tuple[int, int]:
    """A declared position's (lots, entry ticks), or the file's mistake."""
    position = spec.position
    try:
        return instrument.lots(position.qty), instrument.ticks(position.entry)
    except UnitError as error:
        raise DataFileError(f"{spec.where}.position: {error}") from None


def _place(exchange: Exchange, account: str, order: OrderSpec):
    price = None if order.price is None else str(order.price)
    return exchange.submit(account, order.side, str(order.qty), price, order.order_type)
