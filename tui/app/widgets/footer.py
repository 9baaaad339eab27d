"""The trading screen's footer: every key that fits the width, the most needed first.

Textual's ``Footer`` shows the bindings marked ``show`` and lets the rest run off the
right edge. This one takes every key of the app (``show`` there only meant "if room")
and a focused panel's keys marked ``show`` (its arrows are told in its border), and
keeps, in ``FIRST``'s order, each that still fits: at 80 columns pause, explain, help
and quit come first, then the focused panel's keys, then the trading keys; from 100
the clock keys (``n``, ``d``, ``[``, ``]``) join them, at 160 leverage and margin. A
key kept is drawn where the bindings list puts it, so a key never moves along the
footer when the width changes, only comes or goes.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# binding ids (``tui/app/bindings.py``), most needed first; a binding not named here
# comes after all of these, in the bindings' order
FIRST = (
    "pause",
    "explain",
    "help",
    "quit",
    "answer",
    "show-me",
    "buy",
    "sell",
    "close",
    "step",
    "incident",
    "slower",
    "faster",
    "cancel-all",
    "leverage",
    "margin-mode",
    "orders",
    "tpsl",
    "history",
    "top-up",
    "adl-queue",
    "fund",
    "glossary",
)
PALETTE_EXTRA = 2  # the palette key's right padding and left border


class FittingFooter(Footer):
    """A ``Footer`` that chooses its keys by the room it has (see the module's doc)."""

    def __init__(self) -> None:
        super().__init__()
        self.composed_width = 0  # the width the keys were chosen for

    def compose(self):
        if not self._bindings_ready:
            return
        self.composed_width = self.size.width
        active = self.screen.active_bindings
        palette = (
            active.get(self.app.COMMAND_PALETTE_BINDING) if self.show_command_palette else None
        )
        room = self.size.width - (self._cells(palette.binding) + PALETTE_EXTRA if palette else 0)
        found = [entry for key, entry in active.items() if _shown(entry, key, self.app)]
        kept = set(fitting([(self._cells(e.binding), _rank(e, self.screen)) for e in found], room))
        for n, (_, binding, enabled, tooltip) in enumerate(found):
            if n in kept:
                yield self._key(binding, enabled, tooltip)
        if palette is not None:
            yield self._key(palette.binding, palette.enabled, palette.tooltip, "-command-palette")

    def on_resize(self) -> None:
        if self._bindings_ready and self.size.width != self.composed_width:
            self.call_after_refresh(self.recompose)

    def _key(self, binding: Binding, enabled: bool, tooltip: str, classes: str = "") -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip or binding.tooltip or binding.description,
            classes=classes,
        ).data_bind(compact=Footer.compact)

    def _cells(self, binding: Binding) -> int:
        """The key's width in the footer: the key and its description, padded."""
        padding = 2 if self.compact else 3
        return len(self.app.get_key_display(binding)) + len(binding.description) + padding


def fitting(keys: list[tuple[int, float]], room: int) -> list[int]:
    """The positions of the keys (width, rank) kept: by rank, each that still fits."""
    kept = []
    for n in sorted(range(len(keys)), key=lambda n: keys[n][1]):
        width = keys[n][0]
        if width <= room:
            kept.append(n)
            room -= width
    return kept


def _shown(entry, key: str, app) -> bool:
    """A key for the footer: described, not the palette's, and the app's or marked ``show``."""
    binding = entry.binding
    if not binding.description or key == app.COMMAND_PALETTE_BINDING:
        return False
    return binding.show or entry.node is app


def _rank(entry, screen) -> float:
    """``FIRST``'s order, a focused panel's keys right after quit (they are what it has
    the focus for; pause, explain, help and quit stay first at any width)."""
    if entry.node is not screen and entry.node is not screen.app:
        return FIRST.index("quit") + 0.5
    binding_id = entry.binding.id
    return FIRST.index(binding_id) if binding_id in FIRST else len(FIRST)
