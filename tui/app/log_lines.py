"""Engine events as event-log lines: what happened, in one line, from the event alone.

The log shows the user's own events (orders, rejections with their reasons, fills,
funding, margin warnings, a liquidation or ADL of their position) and the market's
big ones (liquidations, the backstop working what it holds, insurance fund in and
out, ADL, funding, socialized loss).
Other traders' routine orders and fills are thousands a minute and stay out.
The screen never invents: every line is one event's fields, worded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import engine.events as ev
from engine.instrument import Instrument
from engine.policies import POLICY_BY_FIELD
from engine.side import verb
from engine.units import format_moment
from tui.app import policy_words, text
from tui.app.order_words import order_type_words
from tui.app.waterfall_words import (
    absorbed_words,
    adl_closed_words,
    backstop_verb,
    better_words,
    forgone_words,
    fund_words,
    held_words,
)

OWN, ALARM, MARKET, GAIN, LOSS = "own", "alarm", "market", "gain", "loss"


class LogLine(NamedTuple):
    time: str
    text: str
    tone: str  # OWN, ALARM, MARKET, GAIN or LOSS
    mine: bool = False  # about the user's account: what the log's "yours only" keeps


LINES_PER_FRAME = 250  # a crash frame brings thousands of events; the newest are worded


class Describer:
    """Turns a batch of events into log lines for one account's screen."""

    def __init__(self, instrument: Instrument, user: str, dated: bool = False) -> None:
        """``dated``: the feed's times are real dates (``Frame.dated``)."""
        self.i = instrument
        self.user = user
        self.dated = dated
        self._market: dict[type[ev.Event], Callable] = {
            ev.Liquidation: self._liquidation,
            ev.BackstopTraded: self._backstop,
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

    def lines(self, events: Sequence[ev.Event], limit: int | None = None) -> list[LogLine]:
        """The worded events, oldest first; with ``limit``, only the newest that many
        (a crash step brings thousands: the log keeps its last ``limit`` anyway)."""
        out = []
        market, own, user = self._market, self._own, self.user
        for event in reversed(events):
            cls = type(event)  # what no line is made of is passed over here, cheaply
            if (
                cls is not ev.Trade
                and cls not in market
                and not (cls in own and event.account in (user, "market"))
            ):
                continue
            line = self.line(event)
            if line is not None:
                out.append(line)
                if len(out) == limit:
                    break
        out.reverse()
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
        return LogLine(format_moment(event.time, self.dated), words, tone, self._mine(event))

    # -- the user's own ------------------------------------------------------------------

    def _accepted(self, e: ev.OrderAccepted):
        i = self.i
        kind = order_type_words(e.order_type)
        what = f"#{e.order_id} {verb(e.side)} {text.qty(i, e.qty)} {kind}"
        if e.price is not None:
            what += f" @ {text.price(i, e.price)}"
        if e.trigger is not None:
            what += f", trigger {text.price(i, e.trigger)}"
        if e.reduce_only:
            what += ", reduce-only"
        return f"order {what} accepted", OWN

    def _rejected(self, e: ev.OrderRejected):
        kind = order_type_words(e.order_type) if e.order_type else ""
        what = f"{verb(e.side)} {kind} " if e.side and kind else ""
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
        return LogLine(format_moment(e.time, self.dated), words, OWN, True)

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
            f"{text.price(i, e.price)} against {e.liquidated} (rank {e.rank}, "
            f"{policy_words.short('ranking', e.policy)}); " + forgone_words(e.forgone),
            ALARM,
        )

    def _setting(self, e: ev.SettingChanged):
        if e.account == "market":
            return f"market policy changed: {_policy_words(e.value)}", MARKET
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
            f"{text.price(i, e.mark)}, margin lost {text.money(e.margin_lost)}; backstop took it "
            f"at {text.price(i, e.bankruptcy_price)}",
            ALARM if own else LOSS,
        )

    def _backstop(self, e: ev.BackstopTraded):
        i = self.i
        return (
            f"backstop {backstop_verb(e.side)} {text.qty(i, e.qty)} of {self._whose(e.account)} "
            f"{text.side_word(e.side)}: {better_words(i, e.at_or_better)}; "
            f"{fund_words(e.realized)}; {held_words(i, e.left)}",
            ALARM if e.account == self.user else MARKET,
        )

    def _settled(self, e: ev.LiquidationSettled):
        i = self.i
        return (
            f"{self._whose(e.account)} liquidated {text.side_word(e.side)} closed after "
            f"{text.span(e.time - e.since)}: book "
            f"{text.qty(i, e.book_qty)}, band {text.qty(i, e.band_qty)}, ADL "
            f"{text.qty(i, e.adl_qty)}; fund in {text.money(e.fund_in)}, out "
            f"{text.money(e.fund_out)}",
            ALARM if e.account == self.user else MARKET,
        )

    def _fund(self, e: ev.InsuranceFundChanged):
        direction = "in" if e.delta > 0 else "out"
        return (
            f"insurance fund {direction} {text.signed_money(e.delta)} → "
            f"{text.money(e.balance)} ({e.reason})",
            GAIN if e.delta > 0 else LOSS,
        )

    def _adl_executed(self, e: ev.AdlExecuted):
        return (
            f"ADL #{e.adl_id} ({policy_words.short('trigger_policy', e.reason)}): "
            f"{absorbed_words(e)}: "
            f"{adl_closed_words(e, self.i, self._whose(e.liquidated))}",
            ALARM if e.liquidated == self.user else MARKET,
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

    def _mine(self, event: ev.Event) -> bool:
        """The event is about the user's account: theirs, or their position liquidated
        (the backstop's work on it and the ADL it caused included)."""
        user = self.user
        return getattr(event, "account", None) == user or getattr(event, "liquidated", None) == user

    def _whose(self, account: str) -> str:
        return "your" if account == self.user else f"{account}'s"


def _policy_words(value: str) -> str:
    """``venue=okx, ranking=pro_rata`` as ``venue OKX (its whole waterfall), ADL ranking
    pro rata``: a venue resets every rule its preset covers before the others apply."""
    words = []
    for change in value.split(", "):
        name, _, choice = change.partition("=")
        said = policy_words.SHORT.get(name, {}).get(choice, choice)
        if name == "venue":
            words.append(f"venue {said} (its whole waterfall)")
        elif name in POLICY_BY_FIELD:
            words.append(f"{POLICY_BY_FIELD[name].title} {said}")
        else:
            words.append(f"{name.replace('_', ' ')} {choice}" if choice else name)
    return ", ".join(words)
