"""Validation helpers shared by every input schema.

Every check raises :class:`DataError` naming the field (as a dotted path into the
input, e.g. ``players[1].power``) and the offending value, so a user can find the
bad entry in a YAML file without reading a traceback.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "DataError",
    "load_mapping",
    "require_fields",
    "require_finite",
    "require_keys",
    "require_nonnegative",
    "require_positive",
    "require_unique",
    "require_unit_interval",
    "validated_powers",
]


class DataError(ValueError):
    """Invalid input data; ``field`` is the dotted path of the offending entry."""

    def __init__(self, field: str, value: Any, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field} = {value!r}: {problem}")


def require_finite(field: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise DataError(field, value, "must be a number") from None
    else:
        number = float(value)
    if not math.isfinite(number):
        raise DataError(field, value, "must be finite")
    return number


def require_positive(field: str, value: Any) -> float:
    """Return ``value`` as a float, or raise unless it is finite and > 0."""
    number = require_finite(field, value)
    if number <= 0:
        raise DataError(field, value, "must be positive")
    return number


def require_nonnegative(field: str, value: Any) -> float:
    """Return ``value`` as a float, or raise unless it is finite and >= 0."""
    number = require_finite(field, value)
    if number < 0:
        raise DataError(field, value, "must not be negative")
    return number


def require_unit_interval(field: str, value: Any) -> float:
    """Return ``value`` as a float, or raise unless it lies in [0, 1]."""
    number = require_finite(field, value)
    if not 0.0 <= number <= 1.0:
        raise DataError(field, value, "must lie in [0, 1]")
    return number


def require_unique(field: str, names: Iterable[str]) -> tuple[str, ...]:
    """Return ``names`` as a tuple of non-empty strings, or raise on a duplicate."""
    seen: set[str] = set()
    result = []
    for position, name in enumerate(names):
        if not isinstance(name, str) or not name.strip():
            raise DataError(f"{field}[{position}]", name, "must be a non-empty name")
        if name in seen:
            raise DataError(f"{field}[{position}]", name, "duplicate name")
        seen.add(name)
        result.append(name)
    return tuple(result)


def _check_keys(field: str, mapping: Any, required: tuple[str, ...], known: set[str], noun: str) -> None:
    if not isinstance(mapping, Mapping):
        raise DataError(field, mapping, "must be a mapping")
    for key in mapping:
        if key not in known:
            raise DataError(f"{field}.{key}", mapping[key], f"unknown {noun}; expected one of {sorted(known)}")
    for key in required:
        if key not in mapping:
            raise DataError(f"{field}.{key}", None, f"missing {noun}")


def require_fields(field: str, record: Any, required: Iterable[str], optional: Iterable[str] = ()) -> None:
    """Check that ``record`` is a mapping with exactly the known keys and all required ones."""
    required = tuple(required)
    _check_keys(field, record, required, set(required) | set(optional), "field")


def require_keys(field: str, mapping: Any, expected: Iterable[str]) -> None:
    """Check that ``mapping`` has exactly the keys ``expected`` (e.g. one entry per player)."""
    expected = tuple(expected)
    _check_keys(field, mapping, expected, set(expected), "name")


def load_mapping(source: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    """Read a YAML file (or pass a mapping through) and check that it holds a mapping."""
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError("file", str(path), f"cannot be read ({error.strerror})") from None
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DataError("file", str(path), f"is not valid YAML ({error})") from None
    if not isinstance(content, Mapping):
        raise DataError("file", str(path), "must contain a YAML mapping at the top level")
    return content


#: How far weights such as bargaining powers may sum from 1 before normalisation is demanded.
WEIGHT_SUM_TOLERANCE = 1e-9


def validated_powers(collection: str, powers: Iterable[Any], normalise: bool) -> tuple[float, ...]:
    """Check bargaining powers γ_i: each positive, summing to 1 unless ``normalise`` rescales them.

    Errors name ``{collection}[i].power`` for one power and ``{collection}.power`` for their sum.
    """
    values = tuple(require_positive(f"{collection}[{position}].power", power) for position, power in enumerate(powers))
    total = math.fsum(values)
    if abs(total - 1.0) <= WEIGHT_SUM_TOLERANCE:
        return values
    if not normalise:
        raise DataError(
            f"{collection}.power", round(total, 12), "powers must sum to 1 (set normalise_powers: true to rescale)"
        )
    return tuple(value / total for value in values)
