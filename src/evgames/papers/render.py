"""The reproduction ledger for people and programs: terminal tables, the JSON record and the HTML page.

Plain formatting of :class:`~evgames.verification.ledger.LedgerRow` lists; nothing here computes a
verdict. The terminal text fits in :data:`WIDTH` columns: one table per paper (cited by authors,
title, year and DOI), its reading stated once, numbered footnotes per paper with no sentence repeated,
and a summary by paper and status at the end.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Sequence
from typing import Any

from evgames.papers import common
from evgames.verification.ledger import REPRODUCTIONS, STATUSES, TOLERANCE_RULE, LedgerRow, summary

__all__ = ["CASES", "WIDTH", "changed_rows", "footnotes", "json_record", "paper_title", "readings", "stated", "text"]

#: Terminal width the tables fit in.
WIDTH = 100

#: Column widths of the terminal table: location, quantity, unit, published, computed, status, notes.
_COLUMNS = (("location", 11), ("quantity", 25), ("unit", 10), ("published", 9), ("computed", 10), ("status", 24))

#: The case file of each paper (the citations live there).
CASES = {"000": "seed000", "001": "seed001", "002": "seed002", "003": "seed003", "004": "seed004"}


def _papers(rows: Sequence[LedgerRow]) -> list[str]:
    return list(dict.fromkeys(row.paper for row in rows))


#: Beginnings of the note parts the table shows already (the computed and the stated value).
_SHOWN = ("computed ", "stated data give ")


def _ranges(numbers: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` as ``1-3,5``."""
    groups: list[list[int]] = []
    for number in sorted(set(numbers)):
        if groups and number == groups[-1][-1] + 1:
            groups[-1].append(number)
        else:
            groups.append([number])
    return ",".join(str(g[0]) if len(g) == 1 else f"{g[0]}-{g[-1]}" for g in groups)


def footnotes(rows: Sequence[LedgerRow]) -> tuple[list[str], list[str]]:
    """Per row its footnote marks, and the paper's footnotes: each sentence once, numbered by first use."""
    sentences: dict[str, int] = {}
    marks = []
    for row in rows:
        kept = [part for part in row.note_parts if part and not part.startswith(_SHOWN)]
        numbers = [sentences.setdefault(part, len(sentences) + 1) for part in kept]
        marks.append(_ranges(numbers))
    return marks, list(sentences)


def _scope_readings(rows: Sequence[LedgerRow]) -> list[tuple[str, str, str]]:
    """Each scope's reading once, in order: (scope, reading ids, reading text)."""
    return list(dict.fromkeys((row.scope, row.scope_reading, row.scope_reading_text) for row in rows))


def readings(rows: Sequence[LedgerRow]) -> list[str]:
    """Each scope's reading, once: ``scope: ids (text)``."""
    return [
        f"{scope}: {reading} ({text})" if reading else f"{scope}: the paper as stated (no alternative reading)"
        for scope, reading, text in _scope_readings(rows)
    ]


def _table_lines(rows: Sequence[LedgerRow], marks: Sequence[str]) -> list[str]:
    widths = [width for _, width in _COLUMNS]
    header = " ".join(name.ljust(width) for name, width in _COLUMNS) + " note"
    lines = [header, " ".join("-" * width for width in widths) + " ----"]
    for row, mark in zip(rows, marks, strict=True):
        cells = [row.location, row.quantity, row.unit, row.printed, row.computed_printed, row.status]
        wrapped = [textwrap.wrap(str(cell), width) or [""] for cell, (_, width) in zip(cells, _COLUMNS, strict=True)]
        if stated(row):
            wrapped[4].append(stated(row))  # what the stated data give, below the reading's value
        for line in range(max(len(parts) for parts in wrapped)):
            texts = [parts[line] if line < len(parts) else "" for parts in wrapped]
            # numbers right-aligned, so that their digits line up
            padded = [
                text.rjust(width) if name in ("published", "computed") else text.ljust(width)
                for text, (name, width) in zip(texts, _COLUMNS, strict=True)
            ]
            lines.append((" ".join(padded) + " " + (mark if line == 0 else "")).rstrip())
    return lines


