"""The user's account: the position with its margin health and ADL lights, and open orders.

The position is a DataTable with fixed column widths that changes cell by cell, so
a frame never re-measures a column. A wide panel shows it on one line; a narrow one
(an 80-column terminal) stacks pairs of facts in two-line cells so every fact stays
readable. The open orders are plain rows of fixed columns (a ``LineCanvas``): they
are redrawn only when they change, and then cheaply.
"""

from __future__ import annotations

from fractions import Fraction
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from engine.instrument import Instrument
from engine.side import verb
from engine.units import PPM
from engine.views import AccountView, OrderView, PositionView
from tui.app import text
from tui.app.order_words import order_type_words
from tui.app.widgets.canvas import LineCanvas, Row

WARN_RATIO = 800_000  # SPEC §3: warn from 80 %
AMBER_RATIO = 500_000
WIDE_AT = 112  # panel width from which the position fits on one line

# (label, width, the cells stacked in it): a label's parts ("Entry/BE") title the
# lines of its cells, one header line each
WIDE = (
    ("Side", 5, ("side",)),
    ("Size", 7, ("size",)),
    ("Entry/BE", 9, ("entry", "be")),
    ("Mark", 9, ("mark",)),
    ("Liq. price", 10, ("liq",)),
    ("Dist.", 6, ("dist",)),
    ("Margin", 9, ("margin",)),
    ("Margin ratio", 14, ("health",)),
    ("uPnL/Realized", 9, ("upnl", "realized")),
    ("ROE", 7, ("roe",)),
    ("ADL", 5, ("lights",)),
)
NARROW = (
    ("Side/Size", 7, ("side", "size")),
    ("Entry/Mark/BE", 10, ("entry", "mark", "be")),
    ("Liq./Dist.", 10, ("liq", "dist")),
    ("Margin/Ratio", 12, ("margin", "health")),
    ("uPnL/ROE/Realized", 9, ("upnl", "roe", "realized")),
    ("ADL", 5, ("lights",)),
)
ORDER_COLUMNS = (("ID", 6), ("Side", 5), ("Type", 12), ("Qty", 9), ("Price", 11))
ORDER_COLUMNS += (("Trigger", 11), ("Reduce", 6))
ORDERS_SHOWN = 6
ORDER_WIDTH = sum(width + 1 for _, width in ORDER_COLUMNS)  # where a row's cells end
CANCEL_MARK = " ✕ cancel"  # drawn after the picked order: a click on it cancels
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
        self.query_one("#position-header", Static).update(header_lines(columns))
        table = self.query_one("#position-table", DataTable)
        table.clear(columns=True)
        for label, width, _ in columns:
            table.add_column(label, width=width, key=label)
        if self.cells:
            table.add_row(*self._row(), key=POSITION, height=row_height(columns))

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
            table.add_row(*self._row(), key=POSITION, height=row_height(self.columns))
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
            title = (
                f"Open orders: {len(orders)} · o picks one to cancel"
                if orders
                else ("Open orders: none")
            )
            self.query_one("#orders-title", Static).update(title, layout=False)


