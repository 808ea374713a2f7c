"""Validation helpers shared by every input schema.

Every check raises :class:`DataError` naming the field (as a dotted path into the
input, e.g. ``players[1].power``) and the offending value, so a user can find the
bad entry in a YAML file without reading a traceback. Messages show a bounded repr of
the value: no error message ever grows with the size of the input.

Files are read by :func:`load_mapping` (YAML, or JSON for a ``.json`` file) and :func:`read_table`
(CSV), and written by :func:`write_yaml`. YAML is parsed strictly: a key written twice in one mapping
is an error (never last-one-wins), and a tree whose aliases expand beyond :data:`MAX_YAML_NODES` nodes
(an "anchor bomb") or refer to themselves is refused before anything walks it. JSON is read by the
``json`` module, not as YAML: YAML 1.1 reads ``1e5`` as text and refuses tab indentation, both valid
JSON; a key written twice is an error there too.
"""

from __future__ import annotations

import io
import json
import math
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CORRECTION_SCALES",
    "DEFAULT_CORRECTION_SCALE",
    "MAX_YAML_NODES",
    "DataError",
    "bounded_repr",
    "dump_yaml",
    "load_mapping",
    "parse_json",
    "parse_yaml",
    "read_table",
    "require_fields",
    "require_finite",
    "require_integer",
    "require_keys",
    "require_list",
    "require_mapping",
    "require_nonnegative",
    "require_numeric_columns",
    "require_positive",
    "require_range",
    "require_unique",
    "require_unit_interval",
    "require_weights",
    "validated_powers",
    "write_yaml",
]

#: Largest YAML tree accepted, counted as if every alias were expanded (shipped cases have < 2,000).
MAX_YAML_NODES = 1_000_000

_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxstring = 120
_REPR.maxother = 120
_REPR.maxlong = 60
for _attribute in ("maxlist", "maxtuple", "maxdict", "maxset", "maxfrozenset", "maxdeque", "maxarray"):
    setattr(_REPR, _attribute, 8)


def bounded_repr(value: Any) -> str:
    """``repr(value)`` cut to a few entries per level and a few levels, whatever the size of ``value``."""
    return _REPR.repr(value)


class DataError(ValueError):
    """Invalid input data; ``field`` is the dotted path of the offending entry."""

    def __init__(self, field: str, value: Any, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field} = {bounded_repr(value)}: {problem}")


def require_finite(field: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number.

    Numbers and numeric text (``--param rate=0.1``) are accepted; ``true``/``false`` are not numbers here,
    although Python would read them as 1 and 0.
    """
    if isinstance(value, bool):
        raise DataError(field, value, "must be a number, not true/false")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            raise DataError(field, value, "must be a number") from None
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
    return require_range(field, value, 0.0, 1.0)


def require_range(field: str, value: Any, low: float, high: float, why: str = "") -> float:
    """Return ``value`` as a float, or raise unless ``low <= value <= high``; ``why`` explains the bounds."""
    number = require_finite(field, value)
    if not low <= number <= high:
        raise DataError(field, value, f"must lie in [{low:g}, {high:g}]" + (f" ({why})" if why else ""))
    return number


def require_integer(field: str, value: Any, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise unless it is a whole number within [minimum, maximum]."""
    number = require_finite(field, value)
    if number != int(number):
        raise DataError(field, value, "must be a whole number")
    if minimum is not None and number < minimum:
        raise DataError(field, value, f"must be at least {minimum}")
    if maximum is not None and number > maximum:
        raise DataError(field, value, f"must be at most {maximum:,}")
    return int(number)


def require_list(field: str, value: Any, what: str = "entries", allow_empty: bool = False) -> list[Any]:
    """Return ``value`` if it is a list (a YAML sequence), non-empty unless ``allow_empty``; else raise."""
    if not isinstance(value, list):
        raise DataError(field, value, f"must be a list of {what}")
    if not value and not allow_empty:
        raise DataError(field, value, f"must be a non-empty list of {what}")
    return value


def require_mapping(field: str, value: Any, what: str = "names to values") -> Mapping[Any, Any]:
    """Return ``value`` if it is a mapping (a YAML mapping), else raise."""
    if not isinstance(value, Mapping):
        raise DataError(field, value, f"must be a mapping of {what}")
    return value


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


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int) -> None:
        self.key = key
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a key written twice in one mapping is an error.

    Keys brought in by a merge (``<<: *defaults``) may be overridden; only keys written out twice count.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the safe loader reports it
                    continue
                if duplicate:
                    raise _DuplicateKey(key, key_node.start_mark.line + 1)
        return super().construct_mapping(node, deep)


