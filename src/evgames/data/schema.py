"""JSON Schemas (draft 2020-12) of every data file: ``evgames schema MODEL`` prints them.

One schema per file kind: each model family's data file (:data:`SCHEMAS` keys are the names ``evgames solve``
takes), the TU-game file of ``evgames allocate`` (``game``) and the solver configuration (``solver``). Each
field carries a ``description`` and, where it has one, a ``unit`` (an annotation keyword: validators ignore it,
the README's table of fields shows it). The subsidy-pricing parameters are generated from the same
declarations the validator reads (:data:`~evgames.data.subsidy_pricing.PARAMETERS`, ``POSITIVE``,
``AT_MOST_ONE``); the other schemas are written by hand next to their validators' contracts (the module
docstrings of :mod:`evgames.data`), and ``tests/data/test_schema.py`` checks that every shipped case and
example file passes its schema and that invalid files fail both the schema and ``from_dict``.

The validators stay the authority: a schema states the shape, types and simple bounds, while cross-field
rules (powers summing to 1, a proposal naming every player, tariff hours covering the day) are only
described.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from evgames.data.demand_response import CATEGORIES
from evgames.data.subsidy_pricing import AT_MOST_ONE, MAX_SYNTHETIC_TRIPS, PARAMETERS, POSITIVE, TRIP_COLUMNS
from evgames.data.validation import CORRECTION_SCALES, DataError

__all__ = ["SCHEMAS", "field_rows", "schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: Keys the shipped case files carry beside the data (citation, published values, readings of the paper).
_CASE_NOTES = ("source", "published", "readings")


def _number(description: str, unit: str = "", *, low: float | None = None, positive: bool = False) -> dict[str, Any]:
    """A finite number, at least ``low`` (or above 0 when ``positive``)."""
    record: dict[str, Any] = {"type": "number", "description": description}
    if positive:
        record["exclusiveMinimum"] = 0
    elif low is not None:
        record["minimum"] = low
    if unit:
        record["unit"] = unit
    return record


def _share(description: str) -> dict[str, Any]:
    """A number in [0, 1]."""
    return {"type": "number", "minimum": 0, "maximum": 1, "description": description, "unit": "-"}


def _table(description: str, properties: Mapping[str, Any], required: tuple[str, ...] | None = None) -> dict[str, Any]:
    """An object with exactly these fields (all required unless ``required`` names some)."""
    return {
        "type": "object",
        "description": description,
        "properties": dict(properties),
        "required": list(properties if required is None else required),
        "additionalProperties": False,
    }


def _per_category(description: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """One ``value`` for each price category of seed 002 (valley, medium, peak)."""
    return _table(description, {name: copy.deepcopy(value) for name in CATEGORIES})


def _list(description: str, items: Mapping[str, Any], *, at_least: int = 1) -> dict[str, Any]:
    return {"type": "array", "description": description, "items": dict(items), "minItems": at_least}


def _document(title: str, description: str, body: dict[str, Any], notes: bool = False) -> dict[str, Any]:
    """A top-level schema; ``notes`` allows the case files' citation blocks (any content)."""
    if notes:
        for key in _CASE_NOTES:
            body["properties"][key] = {"description": "case files only: citation, published values, readings"}
    return {"$schema": DIALECT, "title": title, **body, "description": description}


_NAME = {"type": "string", "minLength": 1}
_NAMES = {"type": "array", "items": _NAME, "uniqueItems": True}
_FLAG = {"type": "boolean"}

