"""Every environment variable the code reads is documented: in --help and the README."""

import re
from pathlib import Path

import pytest

from tui.cli import main
from tui.environment import VARIABLES

ROOT = Path(__file__).resolve().parents[2]
TESTS_ONLY = {"ADL_SOAK"}  # read by the test suite, documented in the README's tests part


def variables_read_by_the_code() -> set[str]:
    """``os.environ.get("X")`` / ``environ["X"]`` / ``getenv("X")`` in the packages."""
    pattern = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
    found = set()
    for package in ("engine", "tui", "benchmarks"):
        for path in (ROOT / package).rglob("*.py"):
            found |= set(pattern.findall(path.read_text()))
    return found


def test_the_table_names_every_variable_the_code_reads():
    documented = {name for name, _ in VARIABLES}
    assert variables_read_by_the_code() - TESTS_ONLY <= documented
    assert {"ADL_SANDBOX_HOME", "ADL_SANDBOX_CONFIG"} <= documented


def test_help_ends_with_the_environment_table_one_variable_a_line(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    table = out.split("environment variables:\n")[1]
    for name, _ in VARIABLES:
        assert re.search(rf"^  {name} +\S", table, re.MULTILINE), name


def test_the_readme_documents_each_variable():
    readme = (ROOT / "README.md").read_text()
    for name in {name for name, _ in VARIABLES} | TESTS_ONLY:
        assert f"`{name}`" in readme, name
