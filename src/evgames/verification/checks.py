"""One verdict table across model families: each row compares two plain numbers or states a condition.

A model module runs its solves and its independent references (a fresh model, a closed form, an
enumeration) and hands the numbers here; nothing in this module builds a model or calls a solver, so a
check cannot share a mistake with what it checks. Verdicts:

* ``agree`` / ``differs`` — a value under test against an independent reference, within a tolerance;
* ``holds`` / ``violated`` — an inequality (e.g. a MILP optimum below its LP relaxation) or a property
  (e.g. an allocation in the core);
* ``failed`` — there was nothing to compare: a solve did not finish or returned a non-finite number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd

__all__ = ["Check", "CheckVerdict", "VerificationTable", "agreement", "bound", "condition", "failed"]


class CheckVerdict(StrEnum):
    """What one check found."""

    AGREE = "agree"
    DIFFERS = "differs"
    HOLDS = "holds"
    VIOLATED = "violated"
    FAILED = "failed"


#: Verdicts that pass; every other verdict fails the table.
PASSING = frozenset({CheckVerdict.AGREE, CheckVerdict.HOLDS})


@dataclass(frozen=True)
class Check:
    """One row of the verdict table.

    Attributes:
        model: Family name as the command line spells it, e.g. ``"station-alliance"``.
        check: What was compared, in words, e.g. ``"coalition S1,S3: persistent re-solve vs fresh MILP"``.
        verdict: The outcome.
        expected: The independent reference (for :func:`bound`, the upper bound).
        found: The value under test (for :func:`bound`, the bounded value).
        difference: ``found − expected``.
        tolerance: The absolute slack the verdict allowed (a relative tolerance already scaled).
        detail: What a reader needs to judge the row: the case, the reference's method, a counterexample.
    """

    model: str
    check: str
    verdict: CheckVerdict
    expected: float | None = None
    found: float | None = None
    difference: float | None = None
    tolerance: float | None = None
    detail: str = ""

    @property
    def passed(self) -> bool:
        """True for ``agree`` and ``holds``."""
        return self.verdict in PASSING

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row: the verdict as its word, non-finite numbers as ``None`` (JSON has no NaN)."""
        return {
            "model": self.model,
            "check": self.check,
            "verdict": self.verdict.value,
            "expected": _json_number(self.expected),
            "found": _json_number(self.found),
            "difference": _json_number(self.difference),
            "tolerance": _json_number(self.tolerance),
            "detail": self.detail,
        }


def _json_number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _slack(tolerance: float, reference: float, relative: bool) -> float:
    # A relative tolerance never shrinks below the absolute one: values near zero compare absolutely.
    return tolerance * max(1.0, abs(reference)) if relative else tolerance


def _non_finite(model: str, check: str, expected: float, found: float, detail: str) -> Check | None:
    if math.isfinite(expected) and math.isfinite(found):
        return None
    note = f"non-finite value (expected {expected}, found {found})"
    return failed(model, check, f"{note}; {detail}" if detail else note)


def agreement(
    model: str,
    check: str,
    expected: float,
    found: float,
    tolerance: float,
    *,
    relative: bool = True,
    detail: str = "",
) -> Check:
    """``agree`` when |found − expected| ≤ tolerance × max(1, |expected|) (or ≤ tolerance if not ``relative``).

    A NaN or infinite value gives ``failed``: a solve that ended without a number is not a disagreement.
    """
    expected, found = float(expected), float(found)
    broken = _non_finite(model, check, expected, found, detail)
    if broken is not None:
        return broken
    slack = _slack(tolerance, expected, relative)
    difference = found - expected
    verdict = CheckVerdict.AGREE if abs(difference) <= slack else CheckVerdict.DIFFERS
    return Check(model, check, verdict, expected, found, difference, slack, detail)


def bound(
    model: str,
    check: str,
    lower: float,
    upper: float,
    tolerance: float,
    detail: str = "",
    *,
    relative: bool = True,
) -> Check:
    """``holds`` when lower ≤ upper + slack, e.g. a MILP's optimum below its LP relaxation (maximisation).

    The slack is ``tolerance × max(1, |upper|)`` (or ``tolerance`` if not ``relative``). The row records
    ``upper`` as expected, ``lower`` as found and lower − upper as the difference.
    """
    lower, upper = float(lower), float(upper)
    broken = _non_finite(model, check, upper, lower, detail)
    if broken is not None:
        return broken
    slack = _slack(tolerance, upper, relative)
    difference = lower - upper
    verdict = CheckVerdict.HOLDS if difference <= slack else CheckVerdict.VIOLATED
    return Check(model, check, verdict, upper, lower, difference, slack, detail)


def condition(model: str, check: str, holds: bool, detail: str = "") -> Check:
    """``holds`` or ``violated``: a property decided by the caller (e.g. core membership of an allocation)."""
    return Check(model, check, CheckVerdict.HOLDS if holds else CheckVerdict.VIOLATED, detail=detail)


def failed(model: str, check: str, detail: str) -> Check:
    """A check with nothing to compare; ``detail`` says why (e.g. the solver's status)."""
    return Check(model, check, CheckVerdict.FAILED, detail=detail)


@dataclass(frozen=True)
class VerificationTable:
    """The verdicts of one or more model families."""

    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        """True when every check agrees or holds (an empty table passes: nothing was contradicted)."""
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        """The checks that differ, are violated or failed."""
        return tuple(check for check in self.checks if not check.passed)

    def counts(self) -> dict[str, int]:
        """Number of checks by verdict, every verdict listed (zeros included)."""
        return {verdict.value: sum(check.verdict is verdict for check in self.checks) for verdict in CheckVerdict}

    def to_frame(self) -> pd.DataFrame:
        """One row per check, columns as in :class:`Check` (verdicts as words)."""
        columns = ["model", "check", "verdict", "expected", "found", "difference", "tolerance", "detail"]
        return pd.DataFrame([check.to_dict() for check in self.checks], columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"passed": bool, "counts": {verdict: n}, "checks": [row, ...]}``."""
        return {"passed": self.passed, "counts": self.counts(), "checks": [check.to_dict() for check in self.checks]}

    @classmethod
    def combine(cls, tables: Iterable[VerificationTable]) -> VerificationTable:
        """The checks of several tables, in order (e.g. one table per model family)."""
        return cls(tuple(check for table in tables for check in table.checks))
