"""The station alliance's coalition value formulated from scratch, as a reference for the tests."""

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp


def independent_value(data, members, integer=True):
    """The coalition's value formulated from scratch as a scipy MILP (HiGHS inside scipy)."""
    members = [n for n in data.names if n in members]
    terms = {(d.source, d.target): d for d in data.diversions}
    columns, cost, upper = [], [], []
    for j in members:
        s = data.station(j)
        for t in range(data.periods):
            columns.append(("served", j, None, t))
            cost.append(-s.profit_per_vehicle)
            cap = min(s.arrivals[t], s.capacity * data.period_hours)
            upper.append(np.floor(cap + 1e-9) if integer else cap)
    for j in members:
        for k in members:
            if j == k:
                continue
            d = terms[j, k]
            for t in range(data.periods):
                columns.append(("diverted", j, k, t))
                cost.append(-(data.station(k).profit_per_vehicle - d.compensation - d.travel_cost))
                cap = d.max_share * data.overflow(j)[t]
                upper.append(np.floor(cap + 1e-9) if integer else cap)
    rows, row_upper = [], []
    for t in range(data.periods):
        for k in members:  # capacity of k
            rows.append(
                [
                    1.0
                    if (c[0] == "served" and c[1] == k and c[3] == t)
                    or (c[0] == "diverted" and c[2] == k and c[3] == t)
                    else 0.0
                    for c in columns
                ]
            )
            row_upper.append(data.station(k).capacity * data.period_hours)
        for j in members:  # overflow of j
            rows.append([1.0 if c[0] == "diverted" and c[1] == j and c[3] == t else 0.0 for c in columns])
            row_upper.append(data.overflow(j)[t])
    found = milp(
        np.array(cost),
        constraints=LinearConstraint(np.array(rows), -np.inf, np.array(row_upper)),
        bounds=Bounds(0, np.array(upper)),
        integrality=np.ones(len(cost)) if integer else None,
    )
    assert found.success
    fixed = sum(data.station(j).operating_cost for j in members) + (data.platform_cost if len(members) > 1 else 0)
    return -found.fun - fixed
