"""The house rules that keep the code simple, checked rather than hoped for."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "tui", "benchmarks")
SCREEN_PACKAGES = {"textual", "tui", "rich"}
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 400


def sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, wherever the import statement stands."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def imported_packages(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


def test_the_engine_never_imports_the_screen():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & SCREEN_PACKAGES)
        for path in sources("engine")
        if imported_packages(path) & SCREEN_PACKAGES
    }
    assert offenders == {}


def test_the_engine_keeps_no_wall_clock_and_no_global_random():
    for path in sources("engine"):
        text = path.read_text()
        for banned in ("time.time(", "datetime.now(", "random.random(", "random.seed("):
            assert banned not in text, f"{path.relative_to(ROOT)} uses {banned}"


def test_no_import_cycle_among_the_projects_modules():
    """An import graph of every module (lazy imports included) has no cycle."""
    modules = {module_name(path): path for path in sources(*PACKAGES)}
    graph = {
        name: sorted(m for m in imported_modules(path) if m in modules and m != name)
        for name, path in modules.items()
    }
    for name in graph:  # a package's module imports its __init__ implicitly: not an edge
        graph[name] = [m for m in graph[name] if not name.startswith(m + ".")]
    cycles = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_module_and_no_engine_class_grows_past_its_size():
    too_long = []
    for path in sources(*PACKAGES):
        text = path.read_text()
        where = str(path.relative_to(ROOT))
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append((where, text.count("\n")))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and where.startswith("engine"):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    too_long.append((f"{where}:{node.name}", lines))
    assert too_long == []


HYGIENE = """
import sys
import engine.exchange, engine.simulation, engine.session, engine.frames, engine.report
from tui.cli import main
codes = [
    main(["calc", "liq", "--side", "long", "--qty", "1", "--entry", "10000", "--margin", "1000"]),
    main(["simulate", "--scenario", "calm", "--duration", "30s"]),
]
loaded = sorted(n for n in ("textual", "rich") if n in sys.modules)
print("LOADED", codes, loaded)
"""


def test_the_engine_calc_and_simulate_load_neither_textual_nor_rich():
    """Harlequin's rule, at run time: the headless paths never pay for the screen."""
    done = subprocess.run(
        [sys.executable, "-c", HYGIENE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines()[-1] == "LOADED [0, 0] []", done.stdout + done.stderr


UI_MAY_IMPORT = {
    "engine.views",  # what the engine shows
    "engine.events",  # what happened
    "engine.frames",  # one render's worth of both
    "engine.session",  # the commands a user sends
    "engine.orders",  # the order types those commands name
    "engine.policies",  # the rules a user may switch
    "engine.side",  # formatting helpers: sides, units, an instrument's grids and text
    "engine.units",
    "engine.instrument",
    "engine.errors",
    "engine.slices",  # a step in pieces, so that keys are answered during a long one
    "engine.lesson",  # a lesson's story and goals: data, like a scenario
    "engine.lesson_progress",  # how far the learner is, judged from frames
    "engine.lab",  # the policy lab: a re-run's plan, its runs on worker processes, their words
}
UI_MAY_NOT_READ = {"exchange", "simulation", "config"}


def ui_sources() -> list[Path]:
    return [*sources("tui/app"), ROOT / "tui" / "screenshots.py"]


def test_the_ui_reads_frames_and_events_and_sends_commands_nothing_else():
    """The app and its screenshots import from the engine only its views, events,
    frames, commands and formatting helpers, and never reach for the exchange, the
    simulation or the configuration behind a session."""
    imports, reaches = {}, {}
    for path in ui_sources():
        where = str(path.relative_to(ROOT))
        engine_imports = {m for m in imported_modules(path) if m.split(".")[0] == "engine"}
        modules = {m for m in engine_imports if m in UI_MAY_IMPORT or "." not in m}
        loose = {m for m in engine_imports - modules if m.rsplit(".", 1)[0] not in UI_MAY_IMPORT}
        if loose or "engine" in modules:
            imports[where] = sorted(loose | ({"engine"} & modules))
        tree = ast.parse(path.read_text())
        reached = {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in UI_MAY_NOT_READ
        }
        if reached:
            reaches[where] = sorted(reached)
    assert imports == {} and reaches == {}
