"""The config file: theme, speed and venue as the app's defaults, flags beating it, and
a mistake in it one line naming the file and the key, never a stopped app."""

from __future__ import annotations

import math
import os

import pytest

from tui import cli
from tui.app import SandboxApp
from tui.preferences import Preferences, config_path, read_preferences
from tui.theme_key import ThemeNotKept, keep_theme, with_theme


@pytest.fixture
def config(tmp_path, monkeypatch):
    path = tmp_path / "config" / "adl-sandbox.toml"
    path.parent.mkdir()
    monkeypatch.setenv("ADL_SANDBOX_CONFIG", str(path))
    return path


@pytest.fixture
def opened(monkeypatch, tmp_path):
    """Apps the command would have run (``run`` replaced: no terminal needed)."""
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path / "home"))
    apps: list[SandboxApp] = []
    monkeypatch.setattr(SandboxApp, "run", lambda self: apps.append(self))
    return apps


def venue(app: SandboxApp) -> str | None:
    return app.session.simulation.settings["venue"]


# -- where it is, and what it says -------------------------------------------------------


def test_the_path_is_the_env_var_else_the_home_else_the_platform_config_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("ADL_SANDBOX_CONFIG", raising=False)
    monkeypatch.delenv("ADL_SANDBOX_HOME", raising=False)
    assert config_path().parts[-2:] == ("adl-sandbox", "config.toml")
    monkeypatch.setenv("ADL_SANDBOX_HOME", str(tmp_path))
    assert config_path() == tmp_path / "config.toml"
    monkeypatch.setenv("ADL_SANDBOX_CONFIG", str(tmp_path / "mine.toml"))
    assert config_path() == tmp_path / "mine.toml"


def test_a_missing_file_is_no_problem(config):
    assert read_preferences() == (Preferences(config), ())


def test_a_good_file_sets_all_three(config):
    config.write_text('theme = "nord"\nspeed = 10\nvenue = "okx"\n')
    assert read_preferences() == (Preferences(config, "nord", "10", "okx"), ())


@pytest.mark.parametrize(
    ("text", "problem", "kept"),
    [
        (
            "speed = 3\nspeed 4",
            "not valid TOML (Expected '=' after a key in a key/value pair (at line 2, column 7))",
            {},
        ),
        ('venue = "ftx"\nspeed = 5', "venue: 'ftx' is not one of bitmex, binance", {"speed": "5"}),
        ("speed = true", "speed: True is not a number or max", {}),
        ('theme = 3\nvenue = "okx"', "theme: 3 is not a name in quotes", {"venue": "okx"}),
        ('colour = "red"', "colour: unknown key (known: theme, speed, venue); ignored", {}),
    ],
)
def test_each_mistake_is_one_line_naming_file_and_key_and_the_rest_still_counts(
    config, text, problem, kept
):
    config.write_text(text)
    preferences, problems = read_preferences()
    assert len(problems) == 1 and problems[0].startswith(f"{config}: ")
    assert problem in problems[0] and "\n" not in problems[0]
    assert preferences == Preferences(config, **kept)


# -- the app reads it; flags beat it -------------------------------------------------------


def test_the_files_speed_and_venue_reach_the_app(config, opened, capsys):
    config.write_text('speed = "max"\nvenue = "bybit"\n')
    assert cli.main(["--scenario", "calm"]) == 0
    (app,) = opened
    assert math.isinf(app.market.speed) and venue(app) == "bybit"
    assert capsys.readouterr().err == ""


def test_flags_beat_the_file(config, opened):
    config.write_text('speed = 50\nvenue = "bybit"\n')
    assert cli.main(["--scenario", "calm", "--speed", "3", "--venue", "okx"]) == 0
    (app,) = opened
    assert app.market.speed == 3 and venue(app) == "okx"


