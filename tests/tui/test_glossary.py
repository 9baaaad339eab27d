"""Words for everything on the screen: the glossary (``g``), a line for every policy the
engine knows, a legend under the policy comparison, and a legend entry for every
symbol the charts draw — checked so that a new policy, column or symbol without its
words fails here."""

from __future__ import annotations

import re

from textual.widgets import Static

from engine.adl import COUNTERFACTUAL_POLICIES, RankingPolicy
from engine.policies import POLICIES
from tui.app import legend
from tui.app.glossary import TERMS
from tui.app.history import ADL, LIQUIDATION, OWN_ADL, OWN_LIQUIDATION, PriceHistory
from tui.app.policy_words import COMPARISON_COLUMNS, FORMULAS, WORDS
from tui.app.screens.glossary import GlossaryScreen
from tui.app.screens.help import HelpScreen
from tui.app.screens.incident import HEADER
from tui.app.widgets.chart import AXIS
from tui.app.widgets.fund_chart import FundChart
from tui.screenshots import ADL_AT, DELEVERAGED_SCENE, step_to

from .helpers import drive, paused_app, screen_text, seen

WIDE_DIALOG = 116  # the glossary's lines fit its dialog at 160 columns without wrapping


async def every_row(pilot, pages: int = 8) -> list[str]:
    """The rows of a long page, scrolled through with page down as a reader would."""
    rows: list[str] = []
    for _ in range(pages):
        rows += screen_text(pilot.app).splitlines()
        await pilot.press("pagedown")
        await pilot.pause()
    return rows


def test_g_opens_the_glossary_with_every_term_in_one_line_and_g_closes_it():
    app = paused_app(steps=5)

    async def script(pilot):
        await pilot.press("g")
        assert isinstance(app.screen, GlossaryScreen)
        rows = await every_row(pilot)
        assert any("Glossary  the market waits while you read" in row for row in rows)
        width = max(len(term) for term, _ in TERMS)
        for term, words in TERMS:
            line = f"  {term:<{width}}  {words}"
            assert len(line) <= WIDE_DIALOG, term
            assert any(line in row for row in rows), term
        await pilot.press("g")
        assert not isinstance(app.screen, GlossaryScreen)

    drive(app, script)


def test_the_terms_match_the_words_the_screen_uses():
    names = {term for term, _ in TERMS}
    for needed in (
        "mark price", "index price", "last price", "notional", "leverage", "initial margin",
        "maintenance margin", "margin ratio", "equity", "uPnL", "liquidation price",
        "bankruptcy price", "insurance fund", "backstop", "ADL", "ADL queue, rank",
        "ADL score", "lights", "socialized loss", "funding", "isolated", "cross",
        "taker fee", "maker fee", "reduce-only", "ADL floor", "profit given up",
    ):  # fmt: skip
        assert needed in names


def test_every_policy_the_engine_knows_has_its_line_and_every_ranking_its_score():
    for ranking in RankingPolicy:
        assert FORMULAS[ranking.value] and WORDS["ranking"][ranking.value]
    for policy in POLICIES:
        assert set(WORDS[policy.field]) == set(policy.names), policy.field
    app = paused_app(steps=5)

    async def script(pilot):
        await pilot.press("g")
        rows = await every_row(pilot)
        for policy in POLICIES:
            assert any(f"{policy.title}: {policy.meaning}" in row for row in rows)
            for name in policy.names:
                words = WORDS[policy.field][name]
                assert any(name in row and words in row for row in rows), (policy.field, name)
        for ranking in RankingPolicy:
            assert any(f"score = {FORMULAS[ranking.value]}" in row for row in rows)
        in_force = [row for row in rows if "← in force" in row]
        assert any("bitmex" in row for row in in_force)  # calm runs BitMEX's rules
        for column, words in COMPARISON_COLUMNS:
            assert any(column in row and words in row for row in rows), column

    drive(app, script)


def test_every_column_of_the_policy_comparison_is_explained_under_it():
    assert tuple(name for name, _ in COMPARISON_COLUMNS) == HEADER
    assert {str(p) for p in COUNTERFACTUAL_POLICIES} - {"clawback"} == set(FORMULAS)
    app = paused_app(str(DELEVERAGED_SCENE))

    async def script(pilot):
        await step_to(pilot, ADL_AT)
        rows = (await seen(pilot)).splitlines()
        table = next(n for n, row in enumerate(rows) if "cost to you" in row and "top share" in row)
        below = rows[table:]
        for column, words in COMPARISON_COLUMNS:
            assert any(column in row and words in row for row in below), column

    drive(app, script)


def drawn_glyphs(chart_text: str, labels: str) -> set[str]:
    """The characters a chart drew, without its axis and its labels' words and figures."""
    glyphs = set()
    for row in chart_text.splitlines():
        glyphs |= set(re.sub(labels, "", row[AXIS:]))
    return glyphs - {" "}


def test_every_symbol_the_price_chart_draws_has_a_legend_entry_shown_where_one_looks():
    app = paused_app(steps=5)
    history = PriceHistory(capacity=1000)  # some ten steps a column: each a range
    for n in range(1000):
        history.record(n, 500_000 + (n % 7) * 40, 499_800)  # the index below the mark
    for n, flag in ((100, LIQUIDATION), (300, ADL), (500, OWN_LIQUIDATION), (700, OWN_ADL)):
        history.flag(n, flag)
    history.flag(900, LIQUIDATION)
    history.flag(900, ADL)
    labels = r"(liq|entry) [\d,.]+"

    async def script(pilot):
        chart, i = app.chart, app.frame.instrument
        chart.show(history, i, 500_050, 500_200)  # both lines on the chart
        inside = drawn_glyphs(chart.text, labels)
        chart.show(history, i, 300_000, 900_000)  # both far off it: named at the edges
        outside = drawn_glyphs(chart.text, labels)
        symbols = {s.char for s in legend.PRICE_CHART}
        assert inside | outside == symbols  # each drawn symbol has its entry, and only those
        assert chart.border_title == legend.line(legend.PRICE_CHART)  # fits at 160 columns
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.pause()
        help_text = str(app.screen.query_one("#help-body", Static).content)
        for symbol in legend.PRICE_CHART:
            assert f"{symbol.char} {symbol.meaning}" in help_text

    drive(app, script)


def test_every_symbol_the_fund_chart_draws_has_a_legend_entry_under_it():
    app = paused_app(steps=5)
    history = PriceHistory(capacity=1000)  # some ten steps a column: each a range
    for n in range(1000):
        equity = 10**10 - n * 10**6 + (n % 5) * 10**7
        history.record(n, 500_000, 500_000, equity, equity - 10**8, 10**10 - 2 * 10**9)
    for n, flag in ((100, LIQUIDATION), (300, ADL), (500, OWN_LIQUIDATION), (900, LIQUIDATION)):
        history.flag(n, flag)
    history.flag(900, ADL)

    async def script(pilot):
        await pilot.press("f")
        chart = app.screen.query_one(FundChart)
        chart.show(history)
        drawn = drawn_glyphs(chart.text, r"ADL floor [\d,.]+")
        assert drawn == {s.char for s in legend.FUND_CHART}
        assert legend.line(legend.FUND_CHART) in await seen(pilot)

    drive(app, script)


def test_a_narrow_chart_names_its_symbols_and_where_their_legend_is():
    app = paused_app(steps=5)

    async def script(pilot):
        title = app.chart.border_title
        assert title.startswith(" ".join(s.char for s in legend.PRICE_CHART))
        assert "?" in title

    drive(app, script, size=(100, 48))
