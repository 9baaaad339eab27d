"""The ADL queue page (k): the user's side ranked now, as the engine's ADL would take it,
the policy switched in place."""

from __future__ import annotations

from engine.adl import RankingPolicy
from engine.ranking_at import rank_at
from engine.session import start
from tui.app import SandboxApp
from tui.app.paced import Paced
from tui.app.screens.queue import QueueScreen

from .helpers import DELEVERAGED_SCENE, drive, open_position, paused_app, seen


def scene_app() -> SandboxApp:
    """The user's winning 20x short heads four shorts (S2, S3, S4); mark 50,000."""
    return SandboxApp(start(str(DELEVERAGED_SCENE)), paused=True, live=False, warmup=1)


def table_order(screen: str) -> list[str]:
    """The traders of the queue's table, top first, as drawn."""
    rows = []
    for line in screen.splitlines():
        inside = line.split("█", 1)[1] if "█" in line else ""  # right of the dialog's border
        cells = inside.replace("▶ ", "").split()
        if len(cells) > 2 and cells[0].replace(",", "").isdigit():
            rows.append(cells[1])
    return rows


def engine_order(app: SandboxApp, side: int, policy: str | None = None) -> list[str]:
    """The side ranked by the engine at the live mark under ``policy`` (or the one in
    force)."""
    exchange = app.session.exchange
    ranked = rank_at(
        RankingPolicy(policy or exchange.settings.ranking),
        exchange.holders(side),
        exchange.prices.mark,
        exchange.instrument,
        exchange.settings.lights,
    )
    return [holder.account for holder, _ in ranked.ordered]


def test_k_shows_the_users_side_ranked_now_with_the_user_marked():
    app = scene_app()

    async def script(pilot):
        await pilot.press("k")
        assert isinstance(app.screen, QueueScreen) and app.market.paused
        screen = await seen(pilot)
        assert "ADL queue" in screen
        assert "Ranking bitmex (1/6, ←/→ other rankings) · in force" in screen
        assert "score = PnL% × effective leverage" in screen
        assert "Your short is rank 1 of 4 shorts, ranked now at the mark 50,000.0" in screen
        assert table_order(screen) == ["you", "S3", "S4", "S2"] == engine_order(app, -1)
        (you,) = [line for line in screen.splitlines() if "▶ 1" in line]
        for cell in ("you", "▮▮▮▮▮", "0.4181", "2.000", "+4,000.00", "9,200.00", "10.9x"):
            assert cell in you
        await pilot.press("k")
        assert not isinstance(app.screen, QueueScreen)
        await pilot.press("e")  # the explain view's published rank says the same
        assert "rank 1 of 4 shorts in the queue published at the last refresh" in await seen(pilot)

    drive(app, script)


def test_left_right_and_p_show_each_policy_and_enter_puts_it_in_force():
    """The arrows re-rank the table under each policy without touching the market (the
    page says which is shown and which in force); enter puts the one shown in force."""
    app = scene_app()

    async def script(pilot):
        await pilot.press("k")
        names = [policy.value for policy in RankingPolicy]
        for k in range(1, len(names) + 1):
            await pilot.press("right")
            policy = names[k % len(names)]
            assert str(app.frame.settings.ranking) == "bitmex"  # shown, not switched
            screen = await seen(pilot)
            assert f"Ranking {policy} ({k % len(names) + 1}/6" in screen
            assert table_order(screen) == engine_order(app, -1, policy)
            if policy != "bitmex":
                assert "shown only (bitmex in force): enter puts it in force" in screen
        await pilot.press("right")
        screen = await seen(pilot)
        assert "score = PnL% × margin ratio" in screen
        assert table_order(screen) == ["you", "S3", "S2", "S4"]  # S2 and S4 swap under binance
        await pilot.press("left")
        assert table_order(await seen(pilot)) == ["you", "S3", "S4", "S2"]
        assert not [c for _, c in app.session.commands if c.get("command") == "configure"]
        await pilot.press("p", "enter")
        assert str(app.frame.settings.ranking) == "binance"
        assert "Ranking binance (2/6, ←/→ other rankings) · in force" in await seen(pilot)
        assert isinstance(app.screen, QueueScreen)

    drive(app, script)


def test_a_flat_user_is_told_so_and_sees_the_longs():
    app = paused_app(steps=30, seed=2)

    async def script(pilot):
        await pilot.press("k")
        screen = await seen(pilot)
        assert "You have no open position: this is the longs' queue" in screen
        assert "you" not in table_order(screen)
        assert table_order(screen)[:10] == engine_order(app, 1)[:10]

    drive(app, script)


def test_a_long_queue_shows_its_head_and_the_rows_around_the_user():
    app = paused_app(steps=60, seed=3)

    async def script(pilot):
        open_position(app, "buy", "0.5", 20)
        app.run_steps(20)
        await pilot.press("k")
        screen = await seen(pilot)
        order = engine_order(app, 1)
        you = order.index("you")
        assert you > 13 and len(order) - you > 4  # rows are left out on both sides of the user
        shown = table_order(screen)
        assert shown == order[:10] + order[you - 3 : you + 4]
        assert f"{you - 13} more positions" in screen
        assert f"{len(order) - you - 4} more position" in screen
        assert f"rank {you + 1} of {len(order)} longs" in screen

    drive(app, script)


def test_at_80_columns_the_table_drops_equity_and_keeps_the_rest():
    app = scene_app()

    async def script(pilot):
        await pilot.press("k")
        screen = await seen(pilot)
        header = next(line for line in screen.splitlines() if "trader" in line)
        assert "equity" not in header
        assert all(word in header for word in ("rank", "lights", "score", "uPnL", "lev.", "pub."))
        assert table_order(screen) == ["you", "S3", "S4", "S2"]

    drive(app, script, size=(80, 24))


def test_a_costly_ranking_follows_a_running_market_at_most_a_fifth_of_the_time():
    now = [0.0]
    asked = []

    def ask():
        asked.append(now[0])
        now[0] += 0.5  # a side of 100,000 positions: half a second
        return len(asked)

    paced = Paced(clock=lambda: now[0])
    assert paced.get("bitmex", 1, ask) == 1
    now[0] += 1.0
    assert paced.get("bitmex", 2, ask) == 1  # the market moved 1 s after a 0.5 s answer
    now[0] += 1.5
    assert paced.get("bitmex", 3, ask) == 2  # 2.5 s later: asked again
    assert paced.get("binance", 3, ask) == 3  # the user's change: at once
    assert paced.get("binance", 3, ask) == 3  # nothing changed: kept
    cheap = Paced(clock=lambda: now[0])
    assert [cheap.get("bitmex", step, lambda s=step: s) for step in (1, 2, 3)] == [1, 2, 3]