_BARGAINING = _document(
    "bargaining",
    "Fixed-ratio asymmetric Nash bargaining (seed 000 §2.4.1, eq. (1)-(9)). Money in the case's unit "
    "(10,000 yuan in seed 000). Powers must sum to 1 unless normalise_powers rescales them.",
    _table(
        "",
        {
            "total_benefit": _number("overall benefit of the alliance, V_m in eq. (1)", "money"),
            "negotiation_cost": _number("total negotiation cost, k in eq. (1)", "money", low=0),
            "normalise_powers": {**_FLAG, "description": "rescale the powers to sum to 1 (default false)"},
            "players": _list(
                "the participants (unique names)",
                _table(
                    "one participant",
                    {
                        "name": _NAME,
                        "cost": _number("investment cost, C_i in eq. (1)", "money", low=0),
                        "standalone": _number("profit operating alone, G_i in eq. (2)", "money"),
                        "power": _number("bargaining power, gamma_i in eq. (3)", "-", positive=True),
                    },
                ),
                at_least=2,
            ),
        },
        ("total_benefit", "negotiation_cost", "players"),
    ),
)

_PLAN = {"type": "object", "additionalProperties": _share("share of one player"), "minProperties": 2}

_SATISFACTION = _document(
    "satisfaction",
    "Constrained satisfaction Nash bargaining (seed 000 §2.4.2 stage 2). Each proposal names every player with "
    "a share in (0, 1), the shares summing to 1; current and adjustment go together (eq. (18)).",
    _table(
        "",
        {
            "players": _list(
                "the participants (unique names)",
                _table(
                    "one participant",
                    {
                        "name": _NAME,
                        "power": _number("bargaining power, gamma_i", "-", positive=True),
                        "proposal": {**_PLAN, "description": "the plan Q_i this player proposes: player -> share"},
                    },
                ),
                at_least=2,
            ),
            "current": {**_PLAN, "description": "shares r_i before the adjustment of eq. (18)"},
            "adjustment": _share("influence of satisfaction, phi in eq. (18)"),
            "normalise_powers": {**_FLAG, "description": "rescale the powers to sum to 1 (default false)"},
        },
        ("players",),
    )
    | {"dependentRequired": {"current": ["adjustment"], "adjustment": ["current"]}},
)

_SCALE = {
    "description": "X in eq. (16): 'surplus' (v(N) - sum v(i)), 'grand' (v(N), the default) or a number",
    "anyOf": [{"enum": list(CORRECTION_SCALES)}, {"type": "number"}],
}

_STATION_ALLIANCE = _document(
    "station-alliance",
    "Station alliance (seed 001 §4, any number of stations). Money per day in the case's currency; "
    "every ordered pair of stations may divert vehicles on the default terms unless 'diversion' overrides them.",
    _table(
        "",
        {
            "period_hours": _number("length of a period, Delta t (default 1)", "h", positive=True),
            "platform_cost": _number("cost Q of any coalition of two or more stations (default 0)", "money/day", low=0),
            "compensation": _number("default compensation f per diverted vehicle", "money/vehicle", low=0),
            "travel_cost": _number("default further cost per diverted vehicle (default 0)", "money/vehicle", low=0),
            "stations": _list(
                "the stations, in the order coalitions are named",
                _table(
                    "one station",
                    {
                        "name": _NAME,
                        "capacity": _number("vehicles served per hour, eta", "vehicles/h", positive=True),
                        "operating_cost": _number("operating cost C_i", "money/day", low=0),
                        "profit_per_vehicle": _number("average profit per vehicle served, p", "money/vehicle"),
                        "arrivals": _list(
                            "vehicles arriving in each period, x_t", _number("arrivals", "vehicles", low=0)
                        ),
                    },
                ),
            ),
            "diversion": {
                "type": "array",
                "description": "terms of particular ordered pairs (the others take the defaults)",
                "items": _table(
                    "one ordered pair",
                    {
                        "from": _NAME,
                        "to": _NAME,
                        "compensation": _number("compensation per diverted vehicle", "money/vehicle", low=0),
                        "max_share": _share("largest share of the overflow willing to move (default 1)"),
                        "travel_cost": _number("further cost per diverted vehicle", "money/vehicle", low=0),
                    },
                    ("from", "to"),
                ),
            },
            "allocation": _table(
                "seed 001's modified Shapley value: a score per station and factor, weights lambda summing to 1",
                {
                    "factors": {**_NAMES, "minItems": 1, "description": "correction factors"},
                    "scores": {
                        "type": "object",
                        "description": "station -> one non-negative score per factor",
                        "additionalProperties": {"type": "array", "items": {"type": "number", "minimum": 0}},
                    },
                    "weights": {"type": "array", "items": {"type": "number", "minimum": 0}, "description": "lambda"},
                    "scale": _SCALE,
                },
                ("factors", "scores", "weights"),
            ),
        },
        ("stations", "compensation"),
    ),
    notes=True,
)

