"""Closed form vs numeric vs PSO, published vs computed, and the verdict table. Plain numbers; never calls a solver."""

from evgames.verification.checks import (
    Check,
    CheckVerdict,
    VerificationTable,
    agreement,
    bound,
    condition,
    failed,
)
from evgames.verification.compare import NumericOptimum, Verdict, compare, comparison_checks
from evgames.verification.ledger import LedgerRow, Published, Reading, reconcile, to_frame

__all__ = [
    "Check",
    "CheckVerdict",
    "LedgerRow",
    "NumericOptimum",
    "Published",
    "Reading",
    "Verdict",
    "VerificationTable",
    "agreement",
    "bound",
    "compare",
    "comparison_checks",
    "condition",
    "failed",
    "reconcile",
    "to_frame",
]
