"""The step every paper shares: read its case file's published numbers, readings and claims, then reconcile.

A case file may carry, beside ``published`` and ``readings``:

* ``scopes``: groups of locations that get their own reading (where the paper changes convention);
* ``units``: key prefix → the unit the numbers are printed in;
* ``claims``: quantities derived from printed or computed numbers, so that the paper's claims
  (efficiency of an allocation, a property of a value, a range in the abstract) become rows:
  ``sum_printed`` (Σ of printed numbers at a location, minus a total), ``efficient`` (1 when the
  computed values with a prefix sum to a total) and ``within`` (1 when every computed value with a
  prefix lies in a printed range).
* ``citation``: authors, title, year and DOI (see :func:`citation`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from evgames.data.shipped import load_case
from evgames.data.validation import DataError, require_fields
from evgames.verification.ledger import LedgerRow, Published, Reading, Scope, reconcile

__all__ = ["case_ledger", "check_settings", "citation", "claim_values"]

Compute = Callable[[Mapping[str, Any], Mapping[str, Any]], Mapping[str, float]]

#: Relative tolerance of an ``efficient`` claim: the values are computed, so only rounding error is allowed.
EFFICIENCY_TOLERANCE = 1e-9


def check_settings(paper: str, settings: Mapping[str, Any], known: tuple[str, ...]) -> None:
    """Reject a reading setting the paper's computation does not know."""
    for key in settings:
        if key not in known:
            raise DataError(f"readings.set.{key}", settings[key], f"unknown setting; seed {paper} knows {known}")


def _total(claim: str, spec: Any, values: Mapping[str, float]) -> float:
    """A claim's total: a computed key or a number of the case file."""
    if isinstance(spec, (int, float)):
        return float(spec)
    if spec not in values:
        raise DataError(f"claims[{claim}].total", spec, "no computation produces this quantity")
    return float(values[spec])


def _with_prefix(claim: str, prefix: str, values: Mapping[str, float]) -> list[float]:
    found = [float(value) for key, value in values.items() if key.startswith(prefix)]
    if not found:
        raise DataError(f"claims[{claim}].prefix", prefix, "no computed quantity starts with it")
    return found


def claim_values(
    paper: str, claims: Sequence[Mapping[str, Any]], published: Sequence[Published], values: Mapping[str, float]
) -> dict[str, float]:
    """The ``claims`` quantities of a case file (see the module docstring) under one set of computed values."""
    result: dict[str, float] = {}
    for position, claim in enumerate(claims):
        require_fields(f"claims[{position}]", claim, ("key",), ("sum_printed", "efficient", "within"))
        key = str(claim["key"])
        if "sum_printed" in claim:
            spec = claim["sum_printed"]
            require_fields(f"claims[{key}].sum_printed", spec, ("location", "prefix", "total"))
            parts = [p.value for p in published if p.location == spec["location"] and p.key.startswith(spec["prefix"])]
            if not parts:
                raise DataError(f"claims[{key}].sum_printed", spec["prefix"], f"nothing printed at {spec['location']}")
            result[key] = sum(parts) - _total(key, spec["total"], values)
        elif "efficient" in claim:
            spec = claim["efficient"]
            require_fields(f"claims[{key}].efficient", spec, ("prefix", "total"))
            total = _total(key, spec["total"], values)
            gap = abs(sum(_with_prefix(key, spec["prefix"], values)) - total)
            result[key] = float(gap <= EFFICIENCY_TOLERANCE * max(1.0, abs(total)))
        elif "within" in claim:
            spec = claim["within"]
            require_fields(f"claims[{key}].within", spec, ("prefix", "low", "high"))
            low = Published(paper, "claim", key, key, str(spec["low"]))
            high = Published(paper, "claim", key, key, str(spec["high"]))
            inside = [
                low.value - low.half_unit <= x <= high.value + high.half_unit
                for x in _with_prefix(key, spec["prefix"], values)
            ]
            result[key] = float(all(inside))
        else:
            raise DataError(f"claims[{key}]", claim, "needs sum_printed, efficient or within")
    return result


def _unit(units: Mapping[str, str], key: str) -> str:
    """The unit of the longest prefix of ``key`` listed in the case file's ``units``."""
    matching = [prefix for prefix in units if key.startswith(prefix)]
    return str(units[max(matching, key=len)]) if matching else ""


def case_ledger(paper: str, case_name: str, compute: Compute) -> list[LedgerRow]:
    """Published vs computed for every number in ``case_name``'s ``published`` list.

    ``compute(settings, case)`` returns every quantity by key under the reading settings; the case
    file's claims are added to what it returns.
    """
    case = load_case(case_name)
    units = case.get("units", {})
    published = [
        Published.from_dict(paper, record, i, _unit(units, str(record.get("key", ""))))
        for i, record in enumerate(case["published"])
    ]
    readings = [Reading.from_dict(record, i) for i, record in enumerate(case.get("readings", []))]
    scopes = [Scope.from_dict(record, i) for i, record in enumerate(case.get("scopes", []))]
    claims = case.get("claims", [])

    def with_claims(settings: Mapping[str, Any]) -> Mapping[str, float]:
        values = dict(compute(settings, case))
        values.update(claim_values(paper, claims, published, values))
        return values

    return reconcile(published, with_claims, readings, scopes)


def citation(case_name: str) -> str:
    """The paper as a reference: authors, title, year, venue and DOI from the case file's ``citation``."""
    record = load_case(case_name).get("citation", {})
    parts = [record.get("authors"), f"“{record['title']}”" if record.get("title") else None]
    parts += [record.get("venue"), str(record["year"]) if record.get("year") else None]
    parts.append(f"doi:{record['doi']}" if record.get("doi") else "DOI: none in the source text")
    return ", ".join(str(part) for part in parts if part)
