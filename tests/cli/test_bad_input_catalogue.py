"""Bad input at every edge gets its one line and exit 2, never a traceback."""

import pytest

from tui.cli import main

REPLAYS = {
    "garbage.csv": (b"lorem ipsum dolor\nsit amet\n", "cannot tell the format"),
    "empty.csv": (b"", "the file is empty"),
    "binary.csv": (bytes(range(256)) * 20, "binary data"),
    "huge.csv": (b"timestamp,price\n1700000000,1e400\n", "price"),
    "nan.csv": (b"timestamp,price\n1700000000,NaN\n", "price"),
    "inf.csv": (b"timestamp,price\n1700000000,inf\n", "price"),
    "negative.csv": (b"timestamp,price\n1700000000,-5\n", "price"),
    "backwards.csv": (b"timestamp,price\n1700000060,10\n1700000000,11\n", "time order"),
    "header-only.csv": (b"timestamp,price\n", "no data rows"),
}


def one_line_error(capsys, args) -> str:
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2, (args, out, err)
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("name", sorted(REPLAYS))
def test_a_bad_replay_file(capsys, tmp_path, name):
    data, fragment = REPLAYS[name]
    path = tmp_path / name
    path.write_bytes(data)
    err = one_line_error(capsys, ["simulate", "--replay", str(path)])
    assert str(path) in err and fragment.lower() in err.lower()


SCENARIOS = {
    "wrong type": ("duration = true\n", "duration: expected text or an integer or a number"),
    "bad section": ("feed = 3\n", "feed: expected a table"),
    "negative size": ('[population.makers]\nnotional = "-100"\n', "must not be negative"),
    "negative count": ("[population.crowd]\ncount = -4\n", "count: must be a whole number"),
    "shock without change": ('[[feed.shocks]]\nat = "1m"\nover = "1m"\n', "change: missing"),
    "replay without file": ('[feed]\nkind = "replay"\n', "feed.file: a replay feed needs"),
    "not toml": ("this is = = not toml\n", "not valid TOML"),
    "typo": ('[user]\nbalanse = "1"\n', "user.balanse: unknown key"),
}


@pytest.mark.parametrize("case", sorted(SCENARIOS))
def test_a_bad_scenario_file(capsys, tmp_path, case):
    text, fragment = SCENARIOS[case]
    path = tmp_path / "mine.toml"
    path.write_text(text)
    err = one_line_error(capsys, ["simulate", "--scenario", str(path)])
    assert str(path) in err and fragment in err


@pytest.mark.parametrize(
    "args",
    [
        ["calc", "liq", "--side", "long", "--qty", "0", "--entry", "1", "--margin", "1"],
        ["export", "/no/journal.jsonl", "--csv", "/tmp"],
        ["verify"],
        ["nonsense-command"],
        ["simulate", "--resume", "/no/journal.jsonl"],
    ],
)
def test_bad_commands(capsys, args):
    one_line_error(capsys, args)
