"""The trading screen's keys: for each, its action, its footer label, its id (what a
keymap would name it by, Textual's ``set_keymap``) and its tooltip, in one list apart
from the app's code."""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
    Binding("b", "ticket('buy')", "Buy", id="buy", tooltip="order ticket to buy"),
    Binding("s", "ticket('sell')", "Sell", id="sell", tooltip="order ticket to sell"),
    Binding(
        "B",
        "quick('buy')",
        "Mkt buy",
        id="quick-buy",
        show=False,
        tooltip="market buy of the default size (the last ticket's, or ≈1,000 quote)",
    ),
    Binding(
        "S",
        "quick('sell')",
        "Mkt sell",
        id="quick-sell",
        show=False,
        tooltip="market sell of the default size",
    ),
    Binding("x", "close_position", "Close", id="close", tooltip="close the position at market"),
    Binding("c", "cancel_all", "Cancel all", id="cancel-all", tooltip="cancel all open orders"),
    Binding("l", "leverage", "Leverage", id="leverage", tooltip="set the leverage"),
    Binding(
        "m",
        "toggle_mode",
        "Cross/iso",
        id="margin-mode",
        tooltip="toggle isolated / cross margin (when flat)",
    ),
    Binding("space", "toggle_pause", "Pause", id="pause", tooltip="pause or resume the market"),
    Binding("n", "step", "Step", id="step", show=False, tooltip="one engine step (pauses)"),
    Binding(
        "left_square_bracket",
        "slower",
        "Slower",
        id="slower",
        key_display="[",
        show=False,
        tooltip="slower",
    ),
    Binding(
        "right_square_bracket",
        "faster",
        "Faster",
        id="faster",
        key_display="]",
        show=False,
        tooltip="faster",
    ),
    Binding(
        "e",
        "open('explain')",
        "Explain",
        id="explain",
        tooltip="explain the position: margin, liquidation, ADL rank and lights",
    ),
    Binding(
        "k",
        "open('queue')",
        "ADL queue",
        id="adl-queue",
        show=False,
        tooltip="your side's ADL queue ranked now, under each ranking policy (←/→ switch)",
    ),
    Binding(
        "f",
        "open('fund')",
        "Fund",
        id="fund",
        show=False,
        tooltip="the insurance fund: its equity against the ADL floor, what the backstop holds",
    ),
    Binding(
        "g",
        "open('glossary')",
        "Glossary",
        id="glossary",
        show=False,
        tooltip="glossary: every word on the screen, each policy, each comparison column",
    ),
    Binding(
        "d",
        "incident",
        "Incident",
        id="incident",
        show=False,
        tooltip="step by step: your last liquidation or ADL",
    ),
    Binding("a", "answer", "Answer", id="answer", tooltip="in a lesson: answer its question"),
    Binding("w", "show_me", "Show me", id="show-me", tooltip="in a lesson: play the step for you"),
    Binding(
        "question_mark", "open('help')", "Help", id="help", key_display="?", tooltip="this help"
    ),
    Binding("q", "quit", "Quit", id="quit", tooltip="quit"),
]
