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


# The policy lab over flash-crash's whole hour (seed 7), the runs' measures as the
# engine gave them (fed through the screen's runner seam: a snapshot draws, it does
# not simulate nine hours of crash).
FLASH_CRASH_RUNS = (
    ("bitmex", 186, 182, 82, 771537344714, 926409252740000, 664181304545, 14101956010000),
    ("binance", 188, 186, 76, 830299092248, 995805322530000, 830299092248, 14032266810000),
    ("hyperliquid", 183, 187, 75, 893441230128, 931820726940000, 818936168153, 12715860940000),
    ("random", 184, 164, 79, 716835194487, 960604556290000, 716835194487, 17147472900000),
    ("pro_rata", 162, 135, 78, 555716150989, 737583281930000, 555716150989, 12314768040000),
    ("leverage_first", 190, 146, 75, 1148599890446, 813737135850000, 1148599890446, 13437302400000),
    ("clawback", 162, 227, 82, 19123886493463, 1206873826887970, 19123848358268, 10103895646642),
    (
        "capped_pro_rata",
        162,
        227,
        82,
        19123886493463,
        1206873826887970,
        19123848358268,
        10103895646642,
    ),
    (
        "risk_pro_rata",
        161,
        285,
        86,
        72414300138264,
        717686473194255,
        72414274741235,
        10545769561491,
    ),
)
FLASH_CRASH_REST = (  # overshoot, undershoot, largest ppm, fund min, fund end, bad debt, liq. after
    (13448437701017, 10662995562, 999272, 165220, 274597951568, 0, 161),
    (13229801769297, 27834051545, 999250, 53784, 265308405593, 0, 161),
    (11920295833854, 23371062007, 999242, 28435, 211198221824, 0, 157),
    (16435046195177, 4408489664, 998784, 116984, 31796665084, 0, 161),
    (11759063415500, 11526489, 199433, 78892, 83602974157, 0, 139),
    (12302808134129, 14105624575, 996407, 45674, 240447779505, 0, 162),
    (24504690, 9019977216316, 41197, -226878506766, 109655136086, 0, 139),
    (24504690, 9019977216316, 41197, -226878506766, 109655136086, 0, 139),
    (13423166, 61868518602910, 258477, -750295717623, 5201218805, 0, 139),
)


def flash_crash_runs(tasks):
    from engine.lab_run import RunMeasures

    for (policy, *head), rest in zip(FLASH_CRASH_RUNS, FLASH_CRASH_REST, strict=True):
        liquidations, events, hit, deficit, capacity, budget, taken = head
        yield RunMeasures(
            policy, 7, 3601, liquidations, events, hit, deficit, capacity, budget, taken, *rest
        )


def test_lab_snapshot(snap_compare):
    """Compare policies on this crash: the table, the bars of Σ deficit D, the words."""
    from engine.session import start
    from tui.app import SandboxApp
    from tui.app.screens.lab import LabScreen, open_lab

    app = SandboxApp(start("flash-crash"), paused=True, live=False, warmup=3600)

    async def open_the_lab(pilot):
        pilot.app.lab_runner = flash_crash_runs
        open_lab(pilot.app)
        while not (isinstance(pilot.app.screen, LabScreen) and len(pilot.app.screen.outcomes) == 9):
            await pilot.pause(0.02)
        await pilot.press("m", "m", "down")

    assert snap_compare(app, terminal_size=(160, 48), run_before=open_the_lab)
