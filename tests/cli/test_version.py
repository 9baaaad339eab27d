"""``adl-sandbox --version`` names the installed package's version (its metadata)."""

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tui.cli import main

ADL_SANDBOX = str(Path(sys.executable).with_name("adl-sandbox"))


def test_version_prints_the_installed_metadata_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"adl-sandbox {version('adl-sandbox')}\n"


def test_the_console_script_answers_version_without_opening_anything(tmp_path):
    done = subprocess.run(
        [ADL_SANDBOX, "--version"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"adl-sandbox {version('adl-sandbox')}\n"
