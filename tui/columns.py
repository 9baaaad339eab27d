"""Plain aligned columns for the command line's tables: no styling library, so the
headless commands (``calc``, ``simulate``) load neither Textual nor Rich."""

from __future__ import annotations


def table(header: tuple[str, ...] | None, rows: list[tuple[str, ...]], left: set[int]) -> list[str]:
    """Plain aligned columns: the ``left`` columns (text) left-aligned, numbers right."""
    lines = [header, *rows] if header else rows
    widths = [max(len(row[c]) for row in lines) for c in range(len(lines[0]))]
    return [
        "  ".join(
            cell.ljust(width) if c in left else cell.rjust(width)
            for c, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in lines
    ]
