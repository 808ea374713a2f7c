"""Published versus computed: one row per published number, with one reading per paper and an honest status.

A published number is kept as printed (``"19.56%"``, ``"0.3426"``, ``"true"`` for a claim), so its
precision is known: it is reproduced when the computed value rounds to it, i.e. lies within half a
unit of the last printed digit. Where the stated data do not reproduce a paper, alternative *readings*
(named sets of settings, such as another parameter value or the paper's own formula) are tried — alone
and combined — and **one** combination is chosen per *scope* (the whole paper, or a group of tables
where the paper changes convention): the one that reproduces the most rows of the scope jointly, the
smallest on a tie. A row that would match only under another reading is not a match: the paper
contradicts itself there.

Statuses (:data:`STATUSES`):

* ``reproduced``: computed by the model or game from the paper's inputs;
* ``reproduced-under-reading``: the same, under the scope's chosen reading (named);
* ``input``: a number the paper gives and evgames takes as data; never counted as a reproduction;
* ``arithmetic``: follows from other printed numbers, not from a model;
* ``data-missing``: the inputs are not in the paper (the value on substitute inputs is shown);
* ``contradicted``: computation shows the paper is inconsistent or wrong (the note says why).

Each case-file entry records the status it is expected to get (``expect``), so the ledger is a
regression check. Verdicts come from the computation; the expectation is only compared with them.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from evgames.data.validation import DataError, require_fields

__all__ = [
    "REPRODUCTIONS",
    "ROLES",
    "STATUSES",
    "TOLERANCE_RULE",
    "LedgerRow",
    "Published",
    "Reading",
    "Scope",
    "reconcile",
    "summary",
    "to_frame",
]

_NUMBER = re.compile(r"^\s*(?P<number>[-+]?\d+(?:\.(?P<decimals>\d+))?)\s*(?P<percent>%?)\s*$")
_CLAIM = {"true": 1.0, "false": 0.0}

#: How many readings may be combined into one scope's reading.
MAX_COMBINED_READINGS = 5

#: Every status a row can get, with what it means (``reproduce --help`` and the README print these).
STATUSES: dict[str, str] = {
    "reproduced": "computed by the model or game from the paper's inputs",
    "reproduced-under-reading": "computed, under the reading chosen for the paper (named once per paper)",
    "input": "a number the paper gives and evgames takes as data: never counted as a reproduction",
    "arithmetic": "follows from other printed numbers, not from a model",
    "data-missing": "the inputs are not in the paper (the value on substitute inputs is shown)",
    "contradicted": "computation shows the paper is inconsistent or wrong (the note says why)",
}

#: Statuses that count as reproductions.
REPRODUCTIONS = ("reproduced", "reproduced-under-reading")

#: What a case-file entry is: ``computed`` by a model or game, an ``input`` read back, ``arithmetic``
#: on other printed numbers, or a ``claim`` of the paper checked by computation.
ROLES = ("computed", "input", "arithmetic", "claim")

TOLERANCE_RULE = (
    "a published number is reproduced when the computed value rounds to it: |computed - published| <= half a "
    "unit of the last printed digit (percentages as printed; claims print true/false); a reading may compare "
    "by truncation instead"
)


@dataclass(frozen=True)
class Published:
    """A number as the paper prints it.

    Attributes:
        paper: Seed id, e.g. ``"000"``.
        location: Where it is printed, e.g. ``"Table 2"`` or ``"§3.2 stage 1"``.
        key: Identifier of the computed quantity it is compared with.
        quantity: Human description of the quantity.
        printed: The text as printed: digits, optional decimals, optional ``%``; ``true``/``false`` for a claim.
        scale: Factor from the printed unit to the computed unit (e.g. 100 from million yuan to 10⁴ yuan).
        note: Remark on the printed number (typos, units).
        reproducible: False when the paper does not give what the number depends on (``note`` says what);
            the computed value then comes from substitute inputs and the row is ``data-missing``.
        role: One of :data:`ROLES`.
        expect: The status the case file expects (None: not recorded).
        reason: Why the paper is contradicted, for a row expected to be.
        unit: The unit the number is printed in.
    """

    paper: str
    location: str
    key: str
    quantity: str
    printed: str
    scale: float = 1.0
    note: str = ""
    reproducible: bool = True
    role: str = "computed"
    expect: str | None = None
    reason: str = ""
    unit: str = ""

    def __post_init__(self) -> None:
        if not _NUMBER.match(str(self.printed)) and str(self.printed) not in _CLAIM:
            raise DataError(
                f"published[{self.key}].printed", self.printed, "must be a number as printed, e.g. '19.56%'"
            )
        if self.role not in ROLES:
            raise DataError(f"published[{self.key}].role", self.role, f"use one of {ROLES}")
        if self.expect is not None and self.expect not in STATUSES:
            raise DataError(f"published[{self.key}].expect", self.expect, f"use one of {tuple(STATUSES)}")

    @property
    def is_claim(self) -> bool:
        """True for a printed ``true``/``false``."""
        return str(self.printed) in _CLAIM

    @property
    def value(self) -> float:
        """The printed number in the computed unit (percentages as fractions; claims as 1/0)."""
        if self.is_claim:
            return _CLAIM[str(self.printed)]
        match = _NUMBER.match(str(self.printed))
        assert match is not None  # checked in __post_init__
        number = float(match["number"]) * self.scale
        return number / 100.0 if match["percent"] else number

    @property
    def decimals(self) -> int:
        """Digits printed after the decimal point."""
        match = _NUMBER.match(str(self.printed))
        return len(match["decimals"] or "") if match else 0

    @property
    def half_unit(self) -> float:
        """Half a unit of the last printed digit, in the computed unit."""
        if self.is_claim:
            return 0.5
        unit = 10.0 ** (-self.decimals) * self.scale
        return 0.5 * (unit / 100.0 if str(self.printed).strip().endswith("%") else unit)

    def matches(self, computed: float, comparison: str = "round") -> bool:
        """True when ``computed`` rounds (or, with ``truncate``, truncates) to the printed number."""
        if not math.isfinite(computed):
            return False
        slack = self.half_unit * 1e-9 + 1e-12
        if comparison == "truncate" and not self.is_claim:  # printed digits are the computed ones cut off
            magnitude, printed = abs(computed), abs(self.value)
            return (
                math.copysign(1, computed) == math.copysign(1, self.value)
                and printed - slack <= magnitude < printed + 2 * self.half_unit + slack
            )
        return abs(computed - self.value) <= self.half_unit + slack

    def as_printed(self, computed: float) -> str:
        """``computed`` in the printed unit, with one digit more than printed (a claim as true/false)."""
        if not math.isfinite(computed):
            return "n/a"
        if self.is_claim:
            return "true" if computed >= 0.5 else "false"
        percent = str(self.printed).strip().endswith("%")
        number = computed / self.scale * (100.0 if percent else 1.0)
        return f"{number:,.{self.decimals + 1}f}" + ("%" if percent else "")

    @classmethod
    def from_dict(cls, paper: str, record: Mapping[str, Any], position: int, unit: str = "") -> Published:
        """Build from a case file's ``published`` entry (``unit``: the case's unit for it when not given)."""
        required = ("location", "key", "quantity", "printed")
        optional = ("scale", "note", "reproducible", "role", "expect", "reason", "unit")
        require_fields(f"published[{position}]", record, required, optional)
        expect = record.get("expect")
        return cls(
            paper=paper,
            location=str(record["location"]),
            key=str(record["key"]),
            quantity=str(record["quantity"]),
            printed=str(record["printed"]).lower() if isinstance(record["printed"], bool) else str(record["printed"]),
            scale=float(record.get("scale", 1.0)),
            note=str(record.get("note", "")),
            reproducible=bool(record.get("reproducible", True)),
            role=str(record.get("role", "computed")),
            expect=None if expect is None else str(expect),
            reason=str(record.get("reason", "")),
            unit=str(record.get("unit", unit)),
        )


@dataclass(frozen=True)
class Reading:
    """An alternative reading of the paper: settings that replace the stated ones.

    Attributes:
        id: Short name, e.g. ``"k=80"``.
        text: What the reading assumes, in words.
        settings: Setting name → value, understood by the paper's compute function.
        comparison: ``round`` (default) or ``truncate`` (the paper cuts digits off).
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
class Scope:
    """Rows that share one reading: a paper's tables printed under one convention.

    Attributes:
        name: Label shown with the reading, e.g. ``"Tables 3-4"``; ``"paper"`` for the whole paper.
        locations: The locations it covers; empty: every location no other scope names.
    """

    name: str = "paper"
    locations: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, record: Mapping[str, Any], position: int) -> Scope:
        """Build from a case file's ``scopes`` entry: ``name`` and ``locations``."""
        require_fields(f"scopes[{position}]", record, ("name", "locations"))
        return cls(name=str(record["name"]), locations=tuple(str(x) for x in record["locations"]))


