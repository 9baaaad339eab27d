"""SVG snapshots of the views a learner meets: the scenes ``make screenshots`` draws.

Fixed seeds, fixed sizes, the engine stepped by hand. Regenerate with
``pytest tests/tui --snapshot-update`` after a deliberate change, and look at the
new SVGs before checking them in.
"""

from __future__ import annotations

import pytest

from tui.screenshots import SCENES

SNAPSHOTS = (
    "main-screen",
    "order-ticket",
    "ticket-preview",
    "trade-history",
    "explain",
    "adl-detail",
    "lesson",
    "fund",
    "glossary",
    "queue",
    "what-if",
    "small-terminal",  # 80×24: the position and the log, the footer's first keys
)


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_snapshot(name, snap_compare):
    scene = next(s for s in SCENES if s.name == name)
    assert snap_compare(scene.app(), terminal_size=scene.size, run_before=scene.script)
