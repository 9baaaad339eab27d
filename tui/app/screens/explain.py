"""Explain the position, live: every number behind its margin and its place in the ADL queue.

The numbers are the frame's explanation, made by the engine side from its own margin
and ADL functions; this screen only writes the formulas with them filled in. While
it is on top the app asks for explained frames and hands each one here, so the user
can watch the ratio climb as the mark moves.

What-if: ↑/↓ (or a typed price) set a hypothetical mark, and every figure is then the
session's ``what_if`` at that price — the same functions, the side ranked there for
the rank and lights — until 0 brings the live mark back. Nothing is sent to the market.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from engine.frames import Frame
from engine.instrument import Instrument, Tier
from engine.policies import MarketSettings
from engine.units import PPM, UnitError
from engine.views import AdlTerms, Explanation
from tui.app import text
from tui.app.paced import Paced
from tui.app.policy_words import FORMULAS
from tui.app.screens.mark_input import MarkInput
from tui.app.screens.reading import ReadingScreen, title
from tui.app.what_if import BIG, WhatIf

FARTHEST = 100  # a typed what-if mark lies within 1/100 and 100 times the live one


class ExplainScreen(ReadingScreen):
    wants_explanation = True  # the app's frames carry the explanation while this is on top
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="explain-close"),
        Binding("e", "dismiss", "Close", show=False, id="explain-toggle"),
        Binding("up", "what_if(1)", "Mark +0.5%", id="what-if-up", priority=True),
        Binding("down", "what_if(-1)", "Mark −0.5%", id="what-if-down", priority=True),
        Binding(
            "shift+up", f"what_if({BIG})", "+5%", show=False, id="what-if-up-more", priority=True
        ),
        Binding(
            "shift+down",
            f"what_if(-{BIG})",
            "−5%",
            show=False,
            id="what-if-down-more",
            priority=True,
        ),
        Binding("t", "type_mark", "Type a mark", id="what-if-type"),
        Binding("0", "live_mark", "Live mark", id="what-if-live"),
        Binding("r", "live_mark", "Live mark", show=False, id="what-if-reset"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.what_if = WhatIf()
        self._asked: Paced[Explanation] = Paced()  # the explanation at the hypothetical mark
        self._session: object | None = None  # the what-if belongs to this session's market

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="explain", classes="dialog wide"):
            yield Static(title("Explain your position"))
            yield Static(id="explain-what-if")
            yield Static(id="explain-body")

    def on_mount(self) -> None:
        """Ask the app for a frame now: the explanation shows at once, not a frame later."""
        self.app.render_frame()

    def update_view(self, frame: Frame) -> None:
        """Redraw from a frame (the app hands this screen every frame while it is on top)."""
        if self._session is not self.app.session:  # another scenario: its own live mark
            self._session, self.what_if = self.app.session, WhatIf()
        found = frame.explanation if self.what_if.mark is None else self._hypothetical(frame)
        line = self.what_if.line(frame.market.mark, frame.instrument)
        if found is None and frame.explanation is not None:
            body = Content("The engine could not work out the figures at this price: 0 goes back.")
        elif found is None:
            body = Content("You have no open position: nothing to explain. Open one with b or s.")
            line = Content("")
        else:
            body = as_content(explanation_lines(found, frame.instrument, frame.settings))
            line = Content("\n").join([line, Content(summary(found, frame.instrument)), Content()])
        self.query_one("#explain-what-if", Static).update(line)
        self.query_one("#explain-body", Static).update(body)

    def _hypothetical(self, frame: Frame) -> Explanation | None:
        """The explanation at the what-if mark, worked out again when the price asked
        about, the user's commands or the market changed (``Paced``: ranking a big side
        takes a while)."""
        session, mark = self.app.session, self.what_if.mark
        chosen = (id(session), mark, len(session.commands))
        return self._asked.get(
            chosen, frame.steps, lambda: self.app.engine(lambda: session.what_if(mark))
        )

    def action_what_if(self, steps: int) -> None:
        frame = self.app.frame
        self.what_if = self.what_if.moved(frame.market.mark, steps)
        self.update_view(frame)

    def action_live_mark(self) -> None:
        self.what_if = WhatIf()
        self.update_view(self.app.frame)

    def action_type_mark(self) -> None:
        frame = self.app.frame
        shown = self.what_if.mark or frame.market.mark
        self.app.push_screen(MarkInput(frame.instrument.price_text(shown), self.choose_mark))

    def choose_mark(self, typed: str) -> str | None:
        """A typed hypothetical mark: shown, or why it cannot be (the field stays open)."""
        frame = self.app.frame
        try:
            ticks = frame.instrument.ticks(typed.replace(",", "").strip())
        except UnitError as error:
            return str(error)
        live = frame.market.mark
        if not live // FARTHEST <= ticks <= live * FARTHEST:
            i = frame.instrument
            low, high = text.price(i, max(1, live // FARTHEST)), text.price(i, live * FARTHEST)
            return f"a mark between {low} and {high}, please: 1/100 to 100 times the live one"
        self.what_if = WhatIf(None if ticks == frame.market.mark else ticks)
        self.update_view(frame)
        return None


def as_content(lines: list[str]) -> Content:
    """Plain lines (never parsed as markup), section titles in bold."""
    parts = [(line, "bold" if line and not line.startswith(" ") else "") for line in lines]
    return Content("\n").join(Content.styled(line, style) for line, style in parts)


def explanation_lines(e: Explanation, i: Instrument, settings: MarketSettings) -> list[str]:
    q, mark = text.qty(i, e.lots), text.price(i, e.mark)
    wb = text.money(e.collateral)
    source = "the position's isolated margin" if e.mode == "isolated" else "the cross wallet"
    s = "(+1)" if e.side > 0 else "(−1)"
    lines = [
        f"Your {text.side_word(e.side)} {q} {i.symbol} · {e.mode} · {e.leverage}x · mark {mark}",
        "",
        "Equity",
        f"  WB = {wb} ({source})",
        f"  uPnL = s·(Q·P_m − Q·P_e) = {s}·({q}·{mark} − {q}·{text.price(i, e.entry)}) "
        f"= {text.signed_money(e.unrealized)}",
        f"  equity = WB + uPnL = {wb} {plus(e.unrealized)} = {text.money(e.equity)}",
        "",
        "Maintenance margin",
        f"  N = Q·P_m = {q} × {mark} = {text.money(e.notional)}",
        f"  {tier_text(e.tier)}",
        f"  MM = N·MMR − cum = {text.money(e.notional)} × {mmr(e.tier)} − "
        f"{text.money(e.tier.cum)} = {text.money(e.maintenance)}",
        f"  margin ratio = MM / equity = {text.money(e.maintenance)} / {text.money(e.equity)} "
        f"= {ratio_text(e.ratio)}  (warning from 80%, liquidated at 100%)",
        "",
        "Liquidation price (where equity = MM)",
        *liquidation_lines(e, i, s),
        "",
        "Bankruptcy price (where equity = 0)",
        f"  P_bk = P_e − s·WB/Q = {text.price(i, e.entry)} − {s}·{wb} / {q} = "
        f"{text.threshold(i, e.side, e.bankruptcy.price)}",
        "  a liquidated position is settled here: its margin is lost, never more"
        if e.bankruptcy.price > 0
        else "  not a positive price: no price wipes out the collateral",
        "",
        f"ADL (ranking {settings.ranking} · ADL price {settings.adl_price} · "
        f"trigger {settings.trigger_policy})",
        *adl_lines(e.adl, e.side),
    ]
    return lines


def liquidation_lines(e: Explanation, i: Instrument, s: str) -> list[str]:
    t = e.liquidation
    q = text.qty(i, e.lots)
    where = "as now" if t.tier.number == e.tier.number else "the tier at that price"
    lines = [
        f"  {tier_text(t.tier)}  ({where})",
        "  LP = (WB − TMM + UPNL + cum − s·Q·P_e) / (Q·MMR − s·Q)",
        f"     = ({text.money(t.wallet)} − {text.money(t.other_maintenance)} + "
        f"{text.money(t.other_unrealized)} + {text.money(t.tier.cum)} − "
        f"{s}·{q}·{text.price(i, e.entry)}) / ({q}·{exact(Fraction(t.tier.mmr, PPM))} − {s}·{q})",
        f"     = {text.money(t.top)} / {exact(t.bottom)}",
    ]
    if t.price is None:
        return [*lines, "     ≤ 0: no positive price liquidates this position"]
    distance = text.signed_percent((t.price - e.mark) / e.mark)
    return [
        *lines,
        f"     = {text.threshold(i, e.side, t.price)}  ({distance} from the mark)",
        f"  shown at the tick on the mark's side: liquidated once the mark is "
        f"{'below' if e.side > 0 else 'above'} it",
        f"  MM there = {text.money(t.maintenance_at_price)} = the equity there "
        "(TMM and UPNL: no other positions)",
    ]


def adl_lines(a: AdlTerms, side: int) -> list[str]:
    own_side = text.side_word(side)
    lines = [f"  score = {FORMULAS[a.policy]}"]
    if a.terms:
        factors = " · ".join(f"{name} {term_text(name, value)}" for name, value in a.terms)
        lines.append(f"        {factors} → score {text.score(a.score)} at this mark")
    if a.now is not None:
        lines += now_lines(a, own_side)
    if a.rank is None:
        return [
            *lines,
            "  not ranked yet: ranks and lights are published every 10 s of simulated time",
        ]
    low, high = a.band
    percentile = text.percent(high, 0)
    lines += [
        f"  rank {a.rank} of {a.queue_length} {own_side}s in the queue published at the last "
        f"refresh (score then {text.score(a.published_score)}); rank 1 is deleveraged first",
        f"  you and those ranked ahead hold {text.percent(a.share, 1)} of the {own_side} side's "
        "size",
        f"  that share is in ({text.percent(low, 0)}, {percentile}], so the percentile is "
        f"{percentile} and lights = 6 − {percentile}/20% = {a.lights}  "
        f"{'▮' * a.lights}{'▯' * (5 - a.lights)}",
    ]
    if a.grouped:
        lines.append(
            f"  {a.policy} hits a whole group at once, so the group shares one rank and its "
            "lights show the group's share, not a place in line"
        )
    return lines


def summary(e: Explanation, i: Instrument) -> str:
    """The figures a move of the mark changes, on one line above the formulas (a small
    terminal shows them without scrolling while ↑/↓ move the mark)."""
    liquidation = e.liquidation.price
    distance = (
        "none" if liquidation is None else text.signed_percent((liquidation - e.mark) / e.mark)
    )
    place = e.adl.now or e.adl
    rank = "not ranked yet" if place.rank is None else f"rank {place.rank}, lights {place.lights}"
    return (
        f"equity {text.money(e.equity)} · margin ratio {ratio_text(e.ratio)} · "
        f"liquidation {distance} away · ADL score {text.score(e.adl.score)}, {rank}"
    )


def now_lines(a: AdlTerms, own_side: str) -> list[str]:
    """The place at the explained mark: every position of the side scored there, now."""
    now = a.now
    lit = (
        f"lights {now.lights}  {'▮' * now.lights}{'▯' * (5 - now.lights)}"
        if now.lights
        else "no lights published under this venue's rule"
    )
    return [
        f"  ranked at this mark, every {own_side} scored there: rank {now.rank} of "
        f"{a.queue_length} {own_side}s",
        f"  you and those ranked ahead hold {text.percent(now.share, 1)} of the side → {lit}",
    ]


def plus(units: int) -> str:
    """``+ 1.90`` or ``− 1.90``: a signed term of a sum."""
    return f"{'−' if units < 0 else '+'} {text.money(abs(units))}"


def tier_text(tier: Tier) -> str:
    return (
        f"tier {tier.number}: from {text.money(tier.floor, 0)} notional, max {tier.max_leverage}x, "
        f"MMR {mmr(tier)}, maintenance amount cum {text.money(tier.cum)}"
    )


def mmr(tier: Tier) -> str:
    return text.percent(tier.mmr, 2)


def ratio_text(ratio: int) -> str:
    return "∞ (equity ≤ 0)" if ratio >= 10**12 else text.percent(ratio, 2)


def term_text(name: str, value: float) -> str:
    if name == "PnL%":
        return f"{value * 100:+.3f}%"
    return text.score(value)


def exact(value: Fraction) -> str:
    """A terminating fraction in full (Q·MMR − s·Q); others to 12 significant digits."""
    with localcontext(prec=12):
        number = Decimal(value.numerator) / Decimal(value.denominator)
    return format(number.normalize(), "f")