_HOURS = {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 23}, "uniqueItems": True}

_DEMAND_RESPONSE = _document(
    "demand-response",
    "Time-of-use demand response (seed 002 §2-3). Every hour of 'load' falls in exactly one tariff period.",
    _table(
        "",
        {
            "load": _list("hourly charging load before any response", _number("load", "MW", low=0)),
            "tariff": _per_category(
                "price and hours of each period (Table 3)",
                _table(
                    "one period",
                    {"price": _number("price", "yuan/kWh", positive=True), "hours": {**_HOURS, "description": "hours"}},
                ),
            ),
            "purchase_cost": _per_category("what the platform pays", _number("cost", "yuan/kWh", low=0)),
            "elasticity": _per_category(
                "price elasticity: row = load category, column = price category (Table 4)",
                _per_category("one row", _number("elasticity", "-")),
            ),
            "price_change": _per_category("the tariff change (Table 6)", _number("change", "yuan/kWh")),
            "price_change_bounds": _per_category(
                "[lower, upper] change the tariff NLP may choose (default [-0.05, 0.05])",
                {
                    "type": "array",
                    "items": _number("bound", "yuan/kWh"),
                    "minItems": 2,
                    "maxItems": 2,
                    "unit": "yuan/kWh",
                },
            ),
            "incentive": _table(
                "the tiered incentive for load reduction (eq. (17), Table 5)",
                {
                    "tiers": _list(
                        "reductions in (lower, upper] MW are paid price",
                        _table(
                            "one tier",
                            {
                                "lower": _number("lower end", "MW", low=0),
                                "upper": _number("upper end", "MW", positive=True),
                                "price": _number("payment", "yuan/kWh", low=0),
                            },
                        ),
                    ),
                    "reduction_limit": {
                        "description": "largest reduction: one number for every hour, or one per hour",
                        "unit": "MW",
                        "anyOf": [_number("limit", "MW", low=0), _list("limits", _number("limit", "MW", low=0))],
                    },
                    "value": _per_category(
                        "what a kWh less is worth (default purchase cost - price, at least 0)",
                        _number("value", "yuan/kWh", low=0),
                    ),
                },
                ("tiers", "reduction_limit"),
            ),
            "benefits": {"description": "case files only: published benefits"},
            "contribution_rate": {"description": "case files only: published contribution rates"},
        },
        ("load", "tariff", "purchase_cost", "elasticity", "price_change", "incentive"),
    ),
    notes=True,
)


def _parameter(name: str) -> dict[str, Any]:
    """One seed 003 parameter's schema from the declarations its validator reads."""
    symbol, unit, text = PARAMETERS[name]
    record = _number(f"{text} ({symbol})", unit, low=0, positive=name in POSITIVE)
    if name in AT_MOST_ONE:
        record["maximum"] = 1
    return record


_TRIP_UNITS = {
    "distance_km": ("trip distance", "km"),
    "duration_min": ("trip duration", "min"),
    "start_min": ("start time, minutes after midnight (< 1440)", "min"),
    "wait_min": ("waiting time for a shared EV", "min"),
    "value_of_time": ("the traveller's value of time", "CNY/min"),
}

_TRIP = _table("one trip", {column: _number(*_TRIP_UNITS[column], low=0) for column in TRIP_COLUMNS})
_TRIP["properties"]["start_min"]["exclusiveMaximum"] = 1440

