"""The ADL queue: your side's positions in the order ADL would close them now, and why.

The lights publish a ranking every 10 s; this page asks the session for the side ranked
at the live mark under the policy in force (``Session.adl_queue``: the engine's own
ranking, so its first row is the first an ADL would take now), lists the head of the
queue and your neighbours — never a 100,000-row table — and switches the policy in
place (←/→ or p), so a learner sees who goes first under each.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from engine.frames import Frame
from engine.instrument import Instrument
from engine.policies import POLICY_BY_FIELD
from engine.views import QueueRow, QueueView
from tui.app import text
from tui.app.paced import Paced
from tui.app.policy_words import FORMULAS
from tui.app.screens.reading import ReadingScreen, title

WIDE = 104  # terminal columns from which the 99 columns fit in the dialog (border, padding)
COLUMNS = (  # (cell, heading, width, right-aligned): 99 columns
    ("rank", "rank", 8, True),
    ("trader", "trader", 12, False),
    ("lights", "lights", 6, False),
    ("score", "score", 10, True),
    ("size", "size", 9, True),
    ("upnl", "uPnL", 14, True),
    ("equity", "equity", 14, True),
    ("leverage", "leverage", 8, True),
    ("published", "published", 10, True),
)
NARROW = (  # 71 columns, for 80×24: equity left out
    ("rank", "rank", 7, True),
    ("trader", "trader", 9, False),
    ("lights", "lights", 6, False),
    ("score", "score", 9, True),
    ("size", "size", 8, True),
    ("upnl", "uPnL", 12, True),
    ("leverage", "lev.", 7, True),
    ("published", "pub.", 6, True),
)


class QueueScreen(ReadingScreen):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="queue-close"),
        Binding("k", "dismiss", "Close", show=False, id="queue-toggle"),
        Binding("left", "policy(-1)", "Previous policy", id="queue-policy-back", priority=True),
        Binding("right", "policy(1)", "Next policy", id="queue-policy-next", priority=True),
        Binding("p", "policy(1)", "Next policy", show=False, id="queue-policy"),
        Binding("enter", "put_in_force", "Put in force", id="queue-policy-apply"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._ranked: Paced[QueueView] = Paced()
        self.preview: str | None = None  # a ranking shown, not in force; None: the one in force

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="queue", classes="dialog wide"):
            yield Static(title("ADL queue"))
            yield Static(id="queue-policy")
            yield Static(id="queue-place", classes="hint")
            yield Static(id="queue-table")

    def on_mount(self) -> None:
        """Ask the app for a frame now: the queue shows at once, not a frame later."""
        self.app.render_frame()

    def update_view(self, frame: Frame) -> None:
        """Redraw from a frame; the side is ranked again when the user's commands (a new
        policy, an order) or the market changed (``Paced``: 100,000 positions take a
        while)."""
        session, preview = self.app.session, self.preview
        queue = self._ranked.get(
            (id(session), len(session.commands), preview),
            frame.steps,
            lambda: self.app.engine(lambda: session.adl_queue(preview)),
        )
        if queue is None:
            return
        in_force = str(frame.settings.ranking)
        self.query_one("#queue-policy", Static).update(policy_line(queue.policy, in_force))
        self.query_one("#queue-place", Static).update(Content(place_line(queue, frame.instrument)))
        wide = self.app.size.width >= WIDE
        self.query_one("#queue-table", Static).update(table(queue, frame.instrument, wide))

    def action_policy(self, steps: int) -> None:
        """The next (or previous) ranking policy, shown, not put in force (the market the
        page waits on keeps its rules): the table re-ranks."""
        names = POLICY_BY_FIELD["ranking"].names
        in_force = str(self.app.frame.settings.ranking)
        chosen = names[(names.index(self.preview or in_force) + steps) % len(names)]
        self.preview = None if chosen == in_force else chosen
        self.update_view(self.app.frame)

    def action_put_in_force(self) -> None:
        """The ranking shown becomes the market's (a journaled command, as the palette's)."""
        if self.preview is not None:
            policy, self.preview = self.preview, None
            self.app.configure(ranking=policy)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "put_in_force":
            return self.preview is not None
        return super().check_action(action, parameters)


def policy_line(policy: str, in_force: str) -> Content:
    """The policy ranking the table and its score, in the explain view's words; whether
    it is the market's or only shown."""
    names = POLICY_BY_FIELD["ranking"].names
    where = (
        ("in force", "dim")
        if policy == in_force
        else (f"shown only ({in_force} in force): enter puts it in force", "bold $warning")
    )
    return Content.assemble(
        (f"Ranking {policy}", "bold"),
        (f" ({names.index(policy) + 1}/{len(names)}, ←/→ other rankings) · ", "dim"),
        where,
        f"\nscore = {FORMULAS[policy]}",
    )


def place_line(queue: QueueView, i: Instrument) -> str:
    """Whose queue this is, ranked when, and where the user stands in it."""
    side = text.side_word(queue.side)
    when = (
        f"ranked now at the mark {text.price(i, queue.mark)} (the lights publish every 10 s: "
        "the last column is their rank)"
    )
    if not queue.has_position:
        return f"You have no open position: this is the {side}s' queue, {when}. b or s opens one."
    if queue.you is None:
        return f"Your {side} is not in the queue, {when}."
    return (
        f"Your {side} is rank {queue.you.rank:,} of {queue.length:,} {side}s, {when}. "
        "Rank 1 is deleveraged first; positions in profit come before any at a loss."
    )


def table(queue: QueueView, i: Instrument, wide: bool) -> Content:
    """The head of the queue and the user's neighbours, the user's row highlighted; a gap
    says how many positions it leaves out."""
    if not queue.rows:
        return Content(f"No {text.side_word(queue.side)} positions: the queue is empty.")
    columns = COLUMNS if wide else NARROW
    lines = [Content.styled(_line({c[0]: c[1] for c in columns}, columns), "bold")]
    after = -1
    for row in queue.rows:
        if row.index > after + 1:
            lines.append(Content.styled(_gap(row.index - after - 1), "dim"))
        cells = _row_cells(row, i, queue.lights_rule != "none", columns[1][2])
        lines.append(Content.styled(_line(cells, columns), "bold reverse" if row.you else ""))
        after = row.index
    if after < queue.length - 1:
        lines.append(Content.styled(_gap(queue.length - 1 - after), "dim"))
    return Content("\n").join(lines)


def _row_cells(row: QueueRow, i: Instrument, lit: bool, name: int) -> dict[str, str]:
    """The row's cells by column, the trader's name cut to ``name`` characters."""
    leverage = f"{row.notional / row.equity:.1f}x" if row.equity > 0 else "∞"
    return {
        "rank": f"{'▶ ' if row.you else ''}{row.rank:,}",
        "trader": row.account if len(row.account) <= name else row.account[: name - 1] + "…",
        "lights": "▮" * row.lights + "▯" * (5 - row.lights) if lit else "—",
        "score": text.score(row.score),
        "size": text.qty(i, row.lots),
        "upnl": text.signed_money(row.unrealized),
        "equity": text.money(row.equity),
        "leverage": leverage,
        "published": "—" if row.published_rank is None else f"{row.published_rank:,}",
    }


def _line(cells: dict[str, str], columns) -> str:
    return " ".join(
        cells[key].rjust(width) if right else cells[key].ljust(width)
        for key, _, width, right in columns
    )


def _gap(count: int) -> str:
    return f"{'…':>8} {count:,} more position{'s' if count != 1 else ''}"
