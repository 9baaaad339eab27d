"""How the project is set up: ``make`` checks the Python version before it makes .venv
(an older Python gets one line saying what is needed and what was found, and no
half-made .venv is left); the linter is pinned; the README says how to install."""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(tmp_path: Path, *targets: str, python: str | None = None, path: str = ""):
    env = dict(
        os.environ, PATH=f"{path}{os.pathsep}{os.environ['PATH']}" if path else os.environ["PATH"]
    )
    env.pop("MAKEFLAGS", None)
    venv = tmp_path / "venv"
    args = ["make", "-s", "-C", str(ROOT), f"VENV={venv}", *targets]
    if python:
        args.append(f"PYTHON={python}")
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60), venv


def fake_python(tmp_path: Path, version: str) -> Path:
    """A ``python3`` that answers the version check as a Python ``version`` would."""
    folder = tmp_path / "bin"
    folder.mkdir()
    fake = folder / "python3"
    fake.write_text(f"#!/bin/sh\necho {version}\nexit 1\n")
    fake.chmod(0o755)
    return folder


@needs_make
def test_python_3_10_on_path_is_refused_before_any_venv(tmp_path):
    done, venv = make(tmp_path, "run", path=str(fake_python(tmp_path, "3.10")))
    assert done.returncode != 0 and not venv.exists()
    assert done.stderr.startswith("Python ≥ 3.11 needed, found 3.10 (python3)")


@needs_make
def test_a_missing_python_is_said_as_such(tmp_path):
    done, venv = make(tmp_path, "test", python=str(tmp_path / "no-python"))
    assert done.returncode != 0 and not venv.exists()
    assert "Python ≥ 3.11 needed, found none" in done.stderr


@needs_make
def test_this_python_passes_the_check_silently(tmp_path):
    done, _ = make(tmp_path, "python-version", python=sys.executable)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_ruff_is_pinned_to_one_release():
    """A new ruff release with new rules must not turn CI red on code nobody changed."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (ruff,) = [r for r in project["project"]["optional-dependencies"]["test"] if "ruff" in r]
    assert re.fullmatch(r"ruff==\d+\.\d+\.\d+", ruff)


def test_the_readme_opens_with_the_lessons_and_the_two_make_commands_then_tool_installs():
    readme = (ROOT / "README.md").read_text()
    assert readme.split("\n", 2)[2].startswith("**New here? Run `adl-sandbox learn`**")
    top = readme.split("## The app")[0]
    assert "make run " in top and "make test " in top
    assert "pipx install ." in top and "uv tool install ." in top
