"""One data shape for every family: ``Type.from_dict(data.to_dict()) == data``, through files too.

``to_dict`` must be plain Python in exactly the form ``from_dict`` reads, with the defaults ``from_dict``
fills in (every station pair's diversion terms, demand response's reduction value) coming back identical.
:class:`SubsidyPricingData` holds a table and compares by identity, so it is compared through ``to_dict``.
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import bargaining_records, satisfaction_records

import evgames.data
from evgames.data import BargainingData, DataError, SatisfactionData
from evgames.data.demand_response import CATEGORIES, DemandResponseData
from evgames.data.shipped import load_case
from evgames.data.station_alliance import StationAllianceData
from evgames.data.subsidy_pricing import TRIP_COLUMNS, SubsidyPricingData
from evgames.data.synthetic import synthetic_city
from evgames.data.validation import dump_yaml, parse_yaml, write_yaml
from evgames.papers import seed000

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DATA_TYPES = [BargainingData, SatisfactionData, StationAllianceData, DemandResponseData, SubsidyPricingData]


def _seed000_satisfaction():
    case = load_case(seed000.CASE)
    coefficients = seed000.stage_one(case, seed000.bargaining_data(case))["coefficient"]
    return seed000.satisfaction_data(case, coefficients, case["satisfaction"]["adjustment"])


CASES = {
    "seed000 bargaining": lambda: seed000.bargaining_data(load_case(seed000.CASE)),
    "seed000 satisfaction": _seed000_satisfaction,
    "examples/bargaining.yaml": lambda: BargainingData.from_file(EXAMPLES / "bargaining.yaml"),
    "examples/satisfaction_binding.yaml": lambda: SatisfactionData.from_file(EXAMPLES / "satisfaction_binding.yaml"),
    "examples/city.yaml": lambda: StationAllianceData.from_file(EXAMPLES / "city.yaml"),
    "seed001_stations": lambda: StationAllianceData.from_dict(load_case("seed001_stations")),
    "synthetic_city10": lambda: StationAllianceData.from_dict(load_case("synthetic_city10")),
    "synthetic_city(5, 24, seed=1)": lambda: synthetic_city(5, 24, seed=1),
    "seed002_demand": lambda: DemandResponseData.from_dict(load_case("seed002_demand")),
    "seed003_small": lambda: SubsidyPricingData.from_dict(load_case("seed003_small")),
}


def assert_plain(value, where="to_dict()"):
    """Only what JSON and YAML write as they are: dicts with text keys, lists, text, numbers, booleans, None."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, f"{where}: key {key!r}"
            assert_plain(item, f"{where}.{key}")
    elif isinstance(value, list):
        for position, item in enumerate(value):
            assert_plain(item, f"{where}[{position}]")
    else:
        assert type(value) in (str, int, float, bool, type(None)), f"{where} = {value!r} ({type(value).__name__})"
        assert not isinstance(value, float) or math.isfinite(value), f"{where} = {value!r}"


def assert_same(again, data):
    """Equal data; a subsidy-pricing instance (it holds a table) by its mapping, parameters and trips."""
    assert type(again) is type(data)
    if isinstance(data, SubsidyPricingData):
        assert again.params == data.params and again.rounded_crf == data.rounded_crf
        pd.testing.assert_frame_equal(again.trips[list(TRIP_COLUMNS)], data.trips[list(TRIP_COLUMNS)])
        assert again.to_dict() == data.to_dict()
    else:
        assert again == data


def through_text(data):
    """``data`` written as YAML text and read back, as to_yaml and from_file do without the disk."""
    return type(data).from_dict(parse_yaml(dump_yaml(data.to_dict()), "memory"))


@pytest.fixture(params=list(CASES), scope="module")
def case(request):
    return CASES[request.param]()


def test_from_dict_reads_back_what_to_dict_writes(case):
    record = case.to_dict()
    assert_plain(record)
    assert_same(type(case).from_dict(record), case)
    assert type(case).from_dict(record).to_dict() == record


def test_yaml_and_json_files_read_back_what_was_written(case, tmp_path):
    data_type = type(case)
    written = case.to_yaml(tmp_path / "data.yaml")
    assert written == tmp_path / "data.yaml" and written.read_text(encoding="utf-8").startswith("# ")
    assert_same(data_type.from_file(written), case)
    assert_same(data_type.from_yaml(str(written)), case)
    assert evgames.data.save(case, tmp_path / "saved.yml").read_text(encoding="utf-8") == written.read_text("utf-8")
    (tmp_path / "data.json").write_text(json.dumps(case.to_dict(), indent="\t"), encoding="utf-8")
    assert_same(data_type.from_file(tmp_path / "data.json"), case)


