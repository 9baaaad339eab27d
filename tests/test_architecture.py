"""The house rules that keep the code simple, checked rather than hoped for."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCREEN_PACKAGES = {"textual", "tui", "rich"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_the_engine_never_imports_the_screen():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & SCREEN_PACKAGES)
        for path in (ROOT / "engine").rglob("*.py")
        if imported_packages(path) & SCREEN_PACKAGES
    }
    assert offenders == {}


def test_the_engine_keeps_no_wall_clock_and_no_global_random():
    for path in (ROOT / "engine").rglob("*.py"):
        text = path.read_text()
        for banned in ("time.time(", "datetime.now(", "random.random(", "random.seed("):
            assert banned not in text, f"{path.relative_to(ROOT)} uses {banned}"
