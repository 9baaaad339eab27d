"""Property tests: random order flows and price paths never break SPEC §1's invariants,
and the same commands always produce the same events."""

from hypothesis import given
from hypothesis import strategies as st

from engine.exchange import Exchange, ExchangeConfig
from engine.instrument import default_instrument
from engine.orders import OrderType
from engine.units import MONEY_SCALE, SECOND

USDT = MONEY_SCALE
ACCOUNTS = [
    ("whale", 1_000_000, "cross", 5),
    ("cross", 2_000, "cross", 50),
    ("iso", 2_000, "isolated", 50),
    ("tiny", 30, "cross", 125),
    ("tinyiso", 30, "isolated", 125),
]
TYPES = [
    OrderType.LIMIT,
    OrderType.MARKET,
    OrderType.IOC,
    OrderType.POST_ONLY,
    OrderType.STOP_MARKET,
    OrderType.TAKE_PROFIT,
]

orders = st.tuples(
    st.just("order"),
    st.integers(0, len(ACCOUNTS) - 1),
    st.sampled_from([1, -1]),
    st.sampled_from(TYPES),
    st.sampled_from([1, 3, 20, 75, 400]),  # lots
    st.sampled_from([-300, -60, -20, 0, 20, 60, 300]),  # ticks from the index
    st.sampled_from([False, False, False, True]),  # reduce-only
)
cancels = st.tuples(st.just("cancel"), st.integers(0, len(ACCOUNTS) - 1), st.integers(0, 50))
moves = st.tuples(  # seconds, basis points
    st.just("advance"), st.sampled_from([1, 60, 3_600, 4 * 3_600]), st.integers(-200, 200)
)
crashes = st.tuples(st.just("advance"), st.integers(1, 60), st.sampled_from([-2500, -1000, 1000]))
settings = st.tuples(st.just("leverage"), st.integers(0, len(ACCOUNTS) - 1), st.integers(1, 125))
flows = st.lists(
    st.one_of(orders, orders, orders, orders, orders, cancels, moves, crashes, settings),
    min_size=40,
    max_size=150,
)


def quote(exchange, index):
    """The whale makes a ten-level market around the index, as market makers do."""
    exchange.cancel_all("whale")
    for level in range(1, 11):
        exchange.submit("whale", 1, 50 * level, index - 20 * level, OrderType.POST_ONLY)
        exchange.submit("whale", -1, 50 * level, index + 20 * level, OrderType.POST_ONLY)


def run(flow, check=None):
    exchange = Exchange(default_instrument(), ExchangeConfig(insurance_fund=500 * USDT))
    index = 500_000
    exchange.advance(SECOND, index)
    for name, deposit, mode, leverage in ACCOUNTS:
        exchange.open_account(name, deposit * USDT, mode, leverage)
    quote(exchange, index)
    events = []
    for op in flow:
        if op[0] == "order":
            _, who, side, kind, lots, offset, reduce_only = op
            price = max(1, index + offset)
            exchange.submit(
                ACCOUNTS[who][0],
                side,
                lots,
                price,
                kind,
                reduce_only,
                trigger=price if kind in TYPES[4:] else None,
            )
        elif op[0] == "cancel":
            name = ACCOUNTS[op[1]][0]
            ids = [o.order_id for o in exchange.account_view(name).orders]
            exchange.cancel(name, ids[op[2] % len(ids)] if ids else op[2])
        elif op[0] == "advance":
            _, seconds, basis_points = op
            index = max(1_000, index + index * basis_points // 10_000)
            exchange.advance(exchange.time + seconds * SECOND, index)
            quote(exchange, index)
        else:
            exchange.set_leverage(ACCOUNTS[op[1]][0], op[2])
        events.extend(exchange.drain_events())
        if check:
            check(exchange)
    return events


def check_invariants(exchange):
    broken = [name for name, ok in exchange.check_invariants().items() if not ok]
    assert not broken, (broken, exchange.ledger_totals())


@given(flows)
def test_random_flows_keep_the_ledger_exact_and_open_interest_balanced(flow):
    run(flow, check_invariants)


@given(flows)
def test_same_commands_give_identical_events(flow):
    assert run(flow) == run(flow)


def check_bookkeeping(exchange):
    """Every figure the accounts cache equals what it summarizes: the margin and sizes
    held by resting orders, the order sets, the index of positions, and the liquidation
    index (up to the accounts marked for its next scan)."""
    book = exchange.matching.book.orders
    accounts = exchange.accounts
    for account in accounts.all():
        resting = [order for order in book.values() if order.account == account.id]
        opening = [order for order in resting if not order.reduce_only]
        assert account.order_ids == {order.id for order in resting}
        assert account.reduce_only_ids == {order.id for order in resting if order.reduce_only}
        assert account.reserved == sum(order.margin for order in opening)
        assert account.open_buy == sum(order.qty for order in opening if order.side > 0)
        assert account.open_sell == sum(order.qty for order in opening if order.side < 0)
    holding = {account.id for account in accounts.all() if account.lots}
    assert set(accounts.positions) == holding
    indexed = {a for a in holding | set(accounts) if a in exchange.liquidation.index}
    assert indexed ^ holding <= accounts.changed


@given(flows)
def test_the_cached_bookkeeping_equals_its_definition_after_every_operation(flow):
    run(flow, check_bookkeeping)