def _wrap(text: str, indent: str = "   ") -> list[str]:
    """``text`` wrapped to WIDTH display columns (a CJK character takes two)."""
    wide = sum(unicodedata.east_asian_width(char) in "WF" for char in text)
    return textwrap.wrap(text, WIDTH - wide, subsequent_indent=indent)


def stated(row: LedgerRow) -> str:
    """``(value)`` under the stated data where the reading changes what is compared, else empty."""
    # a data-missing row compares substitute inputs: which reading they run under tells nothing
    differs = row.status not in ("reproduced", "data-missing") and row.stated_printed != row.computed_printed
    return f"({row.stated_printed})" if differs else ""


def paper_title(paper: str) -> str:
    """``Seed NNN: authors, “title”, venue, year, DOI`` from the paper's case file."""
    case = CASES.get(paper)
    return f"Seed {paper}: {common.citation(case)}" if case else f"Seed {paper}"


def text(rows: Sequence[LedgerRow]) -> str:
    """The ledger as terminal text (see the module docstring)."""
    out: list[str] = []
    for paper in _papers(rows):
        mine = [row for row in rows if row.paper == paper]
        marks, notes = footnotes(mine)
        out += ["", *_wrap(f"== {paper_title(paper)}")]
        for reading in readings(mine):
            out += _wrap(f"reading of {reading}")
        out += _table_lines(mine, marks)
        out.append("computed: under the reading; in parentheses: under the stated data, where that differs")
        for number, note in enumerate(notes, start=1):
            out += _wrap(f"[{number}] {note}", "    ")
    out += ["", "== summary (rows by paper and status)", *_summary_lines(rows)]
    changed = changed_rows(rows)
    if changed:
        out += ["", f"{len(changed)} row(s) changed status from what the case files expect:"]
        out += [f"- {r.paper} {r.location}, {r.quantity}: expected {r.expected}, got {r.status}" for r in changed]
    return "\n".join(out).lstrip("\n")


def _summary_lines(rows: Sequence[LedgerRow]) -> list[str]:
    counts = summary(rows)
    short = {status: status.replace("reproduced-under-reading", "under-reading") for status in STATUSES}
    widths = {status: max(len(short[status]), 5) for status in STATUSES}
    lines = ["paper  " + " ".join(short[s].rjust(widths[s]) for s in STATUSES) + "  reproductions"]
    for paper, by_status in counts.items():
        total = sum(by_status.values())
        reproductions = sum(by_status[s] for s in REPRODUCTIONS)
        cells = " ".join(str(by_status[s]).rjust(widths[s]) for s in STATUSES)
        lines.append(f"{paper:<6} {cells}  {reproductions:>7} of {total}")
    return lines


def changed_rows(rows: Sequence[LedgerRow]) -> list[LedgerRow]:
    """Rows whose status is not the one their case file expects."""
    return [row for row in rows if not row.as_expected]


def json_record(rows: Sequence[LedgerRow]) -> dict[str, Any]:
    """The ``reproduce --json`` object: ``rows`` (the row contract), ``summary``, statuses, readings, units."""
    papers = {}
    for paper in _papers(rows):
        mine = [row for row in rows if row.paper == paper]
        case = CASES.get(paper)
        papers[paper] = {
            "citation": common.citation(case) if case else "",
            "readings": [
                {"scope": scope, "reading": reading, "text": text} for scope, reading, text in _scope_readings(mine)
            ],
        }
    return {
        "rows": [row.to_dict() for row in rows],
        "summary": summary(rows),
        "statuses": STATUSES,
        "reproductions": list(REPRODUCTIONS),
        "tolerance": TOLERANCE_RULE,
        "units": sorted({row.unit for row in rows if row.unit}),
        "papers": papers,
        "changed": [row.to_dict() for row in changed_rows(rows)],
    }
