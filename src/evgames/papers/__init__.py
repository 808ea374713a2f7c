"""Reproduction of each seed paper's published numbers; one module per paper."""

from __future__ import annotations

from collections.abc import Callable

from evgames.data.validation import DataError
from evgames.papers import seed000, seed001, seed002, seed003, seed004
from evgames.verification.ledger import LedgerRow

__all__ = ["PAPERS", "reproduce"]

#: Paper id -> function computing its ledger rows.
PAPERS: dict[str, Callable[[], list[LedgerRow]]] = {
    seed000.PAPER: seed000.ledger,
    seed001.PAPER: seed001.ledger,
    seed002.PAPER: seed002.ledger,
    seed003.PAPER: seed003.ledger,
    seed004.PAPER: seed004.ledger,
}


def reproduce(paper: str | None = None) -> list[LedgerRow]:
    """Ledger rows of one paper, or of every paper covered so far."""
    if paper is None:
        return [row for ledger in PAPERS.values() for row in ledger()]
    key = paper.strip().zfill(3)
    if not paper.strip() or key not in PAPERS:
        raise DataError("paper", paper, f"not covered yet; covered papers: {sorted(PAPERS)}")
    return PAPERS[key]()
