"""flash-crash as shipped, with a crowd of another size: the realistic data for the
figures that scale with accounts (the crash, the crowd's cost per account)."""

from __future__ import annotations

from pathlib import Path

SHIPPED_CROWD = "count = 200\n"


def flash_crash_with_crowd(count: int, folder: str | Path) -> Path:
    """A copy of flash-crash.toml in ``folder`` whose crowd has ``count`` traders."""
    from engine.scenario import scenario_path

    text = scenario_path("flash-crash").read_text()
    assert SHIPPED_CROWD in text, "flash-crash.toml's crowd is no longer 200"
    path = Path(folder) / f"flash-crash-{count}.toml"
    path.write_text(text.replace(SHIPPED_CROWD, f"count = {count}\n"))
    return path
