"""The words the screen uses, each in one line, as SPEC defines them.

A learner who meets "bankruptcy price" in the log or "lights" in the position row
finds it here in the same words; the glossary page lists these, then the policies
(``policy_words``), then the columns of the policy comparison.
"""

from __future__ import annotations

TERMS: tuple[tuple[str, str], ...] = (
    ("mark price", "the price positions are valued and liquidated at; never the last trade"),
    ("index price", "the outside price the mark follows: the random walk or the replayed feed"),
    ("last price", "the latest trade on this book: a spike here does not liquidate, the mark does"),
    ("notional", "size × mark price (N = Q·P_m): what the position is worth"),
    ("leverage", "notional / the margin put up: at 10x a tenth of the notional backs it"),
    ("initial margin", "IM = N / leverage: the margin an order needs to open a position"),
    ("tier, MMR", "a notional band's max leverage and maintenance margin rate: bigger, stricter"),
    ("maintenance margin", "MM = N·MMR − cum of the tier: the least equity a position may keep"),
    ("margin ratio", "MM / equity: the position's health; warned from 80%, liquidated at 100%"),
    ("wallet", "your money: deposits ± realized profit, fees and funding"),
    ("equity", "isolated: the position's margin + uPnL; cross: the wallet + uPnL"),
    ("uPnL", "unrealized profit or loss at the mark: s·(Q·P_m − Q·P_e), s = +1 long, −1 short"),
    ("ROE", "return on equity: uPnL / the initial margin"),
    ("liquidation price", "the mark where equity = MM: beyond it the position is liquidated"),
    ("bankruptcy price", "the mark where equity = 0: a liquidated position settles here"),
    (
        "liquidation",
        "equity < MM at the mark: the margin is lost, never more; the backstop takes over",
    ),
    (
        "insurance fund",
        "pays for liquidations closed beyond bankruptcy, keeps the surplus of better ones",
    ),
    ("fund equity", "the fund's balance + the profit or loss of what the backstop holds"),
    ("backstop", "takes a liquidated position over at bankruptcy, works it off over time"),
    ("deficit", "a held position's loss beyond its bankruptcy price: the fund's to pay"),
    ("ADL floor", "the lowest balance the ADL trigger in force lets the fund reach (f shows it)"),
    ("ADL", "auto-deleveraging: what the fund may not pay is closed against opposite winners"),
    ("ADL queue, rank", "a side's positions by ADL score, winners first: rank 1 is closed first"),
    ("ADL score", "the ranking policy's number for a position (policies below): highest first"),
    ("lights", "▮▮▮▯▯ your place in the ADL queue: 5 lit = top 20% of its size, first in line"),
    ("profit given up", "what an ADL costs a winner against the mark: qty·(mark − ADL price)·s"),
    ("socialized loss", "clawback: the deficit taken from every winner's profit at one rate"),
    ("funding", "longs pay shorts each interval when the rate is positive, shorts pay if negative"),
    ("isolated", "the position has its own margin: it can lose that and no more"),
    ("cross", "the whole wallet backs the position: more room, and all of it at stake"),
    ("taker fee", "paid by an order that trades at once against the book"),
    ("maker fee", "paid by an order that rested in the book and was traded against"),
    ("reduce-only", "an order that may only shrink the position, never open or grow it"),
    ("IOC, post-only", "IOC: trade now, cancel the rest; post-only: rest, or be cancelled"),
    ("stop-market", "a market order sent when the mark (or last) crosses the trigger"),
)