def test_written_files_keep_the_documented_key_order_and_layout(tmp_path):
    data = StationAllianceData.from_dict(load_case("seed001_stations"))
    text = data.to_yaml(tmp_path / "stations.yaml").read_text(encoding="utf-8")
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys == ["period_hours", "platform_cost", "compensation", "travel_cost", "stations", "allocation"]
    assert "  arrivals: [78, 63, 66, 74, 56, 58]\n" in text and "&" not in text  # whole numbers, no aliases


def test_from_yaml_still_takes_a_parsed_mapping():
    record = load_case("seed001_stations")
    assert StationAllianceData.from_yaml(record) == StationAllianceData.from_dict(record)


def test_filled_in_station_defaults_come_back_identical():
    data = StationAllianceData.from_dict(
        {
            "compensation": 5,
            "travel_cost": 0.5,
            "stations": [
                {"name": name, "capacity": 10, "operating_cost": 1, "profit_per_vehicle": 3, "arrivals": [12, 4]}
                for name in ("A", "B", "C")
            ],
            "diversion": [{"from": "C", "to": "A", "max_share": 0.25}, {"from": "A", "to": "B", "compensation": 7}],
        }
    )
    record = data.to_dict()
    assert record["compensation"] == 5 and record["travel_cost"] == 0.5
    assert record["diversion"] == [
        {"from": "A", "to": "B", "compensation": 7},
        {"from": "C", "to": "A", "max_share": 0.25},
    ]
    assert StationAllianceData.from_dict(record).diversions == data.diversions


@pytest.mark.parametrize("data_type", DATA_TYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize("name, text", [("missing.yaml", None), ("bad.yaml", "a: [1, 2\n"), ("bad.json", "{'a': 1}")])
def test_a_missing_or_unparsable_file_is_an_error_naming_it(data_type, name, text, tmp_path):
    if text is not None:
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=name) as raised:
        data_type.from_file(tmp_path / name)
    assert raised.value.field == "file"


def test_json_files_are_read_as_json_not_as_yaml(tmp_path):
    # YAML 1.1 would read 1.3e3 as text and refuse the tab indentation; both are valid JSON
    record = BargainingData.from_file(EXAMPLES / "bargaining.yaml").to_dict() | {"total_benefit": "1.3e3"}
    text = json.dumps(record, indent="\t").replace('"1.3e3"', "1.3e3")
    (tmp_path / "case.json").write_text(text, encoding="utf-8")
    assert BargainingData.from_file(tmp_path / "case.json").total_benefit == 1300.0
    (tmp_path / "twice.json").write_text('{"players": [], "players": []}', encoding="utf-8")
    with pytest.raises(DataError, match="appears twice"):
        BargainingData.from_file(tmp_path / "twice.json")


def test_writing_refuses_what_is_not_plain_data_and_names_an_unwritable_file(tmp_path):
    with pytest.raises(DataError, match="not plain data"):
        dump_yaml({"capacity": np.int64(3)})
    with pytest.raises(DataError, match="cannot be written") as raised:
        write_yaml(tmp_path / "no such folder" / "data.yaml", {"a": 1})
    assert raised.value.field == "file" and not (tmp_path / "no such folder").exists()


# Hypothesis: random valid instances of every family round-trip through a mapping and through YAML text.

NAMES = st.sampled_from(["S1", "yes", "null", "1.5", "a b", "Ünïcode", "x: y", "#hash", "- dash", "'q'", "~"])
SHARE = st.floats(0.0, 1.0)


