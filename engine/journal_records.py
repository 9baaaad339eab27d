"""What a journal record must look like, checked before anything is replayed.

A journal is a file the user may edit by hand. A record of the wrong shape (a
negative or backward step, a string where a number belongs, an unknown command or
argument) is refused naming its line, instead of reaching the engine and failing
somewhere deep inside it. Values the exchange itself checks (a side, a size, a
price) are only held to their type here: a bad value is rejected by the exchange
exactly as it was when recorded, and the replay compares the outcome.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from engine.agents.schedule import EVERY_STEP, SCHEDULED

TEXT_OR_NUMBER = (str, int)
OPTIONAL_TEXT_OR_NUMBER = (str, int, type(None))
COMMANDS: dict[str, dict[str, tuple[type, ...]]] = {  # command → argument → accepted types
    "submit": {
        "side": TEXT_OR_NUMBER,
        "qty": TEXT_OR_NUMBER,
        "price": OPTIONAL_TEXT_OR_NUMBER,
        "order_type": (str,),
        "reduce_only": (bool,),
        "trigger": OPTIONAL_TEXT_OR_NUMBER,
        "trigger_source": (str,),
    },
    "cancel": {"order_id": (int,)},
    "cancel_all": {},
    "set_leverage": {"leverage": (int,)},
    "set_margin_mode": {"mode": (str,)},
    "configure": {},  # any setting by name, each a text value
    "protect": {
        "take_profit": OPTIONAL_TEXT_OR_NUMBER,
        "stop_loss": OPTIONAL_TEXT_OR_NUMBER,
        "trigger_source": (str,),
    },
    "deposit": {"amount": TEXT_OR_NUMBER},
}
REQUIRED = {"submit": {"side", "qty"}, "cancel": {"order_id"}, "set_leverage": {"leverage"}}
REQUIRED |= {"set_margin_mode": {"mode"}, "deposit": {"amount"}}
RECORD_KEYS = {"s", "t", "e", "c", "end", "r"}


SETTINGS: dict[str, tuple[type, ...]] = {  # a header's run settings → accepted types
    "duration": (int, type(None)),
    "replay": (str, type(None)),
    "format": (str, type(None)),
    "sort": (bool,),
    "start": (int, type(None)),
    "end": (int, type(None)),
    "venue": (str, type(None)),
    "crowd_schedule": (str,),
}


class RecordError(ValueError):
    """A record of the wrong shape; ``str()`` says what is wrong (the caller adds where)."""


def check_record(record: Any, previous_step: int, schema: dict[str, list[str]]) -> int:
    """The record's step, once its shape is right; ``schema`` maps an event kind to its
    field names (the journal header's). Raises ``RecordError``."""
    if not isinstance(record, dict):
        raise RecordError("not a journal record (expected an object)")
    unknown = set(record) - RECORD_KEYS
    if unknown:
        raise RecordError(f"unknown key {sorted(unknown)[0]!r} in a record")
    step = record.get("s")
    if not _whole(step) or step < 0:
        raise RecordError(f"the step {step!r} is not a whole number ≥ 0")
    if step < previous_step:
        raise RecordError(f"step {step} comes after step {previous_step}: steps never go back")
    if "t" in record and (not _whole(record["t"]) or record["t"] < 0):
        raise RecordError(f"the time {record['t']!r} is not a whole number ≥ 0")
    if "end" in record and (type(record["end"]) not in (int, bool) or record["end"] not in (0, 1)):
        raise RecordError(f"end {record['end']!r} is not 0 or 1")
    _check_rows(record.get("e", []), schema)
    if "c" in record:
        _check_command(record["c"])
    if "r" in record:
        _check_resumed(record["r"])
    return step


def check_header(header: dict[str, Any]) -> None:
    """The header's seed, scenario and settings hold what a run is rebuilt from."""
    seed = header.get("seed")
    if not _whole(seed) or seed < 0:
        raise RecordError(f"the header's seed {_text(seed)} is not a whole number ≥ 0")
    scenario = header.get("scenario")
    if not isinstance(scenario, dict) or not isinstance(scenario.get("name"), str):
        raise RecordError("the header's scenario has no name")
    for key in ("path", "sha256"):
        if not isinstance(scenario.get(key), str | None):
            raise RecordError(f"the header's scenario {key} {_text(scenario[key])} is not text")
    settings = header.get("settings")
    if not isinstance(settings, dict):
        raise RecordError("the header's settings are not an object")
    for key, value in settings.items():
        types = SETTINGS.get(key)
        if types is None:
            raise RecordError(f"the header has an unknown setting {key!r}")
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise RecordError(f"the header's setting {key} {_text(value)} has the wrong type")
    duration = settings.get("duration")
    if duration is not None and duration <= 0:
        raise RecordError(f"the header's duration {duration} is not positive")
    crowd = settings.get("crowd_schedule", EVERY_STEP)
    if crowd not in (SCHEDULED, EVERY_STEP):
        raise RecordError(f"the header's crowd_schedule {_text(crowd)} is not one this runs")
    grid = header.get("instrument", {})
    if not isinstance(grid, dict):
        raise RecordError("the header's instrument is not an object")
    for key in ("tick_size", "lot_size"):
        if key in grid and not _positive_decimal(grid[key]):
            raise RecordError(f"the header's {key} {_text(grid[key])} is not a positive number")
    events = header.get("events", {})
    if not isinstance(events, dict) or not all(
        isinstance(v, list) and all(isinstance(f, str) for f in v) for v in events.values()
    ):
        raise RecordError("the header's event schema is not {kind: [field, …]}")


def _positive_decimal(value: Any) -> bool:
    try:
        return isinstance(value, str) and Decimal(value).is_finite() and Decimal(value) > 0
    except InvalidOperation:
        return False


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_rows(rows: Any, schema: dict[str, list[str]]) -> None:
    if not isinstance(rows, list):
        raise RecordError("its events ('e') are not a list")
    for row in rows:
        if not isinstance(row, list) or not row or not isinstance(row[0], str):
            raise RecordError(f"the event {_text(row)} is not [kind, field, …]")
        fields = schema.get(row[0])
        if fields is None:
            raise RecordError(f"unknown event kind {row[0]!r}")
        if len(row) != 1 + len(fields):
            raise RecordError(f"a {row[0]} event has {len(row) - 1} fields, not {len(fields)}")
        if not _whole(row[1]):
            raise RecordError(f"a {row[0]} event's time {row[1]!r} is not a whole number")


def _check_command(command: Any) -> None:
    if not isinstance(command, dict):
        raise RecordError("its command ('c') is not an object")
    kind = command.get("command")
    if kind not in COMMANDS:
        raise RecordError(f"unknown command {kind!r}")
    arguments = {k: v for k, v in command.items() if k != "command"}
    if kind == "configure":
        for key, value in arguments.items():
            if not isinstance(value, str):
                raise RecordError(f"configure {key}: {value!r} is not text")
        return
    missing = REQUIRED.get(kind, set()) - set(arguments)
    if missing:
        raise RecordError(f"the {kind} command has no {sorted(missing)[0]!r}")
    for key, value in arguments.items():
        types = COMMANDS[kind].get(key)
        if types is None:
            raise RecordError(f"the {kind} command has no argument {key!r}")
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise RecordError(f"the {kind} command's {key} {value!r} has the wrong type")


def _check_resumed(resumed: Any) -> None:
    duration = resumed.get("duration") if isinstance(resumed, dict) else None
    if not _whole(duration) or duration <= 0:
        raise RecordError(f"the resumed duration {_text(duration)} is not a whole number > 0")


def _text(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
