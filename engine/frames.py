"""Frames: everything one render of the screen shows, as one immutable value.

The engine side builds a frame; the screen reads frames and events and nothing
else (ARCHITECTURE.md, "Engine ↔ screen"). So a widget's test can hand it a frame
made by hand, as memray's TUI tests feed a fake producer, and no widget can read
what the engine did not put in a view.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from engine.events import AutoDeleveraged, Event
from engine.explain import explain
from engine.instrument import Instrument
from engine.policies import MarketSettings
from engine.views import AccountView, BookView, Counterfactual, Explanation, MarketView


@dataclass(frozen=True, slots=True)
class Frame:
    scenario: str  # its name
    description: str  # what it shows, in the scenario's words
    settings: MarketSettings  # the rules in force
    instrument: Instrument  # the contract: grids and the text of prices and sizes
    user: str  # the account the screen trades for
    steps: int
    finished: bool  # the run is over: nothing more will happen
    market: MarketView
    book: BookView
    account: AccountView
    events: tuple[Event, ...]  # new since the last frame, oldest first
    counterfactuals: tuple[Counterfactual, ...] = ()  # for the user's ADL events among them
    explanation: Explanation | None = None  # when asked for, and the user holds a position
    dated: bool = False  # the feed's times are real dates (a replay): ``format_moment``
    own: tuple[int, ...] = field(init=False, repr=False, compare=False)  # see __post_init__

    def __post_init__(self) -> None:
        """``own``: where the user's events are in ``events``. A crash frame holds 50,000
        events and the screen looks for the user's several times: one pass, kept."""
        user = self.user
        own = tuple(i for i, e in enumerate(self.events) if getattr(e, "account", None) == user)
        object.__setattr__(self, "own", own)

    def own_events(self) -> list[Event]:
        """The user's events among the new ones, oldest first."""
        events = self.events
        return [events[i] for i in self.own]


def build_frame(session, levels: int, explained: bool = False) -> Frame:
    """The frame of ``session`` now, with the events since the last frame (drained), the
    order book to ``levels`` levels a side, and (``explained``) why the user's position
    stands where it does."""
    exchange, user = session.exchange, session.user
    scenario = session.simulation.scenario
    events = tuple(session.drain_events())
    frame = Frame(
        scenario=scenario.name,
        description=scenario.description,
        settings=exchange.settings,
        instrument=exchange.instrument,
        user=user,
        steps=session.steps,
        finished=session.finished,
        market=exchange.market_view(),
        book=exchange.book_view(levels, user),
        account=exchange.account_view(user),
        events=events,
        explanation=explain(exchange, user) if explained else None,
        dated=session.simulation.dated,
    )
    hit = [e.adl_id for e in frame.own_events() if type(e) is AutoDeleveraged]
    counterfactuals = tuple(
        found for found in (exchange.counterfactual(adl_id) for adl_id in hit) if found
    )
    return replace(frame, counterfactuals=counterfactuals) if counterfactuals else frame
