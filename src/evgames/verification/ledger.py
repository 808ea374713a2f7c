"""Published versus computed: one row per published number, with the reading that reproduces it.

A published number is kept as printed (``"19.56%"``, ``"0.3426"``), so its precision is known: it
*matches* when the computed value rounds to it, i.e. lies within half a unit of the last printed
digit. A number that differs under the paper's stated data is recomputed under each *reading* — a
named set of alternative settings, such as another parameter value or the paper's own formula — and
under combinations of readings, smallest first; the first that reproduces it is reported. Verdicts
come from this computation, never from labels in the data.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evgames.data.validation import DataError, require_fields

__all__ = ["LedgerRow", "Published", "Reading", "reconcile"]

_NUMBER = re.compile(r"^\s*(?P<number>[-+]?\d+(?:\.(?P<decimals>\d+))?)\s*(?P<percent>%?)\s*$")

#: How many readings may be combined to reproduce one number.
MAX_COMBINED_READINGS = 5


@dataclass(frozen=True)
class Published:
    """A number as the paper prints it.

    Attributes:
        paper: Seed id, e.g. ``"000"``.
        location: Where it is printed, e.g. ``"Table 2"`` or ``"§3.2 stage 1"``.
        key: Identifier of the computed quantity it is compared with.
        quantity: Human description of the quantity.
        printed: The text as printed: digits, optional decimals, optional ``%``.
        scale: Factor from the printed unit to the computed unit (e.g. 100 from million yuan to 10⁴ yuan).
        note: Remark on the printed number (typos, units).
        reproducible: False when the paper does not give what the number depends on (``note`` says what);
            the computed value then comes from substitute inputs and is never reported as a match.
    """

    paper: str
    location: str
    key: str
    quantity: str
    printed: str
    scale: float = 1.0
    note: str = ""
    reproducible: bool = True

    def __post_init__(self) -> None:
        if not _NUMBER.match(str(self.printed)):
            raise DataError(
                f"published[{self.key}].printed", self.printed, "must be a number as printed, e.g. '19.56%'"
            )

    @property
    def value(self) -> float:
        """The printed number in the computed unit (percentages as fractions)."""
        match = _NUMBER.match(str(self.printed))
        assert match is not None  # checked in __post_init__
        number = float(match["number"]) * self.scale
        return number / 100.0 if match["percent"] else number

    @property
    def half_unit(self) -> float:
        """Half a unit of the last printed digit, in the computed unit."""
        match = _NUMBER.match(str(self.printed))
        assert match is not None
        decimals = len(match["decimals"] or "")
        unit = 10.0 ** (-decimals) * self.scale
        return 0.5 * (unit / 100.0 if match["percent"] else unit)

    def matches(self, computed: float, comparison: str = "round") -> bool:
        """True when ``computed`` rounds (or, with ``truncate``, truncates) to the printed number."""
        if not math.isfinite(computed):
            return False
        slack = self.half_unit * 1e-9 + 1e-12
        if comparison == "truncate":  # printed digits are the computed ones cut off, toward zero
            magnitude, printed = abs(computed), abs(self.value)
            return (
                math.copysign(1, computed) == math.copysign(1, self.value)
                and printed - slack <= magnitude < printed + 2 * self.half_unit + slack
            )
        return abs(computed - self.value) <= self.half_unit + slack

    @classmethod
    def from_dict(cls, paper: str, record: Mapping[str, Any], position: int) -> Published:
        """Build from a case file's ``published`` entry."""
        required = ("location", "key", "quantity", "printed")
        require_fields(f"published[{position}]", record, required, ("scale", "note", "reproducible"))
        return cls(
            paper=paper,
            location=str(record["location"]),
            key=str(record["key"]),
            quantity=str(record["quantity"]),
            printed=str(record["printed"]),
            scale=float(record.get("scale", 1.0)),
            note=str(record.get("note", "")),
            reproducible=bool(record.get("reproducible", True)),
        )


@dataclass(frozen=True)
class Reading:
    """An alternative reading of the paper: settings that replace the stated ones.

    Attributes:
        id: Short name, e.g. ``"k=80"``.
        text: What the reading assumes, in words.
        settings: Setting name → value, understood by the paper's compute function.
    """

    id: str
    text: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    comparison: str = "round"

    @classmethod
    def from_dict(cls, record: Mapping[str, Any], position: int) -> Reading:
        """Build from a case file's ``readings`` entry: ``set`` (settings) and/or ``compare: truncate``."""
        require_fields(f"readings[{position}]", record, ("id", "text"), ("set", "compare"))
        settings = record.get("set", {})
        comparison = record.get("compare", "round")
        if not isinstance(settings, Mapping):
            raise DataError(f"readings[{position}].set", settings, "must map setting names to values")
        if comparison not in ("round", "truncate"):
            raise DataError(f"readings[{position}].compare", comparison, "use 'round' or 'truncate'")
        if not settings and comparison == "round":
            raise DataError(f"readings[{position}]", record["id"], "a reading needs 'set' or 'compare: truncate'")
        return cls(id=str(record["id"]), text=str(record["text"]), settings=dict(settings), comparison=comparison)


