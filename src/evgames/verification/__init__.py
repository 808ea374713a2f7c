"""Closed form vs numeric vs PSO, and published vs computed. Plain numbers; never calls a solver."""

from evgames.verification.compare import NumericOptimum, Verdict, compare
from evgames.verification.ledger import LedgerRow, Published, Reading, reconcile, to_frame

__all__ = ["LedgerRow", "NumericOptimum", "Published", "Reading", "Verdict", "compare", "reconcile", "to_frame"]