@st.composite
def station_records(draw):
    """Stations with random terms, some pairs' diversion terms overridden, maybe a modified-Shapley block."""
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    periods = draw(st.integers(1, 6))
    record = {
        "compensation": draw(st.floats(0.0, 20.0)),
        "stations": [
            {
                "name": name,
                "capacity": draw(st.floats(0.5, 100.0)),
                "operating_cost": draw(st.floats(0.0, 1000.0)),
                "profit_per_vehicle": draw(st.floats(-10.0, 50.0)),
                "arrivals": draw(st.lists(st.floats(0.0, 200.0), min_size=periods, max_size=periods)),
            }
            for name in names
        ],
    }
    for key, values in (("period_hours", st.floats(0.25, 4.0)), ("platform_cost", st.floats(0.0, 500.0))):
        if draw(st.booleans()):
            record[key] = draw(values)
    if draw(st.booleans()):
        record["travel_cost"] = draw(st.floats(0.0, 5.0))
    pairs = [(a, b) for a in names for b in names if a != b]
    overridden = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    terms = {"compensation": st.floats(0.0, 20.0), "max_share": SHARE, "travel_cost": st.floats(0.0, 5.0)}
    record["diversion"] = [
        {"from": a, "to": b, **draw(st.fixed_dictionaries({}, optional=terms))} for a, b in overridden
    ]
    if draw(st.booleans()):
        factors = draw(st.integers(1, 3))
        weights = np.array(draw(st.lists(st.floats(0.1, 1.0), min_size=factors, max_size=factors)))
        record["allocation"] = {
            "factors": [f"factor {i}" for i in range(factors)],
            "scores": {name: draw(st.lists(SHARE, min_size=factors, max_size=factors)) for name in names},
            "weights": [float(w) for w in weights / weights.sum()],
            "scale": draw(st.one_of(st.sampled_from(["surplus", "grand"]), st.floats(-1e4, 1e4))),
        }
    return record


@st.composite
def demand_records(draw):
    """Any number of hours in random price categories; price changes small enough to keep every load >= 0."""
    categories = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=30))
    hours = len(categories)
    price = {c: draw(st.floats(0.1, 2.0)) for c in CATEGORIES}
    tiers, lower = [], 0.0
    for _ in range(draw(st.integers(1, 4))):
        upper = lower + draw(st.floats(0.1, 5.0))
        tiers.append({"lower": lower, "upper": upper, "price": draw(st.floats(0.0, 1.0))})
        lower = upper
    by_category = {c: draw(st.floats(0.0, 2.0)) for c in CATEGORIES}
    incentive = {
        "tiers": tiers,
        "reduction_limit": draw(
            st.one_of(st.floats(0.0, 10.0), st.lists(st.floats(0.0, 10.0), min_size=hours, max_size=hours))
        ),
    }
    if draw(st.booleans()):
        incentive["value"] = by_category
    record = {
        "load": draw(st.lists(st.floats(0.0, 100.0), min_size=hours, max_size=hours)),
        "tariff": {
            c: {"price": price[c], "hours": draw(st.permutations([t for t in range(hours) if categories[t] == c]))}
            for c in CATEGORIES
        },
        "purchase_cost": {c: draw(st.floats(0.0, 2.0)) for c in CATEGORIES},
        "elasticity": {z: {j: draw(st.floats(-1.0, 1.0)) for j in CATEGORIES} for z in CATEGORIES},
        "price_change": {c: draw(st.floats(-0.3, 0.3)) * price[c] for c in CATEGORIES},
        "incentive": incentive,
    }
    if draw(st.booleans()):
        record["price_change_bounds"] = {
            c: [draw(st.floats(-0.5, 0.0)) * price[c], draw(st.floats(0.0, 1.0))] for c in CATEGORIES
        }
    return record


@st.composite
def subsidy_records(draw):
    """A few Table 1 parameters changed, trips as records, either capital recovery reading."""
    trip = st.fixed_dictionaries(
        {
            "distance_km": st.floats(0.0, 150.0),
            "duration_min": st.floats(0.0, 300.0),
            "start_min": st.floats(0.0, 1439.9),
            "wait_min": st.floats(0.0, 30.0),
            "value_of_time": st.floats(0.0, 1.0),
        }
    )
    params = {"base_fleet": st.floats(0.0, 100.0), "operating_cost": st.floats(0.0, 500.0), "carbon_price": SHARE}
    return {
        "params": draw(st.fixed_dictionaries({}, optional=params)),
        "trips": draw(st.lists(trip, min_size=1, max_size=20)),
        "rounded_crf": draw(st.booleans()),
    }


@pytest.mark.parametrize(
    "data_type, records",
    [
        (BargainingData, bargaining_records()),
        (SatisfactionData, satisfaction_records()),
        (StationAllianceData, station_records()),
        (DemandResponseData, demand_records()),
        (SubsidyPricingData, subsidy_records()),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
@given(draw=st.data())
def test_random_instances_round_trip(data_type, records, draw):
    data = data_type.from_dict(draw.draw(records))
    assert_plain(data.to_dict())
    assert_same(data_type.from_dict(data.to_dict()), data)
    assert_same(through_text(data), data)