_SUBSIDY_PRICING = _document(
    "subsidy-pricing",
    "Government -> operator -> users game of seed 003: Table 1 overrides by name and the trips.",
    _table(
        "",
        {
            "params": _table(
                "overrides of Table 1 by name (`evgames params subsidy-pricing` lists them)",
                {name: _parameter(name) for name in PARAMETERS},
                (),
            ),
            "trips": {
                "description": "a CSV path relative to the file, a list of trips, or {synthetic: N, seed: S}",
                "default": {"synthetic": 5000},
                "anyOf": [
                    {"type": "string", "description": f"CSV with the columns {', '.join(TRIP_COLUMNS)}"},
                    _list("trips", _TRIP),
                    _table(
                        "seeded synthetic trips",
                        {
                            "synthetic": {"type": "integer", "minimum": 1, "maximum": MAX_SYNTHETIC_TRIPS},
                            "seed": {"type": "integer", "minimum": 0},
                        },
                        ("synthetic",),
                    ),
                ],
            },
            "rounded_crf": {**_FLAG, "description": "capital recovery factors to 3 decimals, as the paper's tables"},
        },
        (),
    ),
)

#: The classic-game blocks (:data:`evgames.games.tu.GAME_FORMS`, which this layer may not import; a test
#: checks that the two agree): field -> description.
_GAME_FORMS: dict[str, dict[str, str]] = {
    "weighted_voting": {"quota": "votes needed to win", "weights": "votes of each player (list or player -> votes)"},
    "bankruptcy": {"estate": "the amount to divide", "claims": "each player's claim (list or player -> claim)"},
    "airport": {"costs": "each player's cost (a cost game)"},
    "glove": {"left": "players holding a left glove", "right": "players holding a right glove"},
    "apex": {"n": "number of players when 'players' is not given"},
    "unanimity": {"carrier": "the players who must all be present"},
    "majority": {"quota": "players needed to win", "n": "number of players when 'players' is not given"},
}
_GAME_REQUIRED = {"weighted_voting": 2, "bankruptcy": 2, "airport": 1, "glove": 2, "apex": 0, "unanimity": 1}
_AMOUNTS = {"anyOf": [{"type": "array"}, {"type": "object"}, {"type": "number"}, {"type": "integer"}]}


def _game_form(form: str) -> dict[str, Any]:
    fields = _GAME_FORMS[form]
    required = tuple(fields)[: _GAME_REQUIRED.get(form, 1)]
    return _table(
        f"the {form} game", {name: {**_AMOUNTS, "description": text} for name, text in fields.items()}, required
    )


_GAME = _document(
    "game",
    "A TU game for `evgames allocate`: 'players' and exactly one of 'values' or a classic game's block, plus the "
    "blocks some methods read. Coalitions are player names joined by commas ('A,B').",
    {
        "type": "object",
        "properties": {
            "players": {**_NAMES, "minItems": 1, "description": "player names, in order"},
            "values": {
                "type": "object",
                "description": "v(S) of every coalition 'A,B' (money)",
                "additionalProperties": {"type": "number"},
                "unit": "money",
            },
            "kind": {"enum": ["profit", "cost"], "description": "profit (default) or cost: values are costs to share"},
            **{form: _game_form(form) for form in _GAME_FORMS},
            "correction": _table(
                "modified-shapley: scores per player and factor, weights (a list, 'entropy') or AHP comparisons",
                {
                    "factors": {**_NAMES, "description": "correction factors"},
                    "scores": {
                        "type": "object",
                        "description": "player -> one score per factor",
                        "additionalProperties": {"type": "array", "items": {"type": "number"}},
                    },
                    "weights": {
                        "description": "weights lambda summing to 1, or 'entropy'",
                        "anyOf": [{"const": "entropy"}, {"type": "array", "items": {"type": "number", "minimum": 0}}],
                    },
                    "comparisons": {
                        "type": "array",
                        "description": "AHP pairwise comparison matrix of the factors",
                        "items": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}},
                    },
                    "scale": _SCALE,
                },
                ("factors", "scores"),
            )
            | {"not": {"required": ["weights", "comparisons"]}},
            "topsis": _table(
                "topsis: the schemes ranked (seed 004 eq. (5)-(10))",
                {
                    "normalisation": {"enum": ["none", "vector", "max", "sum", "minmax"]},
                    "schemes": _list(
                        "a simple method's name or {name, proportional: player -> amount}",
                        {
                            "anyOf": [
                                {"type": "string"},
                                _table(
                                    "a proportional scheme",
                                    {"name": _NAME, "proportional": {"type": "object"}},
                                ),
                            ]
                        },
                    ),
                },
                ("schemes",),
            ),
        },
        "oneOf": [{"required": [form]} for form in ("values", *_GAME_FORMS)],
    },
)