def test_without_a_file_the_defaults_hold(config, opened):
    assert cli.main(["--scenario", "calm"]) == 0
    (app,) = opened
    assert app.market.speed == 1 and venue(app) is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("speed = 0", "speed: '0' must be above 0 and at most 100000, or max"),
        ('speed = "fast"', "speed: 'fast' is not a number or max"),
        ('theme = "neon-pink"', "theme: 'neon-pink' is not one of "),
        ('venue = "ftx"', "venue: 'ftx' is not one of "),
        ("[broken", "not valid TOML"),
    ],
)
def test_a_bad_file_is_one_line_on_stderr_and_the_app_starts_with_the_defaults(
    config, opened, capsys, text, key
):
    config.write_text(text)
    assert cli.main(["--scenario", "calm"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"adl-sandbox: {config}: ") and key in err
    assert "Traceback" not in err
    (app,) = opened
    assert app.market.speed == 1 and venue(app) is None and app.themes.theme is None
    assert config.read_text() == text  # never written over


def test_a_resumed_session_keeps_its_journals_venue_and_is_not_refused(config, opened, capsys):
    assert cli.main(["--scenario", "calm", "--venue", "okx"]) == 0
    config.write_text('venue = "bybit"\n')
    assert cli.main(["--resume"]) == 0
    assert venue(opened[1]) == "okx"


def test_the_files_theme_is_what_the_app_opens_with(config, opened):
    config.write_text('theme = "nord"\n')
    assert cli.main(["--scenario", "calm"]) == 0
    (app,) = opened
    assert (app.themes.path, app.themes.theme) == (config, "nord")


def test_a_lesson_opens_with_the_files_theme_too(config, opened):
    config.write_text('theme = "dracula"\nspeed = 40\n')
    assert cli.main(["learn", "1"]) == 0
    (app,) = opened
    assert app.themes.theme == "dracula" and app.market.speed == 1  # a lesson keeps its pace


# -- the theme written back: that key alone ------------------------------------------------

USERS_FILE = """# my settings
speed = 10   # fast
venue = 'okx'

[future]
theme = "not this one"
"""


def test_the_theme_is_added_above_the_first_table_and_nothing_else_moves(config):
    config.write_text(USERS_FILE)
    assert keep_theme(config, "nord") is True
    lines = config.read_text().splitlines(keepends=True)
    assert lines == [
        *USERS_FILE.splitlines(keepends=True)[:4],
        'theme = "nord"\n',
        *(USERS_FILE.splitlines(keepends=True)[4:]),
    ]


def test_an_existing_theme_line_is_replaced_in_place_with_its_comment(config):
    config.write_text("theme = 'gruvbox'  # dark, please\nspeed = 2")
    keep_theme(config, "textual-light")
    assert config.read_text() == 'theme = "textual-light"  # dark, please\nspeed = 2'
    assert keep_theme(config, "textual-light") is False  # already so: not written


def test_a_missing_file_and_folder_are_made(tmp_path):
    path = tmp_path / "new" / "config.toml"
    keep_theme(path, "nord")
    assert path.read_text() == 'theme = "nord"\n'


def test_the_write_is_atomic_keeps_the_mode_and_leaves_nothing_beside(config):
    config.write_text("speed = 3\n")
    os.chmod(config, 0o640)
    keep_theme(config, "monokai")
    assert sorted(p.name for p in config.parent.iterdir()) == [config.name]
    assert config.stat().st_mode & 0o777 == 0o640


def test_a_symlinked_file_is_written_where_it_points(tmp_path):
    real = tmp_path / "dotfiles" / "adl.toml"
    real.parent.mkdir()
    real.write_text("speed = 3\n")
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    keep_theme(link, "nord")
    assert link.is_symlink() and real.read_text() == 'speed = 3\ntheme = "nord"\n'


def test_a_file_that_is_not_toml_is_never_written(config):
    config.write_text("speed = = 3\n")
    with pytest.raises(ThemeNotKept, match="not valid TOML"):
        keep_theme(config, "nord")
    assert config.read_text() == "speed = = 3\n"


def test_a_layout_the_edit_cannot_follow_is_refused_not_damaged(config):
    text = '"theme" = "nord"\n'  # a quoted key: the line is not recognised
    config.write_text(text)
    with pytest.raises(ThemeNotKept, match='set theme = "gruvbox" there'):
        keep_theme(config, "gruvbox")
    assert config.read_text() == text


def test_with_theme_quotes_the_name_as_toml():
    assert with_theme("", 'a"b') == 'theme = "a\\"b"\n'
