"""The user's account: the position with its margin health and ADL lights, and open orders.

The position is a DataTable with fixed column widths that changes cell by cell, so
a frame never re-measures a column. A wide panel shows it on one line; a narrow one
(an 80-column terminal) stacks pairs of facts in two-line cells so every fact stays
readable. The open orders are plain rows of fixed columns (a ``LineCanvas``): they
are redrawn only when they change, and then cheaply.
"""

from __future__ import annotations

from fractions import Fraction

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from engine.instrument import Instrument
from engine.side import verb
from engine.units import PPM
from engine.views import AccountView, OrderView, PositionView
from tui.app import text
from tui.app.widgets.canvas import LineCanvas, Row

WARN_RATIO = 800_000  # SPEC §3: warn from 80 %
AMBER_RATIO = 500_000
WIDE_AT = 112  # panel width from which the position fits on one line

# (label, width, the cells stacked in it)
WIDE = (
    ("Side", 5, ("side",)),
    ("Size", 7, ("size",)),
    ("Entry", 9, ("entry",)),
    ("Mark", 9, ("mark",)),
    ("Liq. price", 10, ("liq",)),
    ("Dist.", 6, ("dist",)),
    ("Margin", 9, ("margin",)),
    ("Margin ratio", 14, ("health",)),
    ("uPnL", 9, ("upnl",)),
    ("ROE", 7, ("roe",)),
    ("ADL", 5, ("lights",)),
)
NARROW = (
    ("Side", 7, ("side", "size")),
    ("Entry/Mark", 10, ("entry", "mark")),
    ("Liq./Dist.", 10, ("liq", "dist")),
    ("Margin/Ratio", 12, ("margin", "health")),
    ("uPnL/ROE", 9, ("upnl", "roe")),
    ("ADL", 5, ("lights",)),
)
ORDER_COLUMNS = (("ID", 6), ("Side", 5), ("Type", 12), ("Qty", 9), ("Price", 11))
ORDER_COLUMNS += (("Trigger", 11), ("Reduce", 6))
ORDERS_SHOWN = 6
POSITION = "position"
FLAT = "No position. b / s open the order ticket, B / S trade the default size at market."


class PositionsPanel(Vertical):
    DEFAULT_CSS = """
    PositionsPanel { height: auto; }
    PositionsPanel DataTable { height: auto; max-height: 8; background: transparent; }
    PositionsPanel OrdersList { height: 0; }
    PositionsPanel #position-header { text-style: bold; background: $panel; color: $text; }
    PositionsPanel #orders-title { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = WIDE
        self.cells: dict[str, Text] = {}
        self.account_line = ""
        self.orders_count = 0

    def compose(self) -> ComposeResult:
        yield Static(id="account-line")
        yield Static(id="position-header")
        yield _table("position-table")
        yield Static(FLAT, id="flat")
        yield Static("Open orders: none", id="orders-title")
        yield OrdersList(id="orders")

    def on_mount(self) -> None:
        self._set_columns(WIDE)
        self.orders_list = self.query_one(OrdersList)

    def on_resize(self) -> None:
        wanted = WIDE if self.size.width >= WIDE_AT else NARROW
        if wanted is not self.columns:
            self._set_columns(wanted)

    def restyle(self) -> None:
        """Forget the drawn cells (a new theme): the next frame draws them afresh."""
        self.query_one("#position-table", DataTable).clear()
        self.cells = {}
        self.orders_list.restyle()

    def _set_columns(self, columns) -> None:
        """The table's columns, and their titles as a line above it: a DataTable renders its
        header again at every cell update, a Static line does not."""
        self.columns = columns
        titles = "".join(f" {label:<{width}} " for label, width, _ in columns)
        self.query_one("#position-header", Static).update(titles)
        table = self.query_one("#position-table", DataTable)
        table.clear(columns=True)
        for label, width, _ in columns:
            table.add_column(label, width=width, key=label)
        if self.cells:
            table.add_row(*self._row(), key=POSITION, height=len(columns[0][2]))

    def show(self, account: AccountView, instrument: Instrument, colors) -> None:
        line = (
            f"{account.mode} · {account.leverage}x · wallet {text.money(account.wallet)} · "
            f"available {text.money(account.available)} · in orders "
            f"{text.money(account.reserved)} {instrument.quote}"
        )
        if account.bankrupt:
            line += " · bankrupt"
        if line != self.account_line:
            relayout = len(line) != len(self.account_line)  # the same length wraps the same
            self.account_line = line
            self.query_one("#account-line", Static).update(line, layout=relayout)
        self._show_position(account.position, instrument, colors)
        self._show_orders(account.orders, instrument)

    def _show_position(self, position: PositionView | None, instrument, colors) -> None:
        table = self.query_one("#position-table", DataTable)
        if position is None:
            if self.cells or table.display:
                table.clear()
                self.cells = {}
                self._flat(True)
            return
        bar = 6 if self.columns is WIDE else 4
        cells = position_cells(position, instrument, colors, bar)
        if not self.cells:
            self.cells = cells
            table.add_row(*self._row(), key=POSITION, height=len(self.columns[0][2]))
            self._flat(False)
            return
        changed = {key for key, cell in cells.items() if self.cells.get(key) != cell}
        self.cells = cells
        for label, _, keys in self.columns:
            if changed.intersection(keys):
                table.update_cell(POSITION, label, self._cell(keys))

    def _flat(self, flat: bool) -> None:
        """Without a position the table gives way to a line that says how to open one."""
        self.query_one("#flat").display = flat
        self.query_one("#position-header").display = not flat
        self.query_one("#position-table").display = not flat

    def _row(self) -> list[Text]:
        return [self._cell(keys) for _, _, keys in self.columns]

    def _cell(self, keys: tuple[str, ...]) -> Text:
        return Text("\n").join(self.cells[k] for k in keys)

    def _show_orders(self, orders: tuple[OrderView, ...], instrument: Instrument) -> None:
        if self.orders_list.show(orders, instrument) and len(orders) != self.orders_count:
            self.orders_count = len(orders)
            title = f"Open orders: {len(orders)}" if orders else "Open orders: none"
            self.query_one("#orders-title", Static).update(title, layout=False)


class OrdersList(LineCanvas):
    """The open orders under fixed column titles; redrawn only when they change."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.orders: tuple[OrderView, ...] | None = None
        self.instrument: Instrument | None = None

    def show(self, orders: tuple[OrderView, ...], instrument: Instrument) -> bool:
        """Take the orders; True when they changed."""
        if orders == self.orders:
            return False
        self.orders, self.instrument = orders, instrument
        height = min(len(orders), ORDERS_SHOWN) + 1 if orders else 0
        if self.styles.height is None or self.styles.height.value != height:
            self.styles.height = height
        self.draw()
        return True

    def draw(self) -> None:
        if not self.orders or self.instrument is None:
            self.paint([])
            return
        tones = self.app.tones
        header = "".join(f" {label:<{width}}" for label, width in ORDER_COLUMNS)
        rows: list[Row] = [((header, tones.muted + Style(bold=True)),)]
        for order in self.orders[:ORDERS_SHOWN]:
            cells = order_cells(order, self.instrument)
            line = "".join(f" {c:<{w}}" for c, (_, w) in zip(cells, ORDER_COLUMNS, strict=True))
            rows.append(((line, tones.up if order.side > 0 else tones.down),))
        if len(self.orders) > ORDERS_SHOWN:
            more = f" … and {len(self.orders) - ORDERS_SHOWN + 1} more (c cancels all)"
            rows[-1] = ((more, tones.muted),)
        self.paint(rows)


