"""The trading screen's order and account keys beyond the ticket: pick one open order
and cancel it (``o``), the position's TP/SL (``t``), the leverage (``l``), the trade
history (``h``), a top-up after a liquidation (``u``), and a question before a
scenario switch discards a position. Each dialog is imported when its key opens it.

A mixin of the app (``SandboxApp`` inherits it), kept apart so the app's module stays
the engine-and-frames loop: each action is a command on the session, reported as the
app reports any (``report``), followed at once by a frame.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import engine.events as ev
from engine.frames import Frame
from engine.units import MONEY_SCALE
from tui.app import text
from tui.app.trade_log import TradeLog
from tui.app.widgets.positions import OrdersList


class OrderActions:
    """Actions and message handlers the app gains (``self`` is the ``SandboxApp``)."""

    # -- one order ----------------------------------------------------------------------

    def action_orders(self: Any) -> None:
        """Focus the open orders: ↑/↓ pick one, delete/backspace/c cancel it, esc leaves."""
        if not self.frame.account.orders:
            self.notify("No open orders.")
            return
        self.query_one(OrdersList).pick()

    def on_orders_list_cancel(self: Any, message: OrdersList.Cancel) -> None:
        event = self.engine(lambda: self.session.cancel(message.order_id))
        self.report(event, f"Order {message.order_id} cancelled.")

    # -- the position's TP/SL -----------------------------------------------------------

    def action_tpsl(self: Any) -> None:
        from tui.app.screens.tpsl import TpSlScreen

        frame = self.frame
        position, i = frame.account.position, frame.instrument
        if position is None:
            self.notify("No position: a TP/SL is set on an open position.", severity="warning")
            return
        hint = (
            f"{text.side_word(position.side)} {text.qty(i, position.lots)} · entry "
            f"{text.price(i, position.entry)} · mark {text.price(i, position.mark)} · liq. "
            f"{text.threshold(i, position.side, position.liquidation_price)}"
        )
        now = {o.order_type: o for o in frame.account.orders if o.whole}
        take, stop = now.get("take_profit"), now.get("stop_market")
        source = "mark"
        self.push_screen(
            TpSlScreen(
                hint,
                i.price_text(take.trigger) if take else "",
                i.price_text(stop.trigger) if stop else "",
                source,
                self.apply_tpsl,
            )
        )

    def apply_tpsl(self: Any, take: str, stop: str, source: str) -> str | None:
        events = self.engine(lambda: self.session.protect(take or None, stop or None, source)) or []
        reason = next((e.reason for e in events if type(e) is ev.OrderRejected), None)
        if reason is None and events:
            set_ = [w for w, v in (("take profit", take), ("stop loss", stop)) if v]
            self.notify(f"Position {' and '.join(set_)} set." if set_ else "TP/SL cleared.")
        self.after_command()
        return reason

    # -- leverage -----------------------------------------------------------------------

    def action_leverage(self: Any) -> None:
        from tui.app.screens.leverage import LeverageScreen

        account = self.frame.account
        hint = (
            f"Now {account.leverage}x; at your position's size the tier allows up to "
            f"{account.max_leverage}x."
        )
        self.push_screen(LeverageScreen(account.leverage, hint, self.apply_leverage))

    def apply_leverage(self: Any, value: str) -> str | None:
        try:
            leverage = int(value)
        except ValueError:
            return f"leverage {value!r} is not a whole number"
        reason = self.rejected(self.engine(lambda: self.session.set_leverage(leverage)))
        self.after_command()
        return reason

    # -- money --------------------------------------------------------------------------

    def action_top_up(self: Any) -> None:
        from tui.app.screens.deposit import DepositScreen

        account, i = self.frame.account, self.frame.instrument
        start = self.session.starting_balance()
        short = start - account.wallet
        amount = short if short > 0 else start
        hint = (
            f"Wallet {text.money(account.wallet)} {i.quote}; it began with "
            f"{text.money(start)}. "
            + ("The amount offered resets it to that." if short > 0 else "Type any amount to add.")
        )
        exact = format(Decimal(amount) / MONEY_SCALE, "f").rstrip("0").rstrip(".")
        self.push_screen(DepositScreen(exact, hint, self.deposit))

    def deposit(self: Any, amount: str) -> str | None:
        event = self.engine(lambda: self.session.deposit(amount))
        reason = self.rejected(event)
        if event is not None and reason is None:
            self.notify(f"Deposited {text.money(event.amount)} {self.frame.instrument.quote}.")
        self.after_command()
        return reason if event is not None else "the engine failed (see the notification)"

    # -- the session --------------------------------------------------------------------

    @property
    def trade_log(self: Any) -> TradeLog:
        """The user's trade history for the session on the screen (a new session, a new
        history)."""
        log = getattr(self, "_trade_log", None)
        session = self.market.session
        if log is None or log.session is not session:
            log = self._trade_log = TradeLog(session, session.user)
        return log

    def follow_trades(self: Any, frame: Frame) -> None:
        self.trade_log.follow(frame)

    def ask_switch_scenario(self: Any, name: str) -> None:
        """Switch, asking first when that would discard a position or open orders."""
        account = self.frame.account
        if account.position is None and not account.orders:
            self.switch_scenario(name)
            return
        p, i = account.position, self.frame.instrument
        what = (
            f"your {text.side_word(p.side).lower()} {text.qty(i, p.lots)} "
            f"(uPnL {text.signed_money(p.unrealized)} {i.quote})"
            if p
            else f"your {len(account.orders)} open order(s)"
        )
        from tui.app.screens.confirm import ConfirmScreen

        question = f"Switching to {name} discards {what}. The new market starts paused at 1×."
        self.push_screen(
            ConfirmScreen(f"Switch to {name}?", question, lambda: self.switch_scenario(name))
        )