def _tree_size(content: Any, limit: int) -> int:
    """Nodes of ``content`` counted as if every shared (aliased) subtree were copied; stops above ``limit``.

    Each distinct container is measured once (its size is remembered), so an anchor bomb costs as much as
    its text, not its expansion. Raises ``RecursionError`` on a container that contains itself.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(content, False)]
    while stack:
        node, expanded = stack.pop()
        if not isinstance(node, (dict, list)):
            continue
        key = id(node)
        if key in sizes:
            continue
        children = list(node.keys()) + list(node.values()) if isinstance(node, dict) else node
        if not expanded:
            if key in active:
                raise RecursionError("a YAML alias refers to a node that contains it")
            active.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children if isinstance(child, (dict, list)))
            continue
        total = 1
        for child in children:
            if isinstance(child, (dict, list)):
                if id(child) not in sizes:  # a child still on the stack: the node contains itself
                    raise RecursionError("a YAML alias refers to a node that contains it")
                total += sizes[id(child)]
            else:
                total += 1
            if total > limit:
                return total
        sizes[key] = total
        active.discard(key)
    return sizes.get(id(content), 1)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text strictly (see the module docstring); errors name ``source`` as ``file``."""
    try:
        content = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no arbitrary objects
    except _DuplicateKey as error:
        raise DataError(
            "file", source, f"key {bounded_repr(error.key)} appears twice in one mapping (line {error.line})"
        ) from None
    except yaml.YAMLError as error:
        raise DataError("file", source, f"is not valid YAML ({error})") from None
    except RecursionError:
        raise DataError("file", source, "is nested too deeply to be read") from None
    try:
        size = _tree_size(content, MAX_YAML_NODES)
    except RecursionError:
        raise DataError("file", source, "a YAML alias refers to a node that contains it (a cycle)") from None
    if size > MAX_YAML_NODES:
        raise DataError("file", source, f"its aliases expand to more than {MAX_YAML_NODES:,} entries (an anchor bomb?)")
    return content


