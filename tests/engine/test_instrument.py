"""Tiers, units and data files: the exact numbers of SPEC §1–2."""

from decimal import Decimal

import pytest

from engine.datafile import DataFileError
from engine.instrument import default_instrument, load_instrument, load_tiers
from engine.units import (
    MONEY_SCALE,
    UnitError,
    format_money,
    parse_duration,
    parse_rate,
    to_money,
)

USDT = MONEY_SCALE


def test_maintenance_amounts_follow_the_recurrence():
    tiers = load_tiers()
    cum = {t.floor // USDT: t.cum for t in tiers}
    assert cum[0] == 0
    assert cum[50_000] == 50 * USDT
    assert cum[250_000] == 1_300 * USDT
    assert cum[1_000_000] == 16_300 * USDT
    assert cum[10_000_000] == 266_300 * USDT


def test_tier_is_chosen_by_notional_floor():
    instrument = default_instrument()
    assert instrument.tier_for(0).number == 1
    assert instrument.tier_for(50_000 * USDT - 1).number == 1
    assert instrument.tier_for(50_000 * USDT).number == 2
    assert instrument.tier_for(10**12 * USDT).max_leverage == 1


def test_one_lot_at_one_tick_is_a_whole_number_of_money_units():
    instrument = default_instrument()
    assert instrument.contract_value == 10_000  # 0.001 BTC × 0.1 USDT = 0.0001 USDT


def test_sizes_and_prices_must_sit_on_the_grid():
    instrument = default_instrument()
    assert instrument.lots("0.015") == 15
    assert instrument.ticks("50000.1") == 500_001
    with pytest.raises(UnitError, match="not a multiple of the lot size 0.001"):
        instrument.lots("0.0015")
    with pytest.raises(UnitError, match="not a multiple of the tick size 0.1"):
        instrument.ticks("100.05")
    with pytest.raises(UnitError, match="must be positive"):
        instrument.lots("0")
    with pytest.raises(UnitError, match="not a number"):
        instrument.ticks("abc")
    with pytest.raises(UnitError, match="finite"):
        instrument.ticks("nan")


def test_units_parse_exactly_and_print_exactly():
    assert parse_rate("0.05%") == 500
    assert parse_rate("0.0001") == 100
    assert parse_duration("90s") == 90 * 10**6
    assert parse_duration("8h") == 8 * 3600 * 10**6
    assert to_money("1.5") == 150_000_000
    assert format_money(-150_000_001) == "-1.50000001"
    with pytest.raises(UnitError):
        to_money("0.000000001")
    assert Decimal(format_money(123_456_789)) == Decimal("1.23456789")


def write(tmp_path, text, name="tiers.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_bad_tier_file_names_file_key_and_problem(tmp_path):
    path = write(tmp_path, '[[tiers]]\nfloor = "0"\nmax_leverage = 125\n')
    with pytest.raises(DataFileError) as error:
        load_tiers(path)
    assert str(error.value) == f"{path}: tiers[0].mmr: missing"

    path = write(tmp_path, '[[tiers]]\nfloor = "0"\nmax_leverage = "many"\nmmr = "1%"\n')
    with pytest.raises(DataFileError, match=r"tiers\[0\]\.max_leverage: expected an integer"):
        load_tiers(path)

    text = (
        '[[tiers]]\nfloor = "0"\nmax_leverage = 10\nmmr = "1%"\n'
        '[[tiers]]\nfloor = "0"\nmax_leverage = 5\nmmr = "2%"\n'
    )
    with pytest.raises(DataFileError, match=r"tiers\[1\]\.floor: floors must increase"):
        load_tiers(write(tmp_path, text))

    with pytest.raises(DataFileError, match="not valid TOML"):
        load_tiers(write(tmp_path, "[[tiers]\n"))
    with pytest.raises(DataFileError, match="no such file"):
        load_tiers(tmp_path / "missing.toml")


def test_an_instrument_file_can_bring_its_own_tiers(tmp_path):
    path = write(
        tmp_path,
        'symbol = "ETHUSDT"\ntick_size = "0.01"\nlot_size = "0.01"\n'
        '[[tiers]]\nfloor = "0"\nmax_leverage = 50\nmmr = "1%"\n',
        "eth.toml",
    )
    instrument = load_instrument(path)
    assert instrument.symbol == "ETHUSDT"
    assert instrument.contract_value == 10_000  # 0.01 × 0.01 = 0.0001 USDT
    assert instrument.tiers[0].max_leverage == 50

    bad = write(tmp_path, 'symbol = "X"\ntick_size = "0.1"\nlot_size = "1"\ntick = 3\n', "x.toml")
    with pytest.raises(DataFileError, match="tick: unknown key"):
        load_instrument(bad)


def test_a_liquidation_fee_is_refused_with_the_reason(tmp_path):
    """The owner loses the whole margin and the surplus is the fund's: a fee on top would
    be charged twice, so a file that sets one is told why instead of silently ignored."""
    path = write(
        tmp_path, 'tick_size = "0.1"\nlot_size = "0.001"\nliquidation_fee = "0.5%"\n', "f.toml"
    )
    with pytest.raises(DataFileError, match="liquidation_fee: is not a setting: .*clearance"):
        load_instrument(path)
