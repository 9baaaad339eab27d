"""Property: random crashes through a crowd of leveraged accounts, under every policy,
never leave a non-bankrupt wallet below zero, never break conservation, and ADL never
closes more than the bankrupt remainder."""

from hypothesis import given
from hypothesis import strategies as st

from engine.adl import AdlPrice, RankingPolicy
from engine.events import AdlExecuted, AutoDeleveraged, Liquidation, LiquidationSettled
from engine.exchange import Exchange, ExchangeConfig
from engine.instrument import default_instrument
from engine.orders import OrderType
from engine.policies import LossPolicy, MarketSettings, TriggerPolicy
from engine.units import MONEY_SCALE, SECOND

USDT = MONEY_SCALE

traders = st.lists(
    st.tuples(
        st.sampled_from([1, -1]),
        st.sampled_from([2, 5, 10, 20, 50, 100]),  # leverage
        st.sampled_from(["cross", "isolated"]),
        st.sampled_from([1, 5, 20, 80]),  # lots
    ),
    min_size=4,
    max_size=24,
)
moves = st.lists(
    st.sampled_from([-3000, -1500, -400, -50, 50, 400, 1500, 2500]), min_size=3, max_size=25
)  # basis points per step
configs = st.tuples(
    st.sampled_from(list(RankingPolicy)),
    st.sampled_from(list(AdlPrice)),
    st.sampled_from(list(TriggerPolicy)),
    st.sampled_from(list(LossPolicy)),
    st.sampled_from([0, 20, 500]),  # fund, USDT
    st.sampled_from([1, 3, 10]),  # market maker depth per level, lots
)


def quote(exchange, index, depth):
    exchange.cancel_all("mm")
    for level in range(1, 8):
        for side in (1, -1):
            price = index - side * index * level // 400  # levels 0.25 % apart
            exchange.submit("mm", side, depth * level, price, OrderType.POST_ONLY)


@given(traders, moves, configs)
def test_crashes_through_a_leveraged_crowd_keep_every_invariant(crowd, path, config):
    ranking, adl_price, trigger, loss, fund, depth = config
    exchange = Exchange(
        default_instrument(),
        ExchangeConfig(
            market=MarketSettings(
                ranking=ranking, adl_price=adl_price, trigger_policy=trigger, loss_policy=loss
            ),
            insurance_fund=fund * USDT,
            seed=7,
        ),
    )
    index = 500_000
    exchange.advance(SECOND, index)
    exchange.open_account("mm", 10_000_000 * USDT, "cross", 5)
    quote(exchange, index, 200)
    for i, (side, leverage, mode, lots) in enumerate(crowd):
        exchange.open_account(f"t{i}", 400 * USDT, mode, leverage)
        exchange.submit(f"t{i}", side, lots, order_type=OrderType.MARKET)
    events = exchange.drain_events()
    for basis_points in path:
        index = max(10_000, index + index * basis_points // 10_000)
        exchange.advance(exchange.time + 60 * SECOND, index)
        quote(exchange, index, depth)
        events += exchange.drain_events()
        broken = [name for name, ok in exchange.check_invariants().items() if not ok]
        assert not broken, (broken, exchange.ledger_totals())
    adl_by_liquidation: dict[int, int] = {}
    for event in events:
        if type(event) is AutoDeleveraged:
            adl_by_liquidation[event.adl_id] = adl_by_liquidation.get(event.adl_id, 0) + event.qty
    executed = {e.adl_id: e for e in events if type(e) is AdlExecuted}
    for adl_id, lots in adl_by_liquidation.items():
        assert lots <= executed[adl_id].qty
    settled = [e for e in events if type(e) is LiquidationSettled]
    for closed in settled:
        assert closed.book_qty + closed.band_qty + closed.adl_qty == closed.qty
    # every liquidated position is either settled, and told so, or still held by the backstop
    held = exchange.liquidation.backstop.held
    liquidated = sum(e.qty for e in events if type(e) is Liquidation)
    assert liquidated == sum(e.qty for e in settled) + sum(h.taken for h in held)
    assert all(0 < h.lots <= h.taken for h in held)
