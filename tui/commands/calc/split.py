"""``calc split``: one ADL deficit split among the accounts of a file by any allocation
policy, with every metric of ``ADL-POLICIES.md``. The split is ``engine.split.split``'s
alone; ``accounts`` puts the file's numbers on the engine's integers, and this module
reads the flags and writes the answer back as text.

The deficit is ``--deficit`` or Σ(−equity)+ of the losers in the file. Money is shown
exact to 8 decimals; fractions to 10 significant digits, rounded half-even.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any, NamedTuple

from engine import adl
from engine.allocation import Winner
from engine.side import position
from engine.split import MEANING, NEEDS_NOTIONAL, ORDERED, QUEUE, UNORDERED, Options, Split, split
from engine.split_metrics import SplitMetrics
from engine.units import UnitError, parse_decimal
from tui.arguments import UserError
from tui.columns import table
from tui.commands.calc.accounts import POSITIONS_HEADER, Book, Venue, read_book
from tui.commands.calc.numbers import Value, emit, money, plain, read_money, read_value
from tui.commands.calc.queue import ranked

ALL = "all"
POLICIES = (*ORDERED, *UNORDERED)
VENUE_QUEUES = tuple(p for p in ORDERED if p != QUEUE)  # rank positions by a venue's score
GIVEN = "given"
FROM_LOSERS = "Σ(−equity)+ of the losers in the file"
SHARE_DIGITS = 10  # significant digits of a fraction shown
SHARE_DECIMALS = 10  # the finest --severity and --cap read


def unsupported(policy: str, book: Book) -> str | None:
    """Why the file cannot be split by ``policy``, or None."""
    if policy in VENUE_QUEUES and book.venue is None:
        return (
            f"{policy} ranks positions as the venue does: it needs a positions file "
            f"({POSITIONS_HEADER}) and --mark"
        )
    if policy in NEEDS_NOTIONAL and not book.has_notional:
        return (
            f"{policy} weighs each winner's leverage, notional / equity: it needs a "
            "notional column (or a positions file)"
        )
    return None


# -- the flags ---------------------------------------------------------------------------------


def read_severity(text: str) -> Fraction | str:
    if text.strip().lower() == QUEUE:
        return QUEUE
    return read_share(text, "--severity", zero_ok=True, also=" (or queue)")


def read_share(text: str, where: str, zero_ok: bool, also: str = "") -> Fraction:
    """A fraction in [0, 1] (``zero_ok``) or (0, 1], typed as a decimal."""
    try:
        amount = parse_decimal(text)
    except UnitError:
        raise UserError(f"{where}: {text!r} is not a number{also}") from None
    if amount < 0 or amount > 1 or (amount == 0 and not zero_ok):
        span = "[0, 1]" if zero_ok else "(0, 1]"
        raise UserError(f"{where}: {text!r} is not in {span}{also}")
    if Value(amount, text, where).decimals > SHARE_DECIMALS:
        raise UserError(f"{where}: {text!r} has more than {SHARE_DECIMALS} decimals")
    return Fraction(amount)


def read_risk(text: str) -> tuple[str, Fraction]:
    """``--risk``: linear, power:P or cvar:TAU, as (kind, parameter)."""
    kind, colon, parameter = text.strip().lower().partition(":")
    if kind == "linear" and not colon:
        return kind, Options().risk_parameter
    if kind in ("power", "cvar") and colon:
        where = f"--risk {kind}:{'P' if kind == 'power' else 'TAU'}"
        value = read_value(parameter, where, zero_ok=kind == "cvar")
        if value.decimals > SHARE_DECIMALS:
            raise UserError(f"{where}: {parameter!r} has more than {SHARE_DECIMALS} decimals")
        return kind, Fraction(value.amount)
    if kind in ("power", "cvar"):
        example = "power:2" if kind == "power" else "cvar:5"
        raise UserError(f"--risk {kind} needs its parameter (e.g. {example})")
    raise UserError(f"--risk: {text!r} is not linear, power:P or cvar:TAU")


def read_options(args: argparse.Namespace, policies: tuple[str, ...]) -> Options:
    """``engine.split.Options`` from the flags; a flag no chosen policy uses is refused."""
    for flag, value, policy in (
        ("--cap", args.cap, "capped_pro_rata"),
        ("--min-equity", args.min_equity, "capped_pro_rata"),
        ("--risk", args.risk, "risk_pro_rata"),
        ("--seed", args.seed, "random"),
    ):
        if value is not None and policy not in policies:
            raise UserError(f"{flag} only applies to --policy {policy} (or all)")
    default = Options()
    risk, parameter = (
        read_risk(args.risk) if args.risk is not None else (default.risk, default.risk_parameter)
    )
    return Options(
        cap=default.cap if args.cap is None else read_share(args.cap, "--cap", zero_ok=False),
        min_equity=default.min_equity
        if args.min_equity is None
        else read_money(args.min_equity, "--min-equity")[1],
        risk=risk,
        risk_parameter=parameter,
        seed=default.seed if args.seed is None else args.seed,
    )


# -- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    book: Book
    deficit: int
    source: str  # GIVEN or FROM_LOSERS
    severity: Fraction | str
    options: Options
    splits: list[Split]
    left_out: list[tuple[str, str]]  # (policy, why)
    every: bool  # --policy all


def run_split(args: argparse.Namespace) -> int:
    every = args.policy == ALL
    policies = POLICIES if every else (args.policy,)
    options = read_options(args, policies)
    severity = read_severity(args.severity)
    book = read_book(args.accounts, args.mark, args.side)
    deficit, source = the_deficit(args.deficit, book)
    splits, left_out = [], []
    for policy in policies:
        why = unsupported(policy, book)
        if why is not None and not every:
            raise UserError(why)
        if why is not None:
            left_out.append((policy, why))
            continue
        splits.append(split_by(policy, book, deficit, severity, options, args.risk))
    report = Report(book, deficit, source, severity, options, splits, left_out, every)
    return emit(args.json, lambda: report_json(report), lambda: report_lines(report))


def the_deficit(given: str | None, book: Book) -> tuple[int, str]:
    if given is not None:
        return read_money(given, "--deficit")[1], GIVEN
    if book.losses is None:
        where = f"{book.path} shows no loser"
        if book.venue is not None:
            where += f" on the {position(-book.venue.side)} side"
        raise UserError(f"{where} (no negative equity): give the deficit with --deficit")
    return book.losses, FROM_LOSERS


def split_by(
    policy: str,
    book: Book,
    deficit: int,
    severity: Fraction | str,
    options: Options,
    risk: str | None,
) -> Split:
    order = book.queue_order if policy == QUEUE else None
    if policy in VENUE_QUEUES and book.venue is not None:
        order = venue_order(book.venue, policy, book.winners, options.seed)
    if policy != "risk_pro_rata":
        return split(book.winners, deficit, severity, policy, options, order)
    try:
        return split(book.winners, deficit, severity, policy, options, order)
    except OverflowError:  # its power weight λ^P is worked out in floats
        raise UserError(
            f"--risk {risk}: a leverage to that power is beyond a float's range; "
            "take a smaller power"
        ) from None


def venue_order(venue: Venue, policy: str, winners: list[Winner], seed: int) -> list[int]:
    """The winners' indices in the venue's queue, as ``calc adl`` ranks the side."""
    index = {w.account: i for i, w in enumerate(winners)}
    cv = venue.instrument.contract_value
    queue = ranked(adl.RankingPolicy(policy), venue.holders, venue.mark, cv, seed)
    return [index[r.holder.account] for r in queue if r.holder.account in index]


# -- the text ----------------------------------------------------------------------------------


def share(x: Fraction) -> str:
    """A fraction as a decimal to 10 significant digits, rounded half-even."""
    if x == 0:
        return "0"
    with localcontext(prec=SHARE_DIGITS, rounding=ROUND_HALF_EVEN):
        value = (Decimal(x.numerator) / Decimal(x.denominator)).normalize()
    return format(value, "f")


class Metric(NamedTuple):
    key: str  # in the JSON
    label: str  # in one policy's list
    column: str  # in the table of every policy
    value: Callable[[SplitMetrics], Any]  # JSON value; str() of it (None: —) on screen


METRICS = (
    Metric("deficit", "deficit D", "D", lambda m: money(m.deficit)),
    Metric("capacity", "capacity U (the winners' profit)", "U", lambda m: money(m.capacity)),
    Metric("budget", "budget B", "B", lambda m: money(m.budget)),
    Metric("taken", "taken H", "H", lambda m: money(m.taken)),
    Metric("overshoot", "overshoot (H − B)+", "over", lambda m: money(m.overshoot)),
    Metric("undershoot", "undershoot (B − H)+", "under", lambda m: money(m.undershoot)),
    Metric("signed_taken_minus_budget", "H − B, signed", "H − B signed", lambda m: money(m.signed)),
    Metric(
        "largest_haircut", "largest haircut fraction", "max h", lambda m: share(m.largest_haircut)
    ),
    Metric(
        "top_survivor", "top survivor's profit left", "top left", lambda m: money(m.top_survivor)
    ),
    Metric("touched", "accounts touched", "touched", lambda m: m.touched),
    Metric("top_share", "top account's share of H", "top 1", lambda m: share(m.top_share)),
    Metric("top_ten_share", "top ten's share of H", "top 10", lambda m: share(m.top_ten_share)),
    Metric("inversions", "inversions", "inv.", lambda m: m.inversions),
    Metric("residual", "residual account (below one lot)", "residual", lambda m: m.residual),
)
SAME_FOR_ALL = ("deficit", "capacity")  # above the table of every policy, not in it


def screen(value: Any) -> str:
    return "—" if value is None else str(value)


def severity_text(severity: Fraction | str) -> str:
    return severity if isinstance(severity, str) else plain(severity)


def account_rows(s: Split, book: Book) -> list[dict[str, Any]]:
    """Each winner in the allocation's order: what it had, gave and keeps."""
    venue = book.venue
    rows = []
    for w, x, k in zip(s.winners, s.allocation.taken, s.allocation.lots, strict=True):
        row: dict[str, Any] = {"rank": s.ranks[w.account]} if s.ranks else {}
        row["id"] = w.account
        row |= {
            "profit": money(w.profit),
            "taken": money(x),
            "haircut": share(Fraction(x, w.profit)),
        }
        if venue is not None:
            row |= {"lots_closed": k, "size_closed": venue.instrument.qty_text(k)}
        row["profit_left"] = money(w.profit - x)
        rows.append(row)
    return rows


