"""Engine events as event-log lines: what happened, in one line, from the event alone.

The log shows the user's own events (orders, rejections with their reasons, fills,
funding, margin warnings, a liquidation or ADL of their position) and the market's
big ones (liquidations, insurance fund in and out, ADL, funding, socialized loss).
Other traders' routine orders and fills are thousands a minute and stay out.
The screen never invents: every line is one event's fields, worded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

import engine.events as ev
from engine.instrument import Instrument
from engine.side import verb
from engine.units import format_duration
from tui.app import text

OWN, ALARM, MARKET, GAIN, LOSS = "own", "alarm", "market", "gain", "loss"


class LogLine(NamedTuple):
    time: str
    text: str
    tone: str  # OWN, ALARM, MARKET, GAIN or LOSS


class Describer:
    """Turns a batch of events into log lines for one account's screen."""

    def __init__(self, instrument: Instrument, user: str) -> None:
        self.i = instrument
        self.user = user
        self._market: dict[type[ev.Event], Callable] = {
            ev.Liquidation: self._liquidation,
            ev.LiquidationSettled: self._settled,
            ev.InsuranceFundChanged: self._fund,
            ev.AdlExecuted: self._adl_executed,
            ev.FundingSettled: self._funding_settled,
            ev.SocializedLoss: self._socialized,
            ev.FeedEnded: self._ended,
        }
        self._own: dict[type[ev.Event], Callable] = {
            ev.OrderAccepted: self._accepted,
            ev.OrderRejected: self._rejected,
            ev.OrderCancelled: self._cancelled,
            ev.OrderTriggered: self._triggered,
            ev.PositionChanged: self._position,
            ev.FundingPayment: self._funding,
            ev.MarginWarning: self._warning,
            ev.AutoDeleveraged: self._adl,
            ev.SettingChanged: self._setting,
            ev.SocializedLossCharged: self._charged,
            ev.Deposit: self._deposit,
        }

    def lines(self, events: Iterable[ev.Event]) -> list[LogLine]:
        out = []
        for event in events:
            line = self.line(event)
            if line is not None:
                out.append(line)
        return out

    def line(self, event: ev.Event) -> LogLine | None:
        cls = type(event)
        if cls is ev.Trade:
            if event.taker != self.user and event.maker != self.user:
                return None
            return self._trade(event)
        describe = self._market.get(cls)
        if describe is None:
            describe = self._own.get(cls)
            if describe is None or event.account not in (self.user, "market"):
                return None
        result = describe(event)
        if result is None:
            return None
        words, tone = result
        return LogLine(format_duration(event.time), words, tone)

    # -- the user's own ------------------------------------------------------------------

    def _accepted(self, e: ev.OrderAccepted):
        i = self.i
        what = f"#{e.order_id} {verb(e.side)} {text.qty(i, e.qty)} {e.order_type}"
        if e.price is not None:
            what += f" @ {text.price(i, e.price)}"
        if e.trigger is not None:
            what += f", trigger {text.price(i, e.trigger)}"
        if e.reduce_only:
            what += ", reduce-only"
        return f"order {what} accepted", OWN

    def _rejected(self, e: ev.OrderRejected):
        what = f"{verb(e.side)} {e.order_type} " if e.side and e.order_type else ""
        return f"rejected {what}— {e.reason}", ALARM

    def _cancelled(self, e: ev.OrderCancelled):
        return (
            f"order #{e.order_id} cancelled ({e.reason}), {text.qty(self.i, e.qty)} unfilled",
            OWN,
        )

    def _triggered(self, e: ev.OrderTriggered):
        i = self.i
        return (
            f"order #{e.order_id} triggered at {text.price(i, e.price)} "
            f"(trigger {text.price(i, e.trigger)})",
            OWN,
        )

    def _trade(self, e: ev.Trade) -> LogLine:
        i = self.i
        taker = e.taker == self.user
        side, fee = (e.side, e.taker_fee) if taker else (-e.side, e.maker_fee)
        role = "taker" if taker else f"maker vs {e.taker}"
        words = (
            f"filled {verb(side)} {text.qty(i, e.qty)} @ {text.price(i, e.price)} "
            f"({role}, fee {text.money(fee)})"
        )
        return LogLine(format_duration(e.time), words, OWN)

    def _position(self, e: ev.PositionChanged):
        if not e.realized:
            return None
        now = "flat" if not e.qty else f"{text.side_word(e.qty)} {text.qty(self.i, abs(e.qty))}"
        return f"realized {text.signed_money(e.realized)}, now {now}", (
            GAIN if e.realized > 0 else LOSS
        )

    def _funding(self, e: ev.FundingPayment):
        verb = "received" if e.amount > 0 else "paid"
        return f"funding {verb} {text.signed_money(e.amount)}", GAIN if e.amount > 0 else LOSS

    def _warning(self, e: ev.MarginWarning):
        return (
            f"margin warning: ratio {text.percent(e.ratio)} (liquidation at 100%)",
            ALARM,
        )

    def _adl(self, e: ev.AutoDeleveraged):
        i = self.i
        return (
            f"ADL: your {text.side_word(e.side)} {text.qty(i, e.qty)} closed at "
            f"{text.price(i, e.price)} against {e.liquidated} (rank {e.rank}, {e.policy}); "
            + forgone_words(e.forgone),
            ALARM,
        )

    def _setting(self, e: ev.SettingChanged):
        if e.account == "market":
            return f"market policy changed: {e.value}", MARKET
        names = {"leverage": "leverage set to {}x", "margin_mode": "margin mode set to {}"}
        return names.get(e.setting, "{}").format(e.value), OWN

    def _charged(self, e: ev.SocializedLossCharged):
        return f"socialized loss charged to you: {text.money(e.amount)}", ALARM

    def _deposit(self, e: ev.Deposit):
        return f"deposit {text.money(e.amount)}", OWN

    # -- the market ----------------------------------------------------------------------

    def _liquidation(self, e: ev.Liquidation):
        i = self.i
        own = e.account == self.user
        who = "YOU were" if own else f"{e.account} was"
        return (
            f"{who} liquidated: {text.side_word(e.side)} {text.qty(i, e.qty)} at mark "
            f"{text.price(i, e.mark)} (bankruptcy {text.price(i, e.bankruptcy_price)}), "
            f"margin lost {text.money(e.margin_lost)}",
            ALARM if own else LOSS,
        )

    def _settled(self, e: ev.LiquidationSettled):
        i = self.i
        parts = [f"book {text.qty(i, e.book_qty)}"]
        if e.fund_qty:
            parts.append(f"fund {text.qty(i, e.fund_qty)}")
        if e.adl_qty:
            parts.append(f"ADL {text.qty(i, e.adl_qty)}")
        tone = ALARM if e.account == self.user else MARKET
        return f"liquidation of {e.account} closed: {', '.join(parts)}", tone

    def _fund(self, e: ev.InsuranceFundChanged):
        direction = "in" if e.delta > 0 else "out"
        return (
            f"insurance fund {direction} {text.signed_money(e.delta)} → "
            f"{text.money(e.balance)} ({e.reason})",
            GAIN if e.delta > 0 else LOSS,
        )

    def _adl_executed(self, e: ev.AdlExecuted):
        i = self.i
        tone = ALARM if e.liquidated == self.user else MARKET
        return (
            f"ADL #{e.adl_id}: {e.liquidated}'s {text.side_word(e.side)} rest "
            f"{text.qty(i, e.qty)} closed against {e.counterparties} "
            f"{text.side_word(-e.side)}s at {text.price(i, e.price)} ({e.policy})",
            tone,
        )

    def _funding_settled(self, e: ev.FundingSettled):
        payer = "longs paid shorts" if e.rate > 0 else "shorts paid longs"
        if not e.rate:
            payer = "nobody paid"
        return f"funding settled at {text.rate(e.rate)}: {payer} {text.money(e.paid)}", MARKET

    def _socialized(self, e: ev.SocializedLoss):
        return (
            f"socialized loss after {e.liquidated}: deficit {text.money(e.deficit)}, "
            f"{text.money(e.collected)} taken from {e.accounts} winners "
            f"({text.percent(e.rate)} of profit)",
            LOSS,
        )

    def _ended(self, e: ev.FeedEnded):
        return f"the run ended: {e.reason}", MARKET


def forgone_words(forgone: int) -> str:
    """The engine's forgone profit (qty × the ADL price's distance from the mark), worded:
    negative when the ADL price was the better one for the position."""
    if forgone >= 0:
        return f"profit given up vs the mark {text.money(forgone)}"
    return f"closed {text.money(-forgone)} better than at the mark"