@dataclass(frozen=True)
class LedgerRow:
    """One published number against its computation (the ``reproduce --json`` row contract).

    ``computed`` is the value under the stated data; ``computed_under_reading`` the value under the
    scope's chosen reading (None when the scope has none); ``compared`` the one the status rests on.
    ``note`` is ``note_parts`` joined by ``"; "``: each part is one remark, whole.
    """

    paper: str
    location: str
    quantity: str
    published: float
    computed: float
    status: str
    reading: str | None
    note: str
    computed_under_reading: float | None = None
    printed: str = ""
    compared: float = math.nan
    computed_printed: str = ""
    stated_printed: str = ""
    unit: str = ""
    role: str = "computed"
    expected: str | None = None
    scope: str = "paper"
    scope_reading: str = ""
    scope_reading_text: str = ""
    note_parts: tuple[str, ...] = ()

    @property
    def as_expected(self) -> bool:
        """True when the case file records no expectation or the status equals it."""
        return self.expected is None or self.expected == self.status

    @property
    def is_reproduction(self) -> bool:
        """True for the statuses that count as reproductions."""
        return self.status in REPRODUCTIONS

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
            "compared": self.compared,
            "computed_printed": self.computed_printed,
            "stated_printed": self.stated_printed,
            "unit": self.unit,
            "role": self.role,
            "expected": self.expected,
            "as_expected": self.as_expected,
            "scope": self.scope,
            "scope_reading": self.scope_reading,
        }


