"""``adl-sandbox sessions``: the saved sessions; ``sessions prune``: remove old ones.

Every session the app opens is kept in the data directory (a simulated hour is some
3 MB), and nothing removes them but this. The listing marks the last session (the
one ``--resume`` opens) with *, and any session open in an app now.

  adl-sandbox sessions prune --keep 5          keep the five most recently used
  adl-sandbox sessions prune --older-than 7d   remove those unused for a week
  adl-sandbox sessions prune --keep 5 --older-than 7d   only what both let go

Prune never removes the last session, nor one open in another process (it is
locked while open). It says what it removed and how many bytes that freed.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from typing import TYPE_CHECKING

from engine.units import SECOND, parse_duration
from tui import sessions
from tui.arguments import HelpText, Parser, UserError, described, whole_number

if TYPE_CHECKING:
    from tui.pruning import Rules
    from tui.saved_sessions import SavedSession


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "sessions",
        help="list the saved sessions, or prune them",
        description=described(__doc__),
        formatter_class=HelpText,
    )
    actions = parser.add_subparsers(dest="sessions_action", parser_class=Parser, metavar="ACTION")
    prune = actions.add_parser(
        "prune",
        help="remove old sessions (never the last one, nor one open now)",
        description="Remove saved sessions: the last one and any open one are always kept.",
    )
    prune.add_argument(
        "--keep", type=whole_number, metavar="N", help="keep the N most recently used"
    )
    prune.add_argument(
        "--older-than", metavar="AGE", help="remove only sessions unused for longer (7d, 12h)"
    )


def run(args: argparse.Namespace) -> int:
    from tui.saved_sessions import saved_sessions

    if args.sessions_action == "prune":
        return _prune(_rules(args))
    return _list(saved_sessions())


def _rules(args: argparse.Namespace) -> Rules:
    if args.keep is None and args.older_than is None:
        raise UserError("sessions prune: say what to remove: --keep N, --older-than AGE, or both")
    from tui.pruning import Rules

    age = None if args.older_than is None else parse_duration(args.older_than, "--older-than")
    return Rules(keep=args.keep, older_than=None if age is None else age / SECOND)


def _list(saved: tuple[SavedSession, ...]) -> int:
    folder = sessions.sessions_dir()
    if not saved:
        print(f"No saved sessions in {folder}")
        return 0
    width = max(len(s.name) for s in saved)
    scenario_width = max(len("scenario"), *(len(s.scenario) for s in saved))
    print(f"  {'session':<{width}}  {'scenario':<{scenario_width}}  {'size':>8}  last used")
    for s in saved:
        mark = "*" if s.last else " "
        row = f"{mark} {s.name:<{width}}  {s.scenario:<{scenario_width}}  {size(s.size):>8}"
        print(f"{row}  {_when(s.modified)}{_open(s)}")
    total = sum(s.size for s in saved)
    print(f"\n{len(saved)} session(s), {size(total)} in {folder}")
    if any(s.last for s in saved):
        print("* the last session: `adl-sandbox --resume` opens it")
    return 0


def _prune(rules: Rules) -> int:
    from tui.pruning import prunable, remove
    from tui.saved_sessions import saved_sessions

    outcomes = [remove(s) for s in prunable(saved_sessions(), rules, time.time())]
    for o in outcomes:
        if o.removed:
            print(f"removed {o.session.name} ({o.session.scenario}, {size(o.session.size)})")
        else:
            print(f"kept {o.session.name}: {o.reason}")
    gone = [o.session for o in outcomes if o.removed]
    freed = sum(s.size for s in gone)
    print(f"Removed {len(gone)} session(s), {freed:,} bytes ({size(freed)}) freed.")
    return 0


def size(count: int) -> str:
    """Bytes as a person reads them (decimal units, as file managers show)."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def _open(session: SavedSession) -> str:
    return f"  (open now, pid {session.owner})" if session.owner else ""