def report_json(r: Report) -> dict[str, Any]:
    data: dict[str, Any] = {"accounts_file": r.book.path, "format": r.book.kind}
    if r.book.venue is not None:
        venue = r.book.venue
        data |= {
            "mark": venue.instrument.price_text(venue.mark),
            "side": position(venue.side),
            "losers_side": position(-venue.side),
        }
    data |= {
        "winners": len(r.book.winners),
        "deficit": money(r.deficit),
        "deficit_source": r.source,
        "severity": severity_text(r.severity),
        "options": {
            "cap": plain(r.options.cap),
            "min_equity": money(r.options.min_equity),
            "risk": risk_text(r.options),
            "seed": r.options.seed,
        },
        "policies": [
            {
                "policy": s.metrics.policy,
                "meaning": MEANING[s.metrics.policy],
                **{m.key: m.value(s.metrics) for m in METRICS},
                "accounts": account_rows(s, r.book),
            }
            for s in r.splits
        ],
        "left_out": [{"policy": p, "reason": why} for p, why in r.left_out],
    }
    return data


def risk_text(options: Options) -> str:
    if options.risk == "linear":
        return "linear"
    return f"{options.risk}:{plain(options.risk_parameter)}"


def report_lines(r: Report) -> list[str]:
    what = "every policy the file allows" if r.every else r.splits[0].metrics.policy
    lines = [f"ADL split of one deficit by {what}", *context_lines(r)]
    if r.every:
        lines += ["", *every_lines(r)]
    else:
        lines += ["", *single_lines(r, r.splits[0])]
    return lines


