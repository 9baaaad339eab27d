"""Run the benchmarks: a table by default, one JSON object with ``--json``."""

from __future__ import annotations

import argparse
import json
import platform
import sys

from benchmarks import registry
from benchmarks.targets import TARGETS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help="figures to measure (default: all)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    figures = registry()
    unknown = [n for n in args.names if n not in figures]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; known: {', '.join(figures)}", file=sys.stderr)
        return 2
    results = {}
    for name in args.names or list(figures):
        if not args.json:
            print(f"measuring {name} …", file=sys.stderr, flush=True)
        results[name] = round(figures[name](), 3)
    if args.json:
        print(json.dumps(results))
    else:
        print_table(results)
    return 0


def print_table(results: dict[str, float]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"ADL Sandbox benchmarks — {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}"
    )
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("", justify="center")
    for name, value in results.items():
        target = TARGETS.get(name)
        if target is None:
            table.add_row(name, f"{value:,.3f}", "", "")
            continue
        op, bound = target
        met = value >= bound if op == ">=" else value <= bound
        table.add_row(name, f"{value:,.3f}", f"{op} {bound:,}", "✓" if met else "✗")
    Console().print(table)


if __name__ == "__main__":
    sys.exit(main())