_SOLVER = _document(
    "solver",
    "Solver configuration (TOML or YAML): a [solver] table of generic settings with one table of options per "
    "solver ([solver.ipopt], [solver.pso], ...), or just a solver's name.",
    _table(
        "",
        {
            "solver": {
                "anyOf": [
                    {"type": "string", "description": "a solver's name"},
                    _table(
                        "which solver runs and how",
                        {
                            "name": {**_NAME, "description": "ipopt, highs, pso or any installed Pyomo solver"},
                            "time_limit": _number("wall-clock limit; reaching it is a failure", "s", positive=True),
                            "tolerance": _number(
                                "convergence tolerance (Ipopt tol, HiGHS gap, PSO stall)", "-", positive=True
                            ),
                            "verbose": {**_FLAG, "description": "show the solver's log"},
                            "warm_start": {**_FLAG, "description": "start from the variables' current values"},
                            "options": {"type": "object", "description": "options of the solver 'name', verbatim"},
                        },
                        (),
                    )
                    | {
                        "additionalProperties": {
                            "type": "object",
                            "description": "[solver.NAME]: options of that solver only, verbatim (e.g. [solver.ipopt])",
                        }
                    },
                ]
            }
        },
    ),
)

#: Every schema by the name ``evgames schema`` takes.
SCHEMAS: Mapping[str, Mapping[str, Any]] = {
    "bargaining": _BARGAINING,
    "satisfaction": _SATISFACTION,
    "station-alliance": _STATION_ALLIANCE,
    "demand-response": _DEMAND_RESPONSE,
    "subsidy-pricing": _SUBSIDY_PRICING,
    "game": _GAME,
    "solver": _SOLVER,
}


def schema(name: str) -> dict[str, Any]:
    """A copy of the JSON Schema of the data file ``name`` (a model family, ``game`` or ``solver``)."""
    if name not in SCHEMAS:
        raise DataError("schema", name, f"unknown data file; choose one of {list(SCHEMAS)}")
    return copy.deepcopy(dict(SCHEMAS[name]))


def field_rows(name: str) -> Iterator[tuple[str, str, str, str]]:
    """``(path, type, unit, description)`` of every field of schema ``name``; lists show as ``players[]``."""
    yield from _rows(SCHEMAS[name], "")


def _rows(node: Mapping[str, Any], path: str) -> Iterator[tuple[str, str, str, str]]:
    for key, child in node.get("properties", {}).items():
        child_path = f"{path}.{key}" if path else key
        kind = child.get("type", "/".join(sorted({str(c.get("type", "value")) for c in child.get("anyOf", [])})))
        items = child.get("items") if isinstance(child.get("items"), Mapping) else {}
        unit = child.get("unit", items.get("unit", ""))  # a list of loads is in MW when each load is
        yield child_path, str(kind or "any"), unit, child.get("description", "")
        if items:
            yield from _rows(items, f"{child_path}[]")
        yield from _rows(child, child_path)
