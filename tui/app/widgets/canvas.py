"""A Line-API widget drawn as rows of styled text, repainting only the rows that change.

The ladder and the chart redraw up to ten times a second while most of their rows
stay the same (a book moves at the touch, a chart at its right edge). Each frame
hands over plain rows, tuples of (text, style) pieces; rows equal to the last
frame's keep their cached strip and are not repainted.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

Piece = tuple[str, Style | None]
Row = tuple[Piece, ...]


class LineCanvas(Widget):
    """Subclasses lay out their data as rows in ``draw()``; ``paint`` does the rest."""

    can_focus = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._rows: list[Row] = []
        self._strips: dict[int, Strip] = {}
        self._base: Style | None = None  # the widget's own style, under every piece
        self.repainted = 0  # rows repainted by the last frame: what tests and benchmarks read

    def draw(self) -> None:
        """Lay out the current data as rows and ``paint`` them (subclasses)."""

    def paint(self, rows: list[Row]) -> None:
        if self._base is None:
            self._base = self.rich_style  # Textual forgets it at each refresh: keep it here
        old, width = self._rows, self.size.width
        changed = [y for y, row in enumerate(rows) if y >= len(old) or old[y] != row]
        changed += range(len(rows), len(old))  # rows that went away
        for y in changed:
            self._strips.pop(y, None)
        if changed:
            self.refresh(*[Region(0, y, width, 1) for y in changed])
        self._rows = rows
        self.repainted = len(changed)

    def on_resize(self) -> None:
        self.restyle()

    def restyle(self) -> None:
        """Forget every cached row and draw afresh (a new size or a new theme)."""
        self._rows, self._strips, self._base = [], {}, None
        self.draw()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        strip = self._strips.get(y)
        if strip is None:
            row = self._rows[y] if y < len(self._rows) else ()
            segments = [Segment(text, style) for text, style in row]
            strip = Strip(segments).adjust_cell_length(self.size.width)
            strip = self._strips[y] = strip.apply_style(self._base or self.rich_style)
        return strip

    def row_text(self, y: int) -> str:
        """The plain text of a row, as drawn."""
        return "".join(text for text, _ in self._rows[y]) if y < len(self._rows) else ""

    @property
    def text(self) -> str:
        return "\n".join(self.row_text(y) for y in range(len(self._rows)))
