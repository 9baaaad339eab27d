"""``adl-sandbox verify PATH``: replay a journal and check every event matches.

Exit 0 and "identical" when the replay reproduces the journal event for event;
exit 1 naming the first step and event that diverge; exit 2 for a journal that
cannot be read at all.
"""

from __future__ import annotations

import argparse
import sys

from engine.restore import Divergence, Moved, restore
from tui.arguments import described


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "verify", help="replay a journal and check its events match", description=described(__doc__)
    )
    parser.add_argument("path", help="a journal written by the app or by simulate --journal")
    parser.add_argument(
        "--scenario",
        metavar="PATH",
        help="where the journal's scenario file is now, if it moved (its digest is checked)",
    )
    parser.add_argument(
        "--replay",
        metavar="FILE",
        help="where the journal's replay file is now, if it moved (its digest is checked)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        restored = restore(args.path, moved=Moved(args.scenario, args.replay))
    except Divergence as error:
        print(f"diverged at {error}")
        return 1
    for warning in restored.journal.warnings:
        print(f"adl-sandbox: warning: {warning}", file=sys.stderr)
    print(f"identical: {restored.records:,} records, {restored.session.steps:,} steps replayed")
    return 0
