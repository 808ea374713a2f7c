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
from evgames.verification.closed_form import ClosedFormReport, closed_form_report
from evgames.verification.compare import NumericOptimum, Verdict, compare, comparison_checks
from evgames.verification.ledger import LedgerRow, Published, Reading, reconcile, to_frame

#: The report's former name in :mod:`evgames.api`.
VerificationReport = ClosedFormReport

__all__ = [
    "Check",
    "CheckVerdict",
    "ClosedFormReport",
    "LedgerRow",
    "NumericOptimum",
    "Published",
    "Reading",
    "Verdict",
    "VerificationTable",
    "agreement",
    "bound",
    "closed_form_report",
    "compare",
    "comparison_checks",
    "condition",
    "failed",
    "reconcile",
    "to_frame",
]
