"""The theme picked in the app (ctrl+p, "theme") is kept in the config file, which the
next app opens with; an app made without a keeper reads and writes no file."""

from __future__ import annotations

from tui.app import SandboxApp
from tui.app.theme_keeper import ThemeKeeper

from .helpers import drive, seen, session


def app_keeping(path, theme=None) -> SandboxApp:
    keeper = ThemeKeeper(path, theme)
    return SandboxApp(session(), paused=True, live=False, themes=keeper)


def test_a_theme_picked_in_the_app_is_written_to_the_config_file_and_reopened(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("speed = 4  # mine\n")
    app = app_keeping(path)

    async def script(pilot):
        app.theme = "nord"  # what the palette's theme picker does
        await seen(pilot)

    drive(app, script)
    assert path.read_text() == 'speed = 4  # mine\ntheme = "nord"\n'

    reopened = app_keeping(path, "nord")

    async def opens_with_it(pilot):
        await seen(pilot)
        assert reopened.theme == "nord"

    drive(reopened, opens_with_it)
    assert path.read_text() == 'speed = 4  # mine\ntheme = "nord"\n'


def test_a_file_that_cannot_take_the_theme_is_a_notification_and_left_alone(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("speed = = 4\n")
    app = app_keeping(path)

    async def script(pilot):
        app.theme = "gruvbox"
        screen = await seen(pilot)
        assert "Theme not saved" in screen and app.is_running

    drive(app, script)
    assert path.read_text() == "speed = = 4\n"


def test_an_app_without_a_keeper_touches_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ADL_SANDBOX_CONFIG", str(tmp_path / "config.toml"))
    app = SandboxApp(session(), paused=True, live=False)

    async def script(pilot):
        app.theme = "nord"
        await seen(pilot)

    drive(app, script)
    assert list(tmp_path.iterdir()) == []