def _combinations(readings: Sequence[Reading]) -> list[tuple[Reading, ...]]:
    """The empty reading, then combinations up to MAX_COMBINED_READINGS, smallest first, no conflicts."""
    found: list[tuple[Reading, ...]] = [()]
    for size in range(1, min(MAX_COMBINED_READINGS, len(readings)) + 1):
        for combination in itertools.combinations(readings, size):
            keys = [key for reading in combination for key in reading.settings]
            if len(keys) == len(set(keys)):
                found.append(combination)
    return found


def _comparison(combination: Sequence[Reading]) -> str:
    return "truncate" if any(r.comparison == "truncate" for r in combination) else "round"


def _label(combination: Sequence[Reading]) -> str:
    return " + ".join(r.id for r in combination)


def _scope_of(number: Published, scopes: Sequence[Scope]) -> Scope:
    named = [scope for scope in scopes if number.location in scope.locations]
    return named[0] if named else Scope()


def _status(
    number: Published,
    stated: float,
    chosen: float,
    combination: tuple[Reading, ...],
    matches_elsewhere: str | None,
    scope: str = "paper",
) -> tuple[str, list[str]]:
    """Status and note parts of one row, given its values under the stated data and the scope's reading."""
    notes = [number.note] if number.note else []
    shown = number.as_printed
    if not number.reproducible:
        same = ["equal to the published number, but not a reproduction"] if number.matches(stated) else []
        return "data-missing", [*notes, f"computed {shown(stated)} on substitute inputs", *same]
    if number.matches(chosen, _comparison(combination)):
        if number.role == "input":
            return "input", [*notes, "typed into the case file from the paper and read back"]
        if number.role == "arithmetic":
            return "arithmetic", [*notes, "follows from other printed numbers, not from a model"]
        if combination and not number.matches(stated):
            return "reproduced-under-reading", [*notes, f"stated data give {shown(stated)}"]
        return "reproduced", notes
    why = [number.reason] if number.reason else []
    if matches_elsewhere is not None:
        chosen_for = "the paper" if scope == "paper" else f"'{scope}'"
        why.append(f"matches only under '{matches_elsewhere}', which contradicts the reading chosen for {chosen_for}")
    elif not why:
        why.append("no reading reproduces it")
    return "contradicted", [*why, f"computed {shown(chosen)}", *notes]