class OrdersList(LineCanvas):
    """The open orders under fixed column titles; redrawn only when they change.

    Picked (``o`` or a click), a cursor shows one order: ``delete``, ``backspace``
    or ``c`` cancels it, and so does a click on the ``✕ cancel`` the picked row shows.
    The list only asks (``Cancel``): the app sends the command and says how it went.
    """

    can_focus = False  # until picked: the trading screen's keys stay the app's at start
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Previous", id="orders-up", show=False),
        Binding("down", "move(1)", "Next", id="orders-down", show=False),
        Binding("delete,backspace,c", "cancel", "Cancel order", id="orders-cancel"),
        Binding("escape", "leave", "Back", id="orders-leave"),
    ]

    class Cancel(Message):
        """The user asks to cancel one order."""

        def __init__(self, order_id: int) -> None:
            super().__init__()
            self.order_id = order_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.orders: tuple[OrderView, ...] | None = None
        self.instrument: Instrument | None = None
        self.cursor = 0

    def show(self, orders: tuple[OrderView, ...], instrument: Instrument) -> bool:
        """Take the orders; True when they changed."""
        if orders == self.orders:
            return False
        self.orders, self.instrument = orders, instrument
        self.cursor = min(self.cursor, max(len(orders) - 1, 0))
        height = min(len(orders), ORDERS_SHOWN) + 1 if orders else 0
        if self.styles.height is None or self.styles.height.value != height:
            self.styles.height = height
        self.draw()
        return True

    @property
    def picked(self) -> OrderView | None:
        """The order under the cursor while the list has focus."""
        if not self._focused() or not self.orders:
            return None
        return self.orders[self.cursor]

    def _first_shown(self) -> int:
        """The first order drawn: the cursor stays in view in a long list."""
        return max(0, self.cursor - ORDERS_SHOWN + 1)

    def draw(self) -> None:
        if not self.orders or self.instrument is None:
            self.paint([])
            return
        tones = self.app.tones
        header = "".join(f" {label:<{width}}" for label, width in ORDER_COLUMNS)
        rows: list[Row] = [((header, tones.muted + Style(bold=True)),)]
        first = self._first_shown()
        for index in range(first, min(len(self.orders), first + ORDERS_SHOWN)):
            order = self.orders[index]
            cells = order_cells(order, self.instrument)
            line = "".join(f" {c:<{w}}" for c, (_, w) in zip(cells, ORDER_COLUMNS, strict=True))
            tone = tones.up if order.side > 0 else tones.down
            if self._focused() and index == self.cursor:
                rows.append(((line, tone + Style(reverse=True)), (CANCEL_MARK, tones.warn)))
            else:
                rows.append(((line, tone),))
        hidden = len(self.orders) - first - ORDERS_SHOWN
        if hidden > 0 and not (self._focused() and self.cursor == first + ORDERS_SHOWN - 1):
            more = f" … and {hidden + 1} more (o, then ↓ to reach them; c cancels all)"
            rows[-1] = ((more, tones.muted),)
        self.paint(rows)

    def pick(self) -> None:
        """Take the keys: the cursor shows on the picked order (``o``, a click)."""
        self.can_focus = True
        self.focus()

    def _focused(self) -> bool:
        return self.is_attached and self.screen.focused is self

    def on_focus(self) -> None:
        self.draw()

    def on_blur(self) -> None:
        self.can_focus = False
        self.draw()

    def action_move(self, delta: int) -> None:
        if self.orders:
            self.cursor = max(0, min(len(self.orders) - 1, self.cursor + delta))
            self.draw()

    def action_cancel(self) -> None:
        picked = self.picked
        if picked is not None:
            self.post_message(self.Cancel(picked.order_id))

    def action_leave(self) -> None:
        self.screen.set_focus(None)

    def on_click(self, event: events.Click) -> None:
        """A click picks the row; a click on the picked row's ``✕ cancel`` cancels it."""
        if not self.orders or event.y < 1:
            return
        index = self._first_shown() + event.y - 1
        if index >= len(self.orders):
            return
        on_mark = event.x >= ORDER_WIDTH
        if self._focused() and index == self.cursor and on_mark:
            self.action_cancel()
            return
        self.cursor = index
        self.pick()
        self.draw()


def row_height(columns) -> int:
    return max(len(keys) for _, _, keys in columns)


def header_lines(columns) -> str:
    """The columns' titles, a line for each line of the cells under them."""
    lines = []
    for line in range(row_height(columns)):
        parts = [label.split("/") for label, _, _ in columns]
        lines.append(
            "".join(
                f" {part[line] if line < len(part) else '':<{width}} "
                for part, (_, width, _) in zip(parts, columns, strict=True)
            ).rstrip()
        )
    return "\n".join(lines)


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
        "liq": Text(text.threshold(i, p.side, p.liquidation_price), style=colors.down),
        "dist": Text(distance),
        "be": Text(text.price(i, p.break_even)),
        "margin": Text(text.money(p.position_margin)),
        "health": health_bar(p.ratio, colors, bar, p.unbounded),
        "upnl": Text(text.signed_money(p.unrealized), style=pnl),
        "roe": Text(text.signed_percent(p.roe, 1), style=pnl),
        "realized": Text(
            text.signed_money(p.realized), style=colors.up if p.realized >= 0 else colors.down
        ),
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
        order_type_words(order.order_type),
        text.qty(i, order.qty),
        price,
        trigger,
        "yes" if order.reduce_only else "",
    ]
