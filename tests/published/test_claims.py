"""Claims of a case file as ledger quantities: sums of printed numbers, efficiency, ranges."""

import pytest

from evgames.data import DataError
from evgames.papers.common import citation, claim_values
from evgames.verification import Published

PRINTED = [Published("p", "T", "x[a]", "a", "1.5"), Published("p", "T", "x[b]", "b", "2.5")]
VALUES = {"x[a]": 1.0, "x[b]": 3.0, "total": 4.0}


def test_sum_of_printed_numbers_minus_a_total():
    claims = [
        {"key": "gap", "sum_printed": {"location": "T", "prefix": "x[", "total": "total"}},
        {"key": "gap to 5", "sum_printed": {"location": "T", "prefix": "x[", "total": 5}},
    ]
    assert claim_values("p", claims, PRINTED, VALUES) == {"gap": 0.0, "gap to 5": -1.0}


def test_efficiency_and_range_are_true_or_false():
    claims = [
        {"key": "efficient", "efficient": {"prefix": "x[", "total": "total"}},
        {"key": "in range", "within": {"prefix": "x[", "low": "1", "high": "3"}},
        {"key": "narrow", "within": {"prefix": "x[", "low": "1", "high": "2"}},
    ]
    assert claim_values("p", claims, PRINTED, VALUES) == {"efficient": 1.0, "in range": 1.0, "narrow": 0.0}


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ({"key": "k"}, "needs sum_printed, efficient or within"),
        ({"key": "k", "efficient": {"prefix": "y[", "total": "total"}}, "no computed quantity starts with it"),
        ({"key": "k", "efficient": {"prefix": "x[", "total": "nothing"}}, "no computation produces"),
        ({"key": "k", "sum_printed": {"location": "U", "prefix": "x[", "total": 1}}, "nothing printed at U"),
    ],
)
def test_bad_claims_name_the_problem(claim, message):
    with pytest.raises(DataError, match=message):
        claim_values("p", [claim], PRINTED, VALUES)


def test_citations_carry_authors_year_and_doi():
    assert citation("seed001").startswith("Xian-long Ge, MuShun Xu, Bo Wang, Zuo-fa Yin, “Service equilibrium")
    assert "2024, doi:10.1108/MSCRA-01-2023-0007" in citation("seed001")
    assert citation("seed000").endswith("DOI: none in the source text")