def context_lines(r: Report) -> list[str]:
    book = r.book
    if book.venue is None:
        first = (
            f"{book.path}: profits in the quote currency; {len(book.winners)} winners "
            "(pnl above 0), on the money grid (any amount can be taken)"
        )
    else:
        venue = book.venue
        first = (
            f"{book.path}: positions at mark {venue.instrument.price_text(venue.mark)}; the "
            f"{position(venue.side)}s give: {len(book.winners)} winners (in profit at the "
            f"mark), on the lot grid ({venue.instrument.lot_size} a lot)"
        )
    source = "given" if r.source == GIVEN else r.source
    if r.source == FROM_LOSERS and book.venue is not None:
        source += f" (the {position(-book.venue.side)}s, closed against the winners)"
    lines = [first, f"deficit D = {money(r.deficit)}: {source}"]
    if r.severity == QUEUE:
        lines.append(
            "severity queue: a queue closes whole positions in rank order until D is "
            "covered (it may take more than B = min(D, U)); the other policies take θ = 1"
        )
    else:
        lines.append(f"severity θ = {severity_text(r.severity)}: budget B = min(θ·D, U)")
    if r.severity != 1 and any(s.metrics.policy == "clawback" for s in r.splits):
        lines.append("clawback takes the whole deficit (θ = 1), whatever the severity")
    return lines


def single_lines(r: Report, s: Split) -> list[str]:
    m = s.metrics
    lines = [f"{m.policy}: {MEANING[m.policy]}"]
    lines += table(None, [(metric.label, screen(metric.value(m))) for metric in METRICS], {0})
    header = ("rank",) if s.ranks else ()
    header += ("id", "profit u", "taken x", "haircut h")
    if r.book.venue is not None:
        header += ("size closed",)
    header += ("profit left",)
    rows = [
        tuple(str(v) for k, v in row.items() if k != "lots_closed")
        for row in account_rows(s, r.book)
    ]
    return [*lines, "", *table(header, rows, left={header.index("id")})]


def every_lines(r: Report) -> list[str]:
    first = r.splits[0].metrics  # pnl_pro_rata and the rest of its family take any file
    shown = [metric for metric in METRICS if metric.key not in SAME_FOR_ALL]
    lines = [f"D = {money(first.deficit)} and U = {money(first.capacity)} for every policy"]
    rows = [
        (s.metrics.policy, *(screen(metric.value(s.metrics)) for metric in shown)) for s in r.splits
    ]
    lines += table(("policy", *(metric.column for metric in shown)), rows, left={0, len(shown)})
    lines += ["", *(f"{s.metrics.policy}: {MEANING[s.metrics.policy]}" for s in r.splits)]
    if r.left_out:
        lines += ["", *(f"left out: {policy} — {why}" for policy, why in r.left_out)]
    return lines