def reconcile(
    published: Sequence[Published],
    compute: Callable[[Mapping[str, Any]], Mapping[str, float]],
    readings: Sequence[Reading] = (),
    scopes: Sequence[Scope] = (),
) -> list[LedgerRow]:
    """Rows for every published number under one jointly chosen reading per scope.

    ``compute(settings)`` returns every quantity by key under the given settings (empty: the paper as
    stated); it is called once per combination of readings. For each scope, the combination that
    reproduces most of the scope's rows (rows without their inputs excluded; ties: fewest readings, then
    case-file order) is chosen and applies to every row of the scope.
    """
    combinations = _combinations(readings)
    values = [compute(_settings(combination)) for combination in combinations]
    for number in published:
        if number.key not in values[0]:
            raise DataError("published.key", number.key, "no computation produces this quantity")

    def score(index: int, rows: Sequence[Published]) -> int:
        comparison = _comparison(combinations[index])
        return sum(
            number.matches(float(values[index][number.key]), comparison) for number in rows if number.reproducible
        )

    chosen: dict[str, int] = {}
    for name in dict.fromkeys(_scope_of(number, scopes).name for number in published):
        members = [number for number in published if _scope_of(number, scopes).name == name]
        scores = [score(index, members) for index in range(len(combinations))]
        # index() finds the first of equal scores: combinations are listed smallest first
        chosen[name] = scores.index(max(scores))

    rows = []
    for number in published:
        scope = _scope_of(number, scopes).name
        index = chosen[scope]
        combination = combinations[index]
        stated, under = float(values[0][number.key]), float(values[index][number.key])
        elsewhere = next(
            (
                _label(other) or "the stated data"
                for other, found in zip(combinations, values, strict=True)
                if number.matches(float(found[number.key]), _comparison(other))
            ),
            None,
        )
        status, parts = _status(number, stated, under, combination, elsewhere, scope)
        rows.append(
            LedgerRow(
                paper=number.paper,
                location=number.location,
                quantity=number.quantity,
                published=number.value,
                computed=stated,
                status=status,
                reading=_label(combination) if status == "reproduced-under-reading" else None,
                note="; ".join(parts),
                computed_under_reading=under if combination else None,
                printed=number.printed,
                compared=under,
                computed_printed=number.as_printed(under),
                stated_printed=number.as_printed(stated),
                unit=number.unit,
                role=number.role,
                expected=number.expect,
                scope=scope,
                scope_reading=_label(combination),
                scope_reading_text="; ".join(r.text for r in combination),
                note_parts=tuple(parts),
            )
        )
    return rows


def _settings(combination: Sequence[Reading]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for reading in combination:
        settings.update(reading.settings)
    return settings


def summary(rows: Sequence[LedgerRow]) -> dict[str, dict[str, int]]:
    """Row counts by paper and status (every status listed, zeros included), plus a ``total`` paper."""
    counts: dict[str, dict[str, int]] = {}
    for paper in [*dict.fromkeys(row.paper for row in rows), "total"]:
        found = Counter(row.status for row in rows if paper in (row.paper, "total"))
        counts[paper] = {status: found.get(status, 0) for status in STATUSES}
    return counts


def to_frame(rows: Sequence[LedgerRow]) -> pd.DataFrame:
    """Ledger rows as a DataFrame."""
    return pd.DataFrame([row.to_dict() for row in rows])