def _table(table_id: str) -> DataTable:
    table = DataTable(
        id=table_id, show_header=False, show_cursor=False, cursor_type="none", cell_padding=1
    )
    table.can_focus = False
    return table


def position_cells(p: PositionView, i: Instrument, colors, bar: int = 6) -> dict[str, Text]:
    """Every fact of a position as a styled cell, keyed by name."""
    tone = colors.up if p.side > 0 else colors.down
    pnl = colors.up if p.unrealized >= 0 else colors.down
    distance = "—"
    if p.liquidation_price is not None and p.mark:  # a declared position has no mark yet
        distance = text.signed_percent((p.liquidation_price - p.mark) / p.mark, 1)
    return {
        "side": Text(text.side_word(p.side), style=tone),
        "size": Text(text.qty(i, p.lots)),
        "entry": Text(text.price(i, p.entry)),
        "mark": Text(text.price(i, p.mark)),
        "liq": Text(text.price(i, p.liquidation_price), style=colors.down),
        "dist": Text(distance),
        "margin": Text(text.money(p.margin)),
        "health": health_bar(p.ratio, colors, bar, p.unbounded),
        "upnl": Text(text.signed_money(p.unrealized), style=pnl),
        "roe": Text(text.signed_percent(p.roe, 1), style=pnl),
        "lights": adl_lights(p.adl_lights, colors),
    }


def health_bar(ratio: int, colors, cells: int = 4, unbounded: bool = False) -> Text:
    """Margin ratio (MM / equity) as a bar: green, amber from 50 %, red with a warning
    sign from 80 %; full at 100 %, the liquidation line. ``unbounded``: the equity is
    gone, so the ratio has no number to show."""
    style = colors.up if ratio < AMBER_RATIO else colors.warn
    if ratio >= WARN_RATIO:
        style = colors.down
    lit = min(cells, round(Fraction(ratio, PPM) * cells))
    if unbounded:
        label = "  ∞"
    elif ratio >= 10 * PPM:
        label = ">999%"
    else:
        label = text.percent(ratio, 1 if ratio < PPM else 0)
    bar = Text("▰" * lit, style=style)
    bar.append("▱" * (cells - lit), style=colors.muted)
    bar.append(f" {label}", style=style)
    if ratio >= WARN_RATIO:
        bar.append("⚠", style=style)
    return bar


def adl_lights(lit: int, colors) -> Text:
    """Five cells, ``lit`` of them lit by the engine's indicator (5: first in line)."""
    style = colors.up if lit <= 2 else colors.warn if lit == 3 else colors.down
    lights = Text("▮" * lit, style=style)
    lights.append("▯" * (5 - lit), style=colors.muted)
    return lights


def order_cells(order: OrderView, i: Instrument) -> list[str]:
    price = text.price(i, order.price) if order.price is not None else "market"
    trigger = text.price(i, order.trigger) if order.trigger is not None else ""
    return [
        str(order.order_id),
        verb(order.side),
        order.order_type,
        text.qty(i, order.qty),
        price,
        trigger,
        "yes" if order.reduce_only else "",
    ]
