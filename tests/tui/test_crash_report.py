"""An engine failure inside the app leaves its traceback in a crash file, which the
notification names: a bug report has a stack trace."""

from __future__ import annotations

import platform

from engine.journal import project_version
from tui.crash_report import keep_crash

from .helpers import drive, paused_app, seen


def test_a_failing_engine_call_writes_a_crash_file_and_the_notification_names_it(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    app = paused_app(steps=5)

    def broken() -> bool:
        raise ZeroDivisionError("the mark broke")

    async def script(pilot):
        app.market.step = broken
        await pilot.press("n")
        screen = " ".join((await seen(pilot)).split())
        (crash,) = (tmp_path / "crashes").iterdir()
        assert "ZeroDivisionError: the mark broke" in screen and "The traceback is in" in screen
        assert crash.name in screen.replace(" ", "") and app.market.paused
        text = crash.read_text()
        assert text.startswith(f"adl-sandbox {project_version()}\n")
        assert f"Python CPython {platform.python_version()}" in text
        assert "Traceback (most recent call last)" in text and "in broken" in text

    drive(app, script, size=(200, 50))


def test_the_same_failure_again_is_not_written_again(tmp_path, monkeypatch):
    """A frame that fails at every redraw would otherwise write ten files a second."""
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    error = _raised(RuntimeError("again"))
    first, second = keep_crash(error), keep_crash(error)
    assert first == second and len(list((tmp_path / "crashes").iterdir())) == 1
    keep_crash(_raised(RuntimeError("another")))
    assert len(list((tmp_path / "crashes").iterdir())) == 2


def test_a_crash_folder_that_cannot_be_written_is_said_not_raised(tmp_path, monkeypatch):
    (tmp_path / "crashes").write_text("a file where the folder should be")
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    assert keep_crash(_raised(RuntimeError("x"))).startswith("The traceback could not be saved")


def _raised(error: Exception) -> Exception:
    try:
        raise error
    except Exception as caught:
        return caught
