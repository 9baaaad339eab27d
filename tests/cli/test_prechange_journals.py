"""The restructured exchange behaves exactly as the one before it: journals written by the
earlier code (``tests/fixtures/prechange/make.py``) replay identically, event for event.

Kept while the engine's behaviour is meant to be unchanged; a deliberate change of
behaviour retires these journals (and says so in its commit).
"""

import gzip
import shutil
from pathlib import Path

import pytest

from tui.cli import main

JOURNALS = sorted((Path(__file__).parents[1] / "fixtures" / "prechange").glob("*.jsonl.gz"))


@pytest.mark.parametrize("packed", JOURNALS, ids=[p.name.split(".")[0] for p in JOURNALS])
def test_a_journal_of_the_earlier_code_verifies_identical(packed, tmp_path, capsys):
    journal = tmp_path / packed.name.removesuffix(".gz")
    with gzip.open(packed, "rb") as source, journal.open("wb") as sink:
        shutil.copyfileobj(source, sink)
    code = main(["verify", str(journal)])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("identical: "), out


def test_every_scenario_is_pinned():
    names = {p.name.split(".")[0] for p in JOURNALS}
    assert len(JOURNALS) == 20 and "flash-crash-1-trading" in names
