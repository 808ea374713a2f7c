"""The step every paper shares: read its case file's published numbers and readings, then reconcile."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from evgames.data.shipped import load_case
from evgames.data.validation import DataError
from evgames.verification.ledger import LedgerRow, Published, Reading, reconcile

__all__ = ["case_ledger", "check_settings"]

Compute = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, float]]


def check_settings(paper: str, settings: Mapping[str, Any], known: tuple[str, ...]) -> None:
    """Reject a reading setting the paper's computation does not know."""
    for key in settings:
        if key not in known:
            raise DataError(f"readings.set.{key}", settings[key], f"unknown setting; seed {paper} knows {known}")


def case_ledger(paper: str, case_name: str, compute: Compute) -> list[LedgerRow]:
    """Published vs computed for every number in ``case_name``'s ``published`` list.

    ``compute(settings, case)`` returns every quantity by key under the reading settings.
    """
    case = load_case(case_name)
    published = [Published.from_dict(paper, record, i) for i, record in enumerate(case["published"])]
    readings = [Reading.from_dict(record, i) for i, record in enumerate(case.get("readings", []))]
    return reconcile(published, lambda settings: compute(settings, case), readings)
