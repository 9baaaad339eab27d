"""Mark price policies, the funding rate formula and exact funding payments (SPEC §4)."""

from dataclasses import replace

from engine.book import OrderBook
from engine.events import FundingPayment, FundingSettled
from engine.exchange import Exchange, ExchangeConfig
from engine.instrument import FundingSettings, default_instrument
from engine.orders import Order
from engine.pricing import PriceState, funding_rate, premium_index
from engine.units import HOUR, MONEY_SCALE

from .helpers import assert_invariants

USDT = MONEY_SCALE
SETTINGS = FundingSettings()  # I = 0.01 %, clamp 0.05 %, cap 0.75 %


def test_funding_rate_is_premium_plus_clamped_interest_and_capped():
    assert funding_rate(0, SETTINGS) == 100  # premium 0 → the interest rate, 0.01 %
    assert funding_rate(300, SETTINGS) == 100  # 300 + clamp(−200)
    assert funding_rate(1_000, SETTINGS) == 500  # 1000 + clamp(−900 → −500)
    assert funding_rate(-1_000, SETTINGS) == -500  # −1000 + clamp(1100 → 500)
    assert funding_rate(10_000, SETTINGS) == 7_500  # capped at 0.75 %
    assert funding_rate(-10_000, SETTINGS) == -7_500


def test_premium_index_from_impact_prices():
    assert premium_index(100_000, 99_000, 101_000) == 0  # index inside the impact spread
    assert premium_index(100_000, 102_000, 103_000) == 20_000  # bids above the index: +2 %
    assert premium_index(100_000, 97_000, 99_000) == -10_000  # asks below the index: −1 %
    assert premium_index(100_000, None, None) == 0


def book_with(bids, asks):
    book = OrderBook()
    for i, (price, qty) in enumerate(bids + asks):
        side = 1 if i < len(bids) else -1
        book.add(Order(i + 1, "mm", side, price, qty, False))
    return book


def test_fair_mark_adds_the_funding_basis_pro_rata_of_time_left():
    instrument = default_instrument()
    state = PriceState(instrument, "fair", start_time=0)
    # half the interval left, predicted F = 0.01 %: mark = index × (1 + 0.0001 × 1/2)
    assert state.update(4 * HOUR, 500_000, OrderBook()) == 500_025


def test_median_mark_ignores_a_last_trade_far_from_the_index():
    instrument = default_instrument()
    state = PriceState(instrument, "median", start_time=0)
    book = book_with([(499_990, 10)], [(500_010, 10)])
    state.last = 450_000  # a stray trade 10 % below
    mark = state.update(8 * HOUR - 1, 500_000, book)
    assert mark == 500_000  # median(fair ≈ index, index + basis 0, last 450,000)


def test_median_mark_follows_the_book_basis():
    instrument = default_instrument()
    state = PriceState(instrument, "median", start_time=0)
    book = book_with([(501_000, 10)], [(501_010, 10)])  # book mid 100.5 above the index
    state.last = 501_005
    mark = state.update(8 * HOUR - 1, 500_000, book)
    assert mark == 500_000 + 1_005  # median(500,000, 501,005, 501,005)


def test_funding_payments_round_toward_the_exchange_and_the_residual_goes_to_the_fund():
    instrument = replace(default_instrument(), funding=replace(SETTINGS, interest=123))
    exchange = Exchange(instrument, ExchangeConfig(insurance_fund=1_000 * USDT))
    exchange.advance(1, 500_001)
    for name in ("long", "short"):
        exchange.open_account(name, 10_000 * USDT)
    exchange.submit("short", "sell", 7, 500_001)
    exchange.submit("long", "buy", 7, 500_001)
    wallets = {n: exchange.account_view(n).wallet for n in ("long", "short")}
    exchange.drain_events()
    exchange.advance(8 * HOUR, 500_001)
    events = exchange.drain_events()
    payments = {e.account: e.amount for e in events if type(e) is FundingPayment}
    # 0.007 BTC × 50,000.1 = 350.0007 USDT × 0.0123 % = 0.0430500861 USDT
    assert payments == {"long": -4_305_009, "short": 4_305_008}
    settled = next(e for e in events if type(e) is FundingSettled)
    assert (settled.rate, settled.paid, settled.received, settled.residual) == (
        123,
        4_305_009,
        4_305_008,
        1,
    )
    assert exchange.account_view("long").wallet == wallets["long"] - 4_305_009
    assert exchange.account_view("short").wallet == wallets["short"] + 4_305_008
    assert exchange.ledger_totals().insurance_fund == 1_000 * USDT + 1
    assert exchange.prices.next_funding == 16 * HOUR
    assert_invariants(exchange)


def test_the_weighted_average_counts_the_ith_sample_i_times():
    # Binance and Bybit: P̄ = Σ i·P_i / Σ i. Three samples 0.06 %, 0.03 %, −0.03 %:
    # (1·600 + 2·300 + 3·(−300)) / 6 = 50 ppm; the plain mean is 200
    instrument = default_instrument()
    weighted = replace(instrument.funding, average="weighted", sample_every=1)
    state = PriceState(instrument, "fair", 0, weighted)
    plain = PriceState(instrument, "fair", 0, replace(weighted, average="mean"))
    for premium in (600, 300, -300):
        for s in (state, plain):
            s._premium_sum += premium
            s._premium_count += 1
            s._weighted_sum += s._premium_count * premium
    assert state.average_premium() == 50 and plain.average_premium() == 200


def test_each_venue_caps_funding_by_its_own_rule():
    from engine.policies import Venue
    from engine.venues import funding_for

    instrument = default_instrument()
    caps = {venue: funding_for(instrument, venue) for venue in Venue}
    assert funding_rate(10_000, caps[Venue.BITMEX]) == 3_750  # 0.375 % (75 % × (1 % − 0.5 %))
    assert funding_rate(10_000, caps[Venue.BINANCE]) == 3_000  # 0.75 × the first tier's 0.40 %
    assert funding_rate(10_000, caps[Venue.OKX]) == 3_750  # ±0.375 % for BTC, no interest
    assert funding_rate(0, caps[Venue.OKX]) == 0  # no interest, no clamp: F = P̄
    # Hyperliquid pays hourly: F over 8 h, one eighth an hour, capped at 4 %/h
    assert funding_rate(0, caps[Venue.HYPERLIQUID]) == 13  # 0.01 % / 8 = 12.5 ppm, half up
    assert funding_rate(10_000_000, caps[Venue.HYPERLIQUID]) == 40_000
    assert funding_for(instrument, None) is instrument.funding  # no venue: the instrument's
