"""Scripted scenarios: declared accounts with their positions and orders, a price path.

The waterfall's exact tests and the lessons stand on these, so the set-up itself is
checked to the unit: every declared position as written, the ledger exact, the
index where the path says at every step, and every mistake one line naming its key.
"""

from pathlib import Path

import pytest

from engine.datafile import DataFileError
from engine.scenario import load_scenario
from engine.simulation import Simulation
from engine.units import MONEY_SCALE, SECOND

WATERFALL = Path(__file__).parents[1] / "fixtures" / "scenarios" / "waterfall.toml"
USDT = MONEY_SCALE


def test_declared_positions_are_opened_as_written_and_the_ledger_is_exact():
    simulation = Simulation(load_scenario(WATERFALL))
    exchange = simulation.exchange
    l_view = exchange.account_view("L")
    assert (l_view.position.side, l_view.position.lots) == (1, 10)
    assert l_view.position.entry == 50_000 * 100  # ticks of 0.01
    assert l_view.isolated_margin == 25_000 * USDT  # 10 × 50,000 / 20x
    assert exchange.account_view("S3").isolated_margin == 204_000 * USDT
    assert exchange.account_view("MM").position is None
    assert [(o.qty, o.price) for o in exchange.account_view("MM").orders] == [
        (4, 4_755_000),
        (1, 4_690_000),
        (2, 4_600_000),
    ]
    assert all(exchange.check_invariants().values())
    # the entries imply 13,000 USDT of profit already taken by traders who left
    assert exchange.ledger_totals().withdrawals == 13_000 * USDT


def test_the_path_is_the_index_at_every_step(tmp_path):
    path = tmp_path / "path.toml"
    path.write_text(
        '[feed]\nkind = "path"\nstep = "1s"\n'
        'points = [["0s", "50000"], ["10s", "51000"], ["20s", "50000"]]\n'
    )
    simulation = Simulation(load_scenario(path))
    seen = []
    while simulation.step():
        seen.append(simulation.exchange.market_view().index)
    assert simulation.duration == 20 * SECOND  # no duration given: the path's length
    assert seen[:3] == [500_000, 501_000, 502_000]  # 100 USDT a second, ticks of 0.1
    assert seen[10] == 510_000 and seen[15] == 505_000 and seen[-1] == 500_000


def test_a_later_order_goes_in_at_its_time(tmp_path):
    text = (
        WATERFALL.read_text()
        .replace(
            '{ side = "buy", type = "limit", qty = "2", price = "46000" },',
            '{ side = "buy", type = "limit", qty = "2", price = "46000", at = "5s" },',
        )
        .replace('["1s", "47900"], ["2s", "46900"]', '["10s", "50000"]')
    )
    path = tmp_path / "later.toml"
    path.write_text(text)
    simulation = Simulation(load_scenario(path))
    assert len(simulation.exchange.account_view("MM").orders) == 2
    for _ in range(5):
        simulation.step()
    assert len(simulation.exchange.account_view("MM").orders) == 2
    simulation.step()
    assert len(simulation.exchange.account_view("MM").orders) == 3


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'qty = "2", entry = "52000"',
            'qty = "3", entry = "52000"',
            "accounts: the declared positions do not net to zero: longs 20, shorts 21",
        ),
        ('qty = "2", entry = "52000"', 'qty = "2", entry = "-5"', "accounts[0].position.entry"),
        ('side = "short", qty = "2"', 'side = "up", qty = "2"', "accounts[0].position.side"),
        ('balance = "5200"', 'balance = "5000"', "S1's balance cannot pay"),
        ('price = "46000" }', 'price = "46000.001" }', "accounts[6].orders[2]: refused: price"),
        ('["1s", "47900"]', '["0s", "47900"]', "feed.points[1]: times must rise"),
        ('id = "S2"', 'id = "S1"', "accounts[1].id: 'S1' is declared twice"),
    ],
)
def test_each_mistake_in_a_scripted_scenario_is_one_line_naming_its_key(
    tmp_path, old, new, message
):
    path = tmp_path / "bad.toml"
    path.write_text(WATERFALL.read_text().replace(old, new, 1))
    with pytest.raises(DataFileError) as error:
        Simulation(load_scenario(path))
    assert str(path) in str(error.value) and message in str(error.value)
    assert "\n" not in str(error.value)
