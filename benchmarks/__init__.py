"""Speed figures for ADL Sandbox: ``python -m benchmarks [--json] [NAME ...]``.

Each module here exposes ``FIGURES``: a dict from figure name to a function that
measures it and returns a number. Benchmarks are not tests: nothing asserts on
time; the figures go in the README with the machine they came from.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

Figure = Callable[[], float]


def registry() -> dict[str, Figure]:
    """All figures, in module order, then in the order each module lists them."""
    figures: dict[str, Figure] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        if module.startswith("_"):
            continue
        figures.update(getattr(importlib.import_module(f"{__name__}.{module}"), "FIGURES", {}))
    return figures