@dataclass(frozen=True)
class LedgerRow:
    """One published number against its computation (the ``reproduce --json`` row contract)."""

    paper: str
    location: str
    quantity: str
    published: float
    computed: float
    status: str  # "match" | "match-under-reading" | "differs"
    reading: str | None
    note: str
    computed_under_reading: float | None = None
    printed: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "paper": self.paper,
            "location": self.location,
            "quantity": self.quantity,
            "published": self.published,
            "computed": self.computed,
            "status": self.status,
            "reading": self.reading,
            "note": self.note,
            "printed": self.printed,
            "computed_under_reading": self.computed_under_reading,
        }


def _combinations(readings: Sequence[Reading]) -> list[tuple[Reading, ...]]:
    """Combinations of readings up to MAX_COMBINED_READINGS, smallest first, skipping conflicting ones."""
    found = []
    for size in range(1, min(MAX_COMBINED_READINGS, len(readings)) + 1):
        for combination in itertools.combinations(readings, size):
            keys = [key for reading in combination for key in reading.settings]
            if len(keys) == len(set(keys)):
                found.append(combination)
    return found


def _row(
    number: Published, computed: float, status: str, reading: str | None, note: str, alternative: float | None = None
) -> LedgerRow:
    return LedgerRow(
        paper=number.paper,
        location=number.location,
        quantity=number.quantity,
        published=number.value,
        computed=computed,
        status=status,
        reading=reading,
        note=note,
        computed_under_reading=alternative,
        printed=number.printed,
    )


def reconcile(
    published: Sequence[Published],
    compute: Callable[[Mapping[str, Any]], Mapping[str, float]],
    readings: Sequence[Reading] = (),
) -> list[LedgerRow]:
    """Compare every published number with ``compute({})`` and, where it differs, with the readings.

    ``compute(settings)`` returns every quantity by key under the given settings (empty: the paper as
    stated). It is called once for the stated data and once per combination of readings that is needed.
    """
    stated = compute({})
    cache: dict[tuple[str, ...], Mapping[str, float]] = {}

    def under(combination: tuple[Reading, ...]) -> Mapping[str, float]:
        ids = tuple(r.id for r in combination)
        if ids not in cache:
            settings: dict[str, Any] = {}
            for reading in combination:
                settings.update(reading.settings)
            cache[ids] = compute(settings)
        return cache[ids]

    combinations = _combinations(readings)
    rows = []
    for number in published:
        if number.key not in stated:
            raise DataError("published.key", number.key, "no computation produces this quantity")
        computed = float(stated[number.key])
        if not number.reproducible:
            note = f"not reproducible: {number.note}; on substitute inputs evgames computes {computed:.6g}"
            rows.append(_row(number, computed, "differs", None, note))
            continue
        if number.matches(computed):
            rows.append(_row(number, computed, "match", None, number.note))
            continue
        closest: tuple[float, tuple[Reading, ...]] | None = None
        for combination in combinations:
            alternative = float(under(combination)[number.key])
            if closest is None or abs(alternative - number.value) < abs(closest[0] - number.value):
                closest = (alternative, combination)
            comparison = "truncate" if any(r.comparison == "truncate" for r in combination) else "round"
            if number.matches(alternative, comparison):
                text = "; ".join(r.text for r in combination)
                note = f"stated data give {computed:.6g}; {text} gives {alternative:.6g}"
                reading = " + ".join(r.id for r in combination)
                rows.append(
                    _row(
                        number,
                        computed,
                        "match-under-reading",
                        reading,
                        f"{note}. {number.note}".strip(" ."),
                        alternative,
                    )
                )
                break
        else:
            tried = ", ".join(r.id for r in readings) or "none"
            note = (
                f"differs by {computed - number.value:+.6g}; no reading reproduces it, alone or combined "
                f"(readings: {tried})"
            )
            if closest is not None and abs(closest[0] - number.value) < abs(computed - number.value):
                note += f"; closest: {' + '.join(r.id for r in closest[1])} gives {closest[0]:.6g}"
            rows.append(_row(number, computed, "differs", None, f"{note}. {number.note}".strip(" .")))
    return rows


def to_frame(rows: Sequence[LedgerRow]) -> pd.DataFrame:
    """Ledger rows as a DataFrame."""
    return pd.DataFrame([row.to_dict() for row in rows])