def _read_text(field: str, path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(field, str(path), f"cannot be read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(field, str(path), f"is not UTF-8 text (byte {error.start}; a binary file?)") from None
    if "\x00" in text:
        raise DataError(field, str(path), f"is not text (a NUL byte at character {text.index(chr(0))})")
    return text


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key written twice (``json``'s ``object_pairs_hook``)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key, 0)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(text: str, source: str) -> Any:
    """Parse JSON text strictly (a key written twice and NaN/Infinity are errors); errors name ``source``."""
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_no_constant)
    except _DuplicateKey as error:
        raise DataError("file", source, f"key {bounded_repr(error.key)} appears twice in one object") from None
    except ValueError as error:  # json.JSONDecodeError and the constants refused above
        raise DataError("file", source, f"is not valid JSON ({error})") from None
    except RecursionError:
        raise DataError("file", source, "is nested too deeply to be read") from None


def load_mapping(source: str | Path | Mapping[str, Any]) -> Mapping[str, Any]:
    """Read a YAML file, or a JSON file when its name ends in ``.json`` (or pass a mapping through).

    Raises :class:`DataError` naming the file when it cannot be read, is empty, does not parse or does
    not hold a mapping at the top level.
    """
    if isinstance(source, Mapping):
        return source
    path = Path(source)
    text = _read_text("file", path)
    if not text.strip() or all(line.lstrip().startswith("#") for line in text.splitlines() if line.strip()):
        raise DataError("file", str(path), "is empty")
    is_json = path.suffix.lower() == ".json"
    content = parse_json(text, str(path)) if is_json else parse_yaml(text, str(path))
    if not isinstance(content, Mapping):
        kind = "JSON object" if is_json else "YAML mapping"
        raise DataError("file", str(path), f"must contain a {kind} at the top level")
    return content


class _BlockDumper(yaml.SafeDumper):
    """YAML's safe dumper, writing the layout of the shipped cases.

    Block style, except that a list or mapping of plain scalars (``arrivals: [12, 13]``,
    ``{name: S1, capacity: 50}``) stays on one line; the top level is always block style, and a value
    used twice is written twice (never as an alias). A whole float is written as a whole number
    (``capacity: 50``, not ``50.0``): every schema reads numbers as floats, so nothing is lost.
    """

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def represent_float(self, data: float) -> yaml.ScalarNode:
        if data.is_integer() and abs(data) < 2**53:  # exactly an integer, and read back as the same float
            return self.represent_int(int(data))
        return super().represent_float(data)

    def represent(self, data: Any) -> None:
        node = self.represent_data(data)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            node.flow_style = False
        self.serialize(node)
        self.represented_objects: dict[Any, Any] = {}  # the reset yaml's own represent() does after each document
        self.object_keeper: list[Any] = []
        self.alias_key = None


_BlockDumper.add_representer(float, _BlockDumper.represent_float)


def dump_yaml(mapping: Mapping[str, Any], header: str | None = None) -> str:
    """``mapping`` as YAML text (keys in their order; see :class:`_BlockDumper`), after ``header`` as comments.

    The mapping must hold plain Python only (dicts, lists, strings, numbers, booleans, None): anything
    else, a numpy scalar say, raises :class:`DataError` instead of being written as a Python object.
    """
    try:
        text = yaml.dump(
            dict(mapping), Dumper=_BlockDumper, sort_keys=False, default_flow_style=None, allow_unicode=True, width=120
        )
    except yaml.representer.RepresenterError as error:
        raise DataError("data", error.args[-1], "is not plain data (lists, mappings, numbers, text)") from None
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) if header else ""
    return comments + text


def write_yaml(path: str | Path, mapping: Mapping[str, Any], header: str | None = None) -> Path:
    """Write ``mapping`` to ``path`` as YAML (:func:`dump_yaml`) in UTF-8; returns the path.

    The text is built before the file is opened, so data that cannot be written leaves no file behind.
    """
    path = Path(path)
    text = dump_yaml(mapping, header)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise DataError("file", str(path), f"cannot be written ({error.strerror})") from None
    return path


def read_table(field: str, path: str | Path) -> pd.DataFrame:
    """Read a CSV file as text cells (convert them with :func:`require_numeric_columns`).

    Raises :class:`DataError` naming ``field`` for an unreadable, binary or empty file and for a header
    without rows.
    """
    import pandas as pd

    path = Path(path)
    text = _read_text(field, path)
    if not text.strip():
        raise DataError(field, str(path), "is empty (it needs a header line and one row per record)")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as error:
        raise DataError(field, str(path), f"is not a valid CSV table ({error})") from None
    if frame.empty:
        raise DataError(field, str(path), f"has a header {list(frame.columns)} but no rows")
    return frame


def require_numeric_columns(field: str, frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The ``columns`` of a text table (from :func:`read_table`) as finite floats.

    A cell that is empty, not a number or not finite raises :class:`DataError` naming the row (counted
    from 1, after the header line) and the column, e.g. ``trips-csv row 3, column duration_min``.
    """
    import numpy as np
    import pandas as pd

    result = {}
    for column in columns:
        cells = frame[column]
        numbers = pd.to_numeric(cells.str.strip() if cells.dtype == object else cells, errors="coerce")
        bad = np.flatnonzero(~np.isfinite(numbers.to_numpy(dtype=float)))
        if bad.size:
            row = int(bad[0])
            cell = cells.iloc[row]
            text = cell.strip() if isinstance(cell, str) else cell
            if isinstance(text, str) and not text:
                problem = "is empty; every cell needs a number"
            else:
                try:
                    float(text)
                    problem = "must be finite"
                except (TypeError, ValueError):
                    problem = "must be a number"
            raise DataError(f"{field} row {row + 1}, column {column}", cell, problem)
        result[column] = numbers.astype(float)
    return pd.DataFrame(result, index=frame.index)


#: X of the modified Shapley value φ'_i = φ_i + X (β_i − 1/n) (seed 001 eq. (16)), by name: ``grand`` is v(N),
#: ``surplus`` v(N) − Σ v({i}); a correction block may also give a number.
CORRECTION_SCALES = ("grand", "surplus")

#: X when a correction block names none: v(N), as seed 001's eq. (16) states (its tables need the surplus,
#: which its shipped case names explicitly).
DEFAULT_CORRECTION_SCALE = "grand"


#: How far weights such as bargaining powers may sum from 1 before normalisation is demanded.
WEIGHT_SUM_TOLERANCE = 1e-9

#: How far weights printed to a few decimals (correction weights) may sum from 1.
PRINTED_SUM_TOLERANCE = 1e-6


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


def require_weights(field: str, weights: Any, count: int | None = None) -> tuple[float, ...]:
    """Check weights such as correction-factor weights λ: a list of finite non-negative numbers summing to 1.

    ``count`` is how many are needed (one per factor). Errors name ``{field}[i]`` for one weight and
    ``field`` for their number or sum.
    """
    values = tuple(
        require_nonnegative(f"{field}[{position}]", weight)
        for position, weight in enumerate(require_list(field, weights, "weights"))
    )
    if count is not None and len(values) != count:
        raise DataError(field, list(values), f"needs one weight per factor ({count})")
    total = math.fsum(values)
    if abs(total - 1.0) > PRINTED_SUM_TOLERANCE:
        raise DataError(field, list(values), f"weights must sum to 1 (they sum to {total:.12g})")
    return values
