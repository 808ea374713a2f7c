"""``evgames report``: one self-contained HTML page with the ledger, the verification verdicts and the figures.

The page needs no network: styles are inline and every figure is a base64 PNG in a ``data:`` URI.
Figures come from small instances so the page builds in seconds: the demand-response loads of seed
002's shipped case, the user segmentation of a synthetic survey, and seed 003's sweeps on its small
case (``seed003_small``, three points per sweep).
"""

from __future__ import annotations

import base64
import html
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from evgames.papers import render
from evgames.verification.ledger import STATUSES, TOLERANCE_RULE, LedgerRow, summary

__all__ = ["BADGE_COLOURS", "figures", "page"]

#: Badge colour of each status: reproductions green, data and arithmetic neutral, contradictions red.
BADGE_COLOURS = {
    "reproduced": "#1b7f3b",
    "reproduced-under-reading": "#4c9a2a",
    "input": "#6b6b6b",
    "arithmetic": "#3f6fb0",
    "data-missing": "#b07d12",
    "contradicted": "#b3261e",
}

#: Points per ±10 % sweep of seed 003 in the page (the ends and the middle).
SWEEP_POINTS = 3


def figures() -> dict[str, bytes]:
    """The page's figures as PNG bytes, by caption."""
    from evgames.data.demand_response import DemandResponseData
    from evgames.data.shipped import load_case
    from evgames.data.subsidy_pricing import SubsidyPricingData
    from evgames.models import demand_response, segmentation
    from evgames.models.subsidy_pricing import OperatorProblem, studies

    with tempfile.TemporaryDirectory(prefix="evgames-report-") as name:
        folder = Path(name)
        demand = DemandResponseData.from_dict(load_case("seed002_demand"))
        written = {
            "Seed 002: charging load before and after price and incentive response (synthetic load profile)": (
                demand_response.plot_loads(
                    demand, demand_response.case_benefits(demand, "both").load, folder / "load.png", "case 'both'"
                )
            )
        }
        survey = segmentation.synthetic_survey(seed=0).select_dtypes("number")
        sse, scatter = segmentation.segment(survey, None, seed=0).plot(survey, folder / "segments")
        written["Seed 002: k-means (cosine) SSE curve of a synthetic survey"] = sse
        written["Seed 002: users by segment"] = scatter
        small = SubsidyPricingData.from_dict(load_case("seed003_small"))
        sweeps = studies.sweep(OperatorProblem(small.params, small.trips, False), SWEEP_POINTS)
        for path in studies.plot_sweeps(sweeps, folder / "sweeps"):
            written[f"Seed 003 (small case): {path.stem.replace('_', ' ')}"] = path
        return {caption: path.read_bytes() for caption, path in written.items()}


def _badge(status: str) -> str:
    colour = BADGE_COLOURS.get(status, "#444")
    return f'<span class="badge" style="background:{colour}">{html.escape(status)}</span>'


def _paper_section(paper: str, rows: Sequence[LedgerRow]) -> str:
    marks, notes = render.footnotes(rows)
    readings = "".join(f"<li>{html.escape(text)}</li>" for text in render.readings(rows))
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(cell)}</td>"
            for cell in (
                row.location,
                row.quantity,
                row.unit,
                row.printed,
                f"{row.computed_printed} {render.stated(row)}".strip(),
            )
        )
        + f"<td>{_badge(row.status)}</td><td>{html.escape(mark)}</td></tr>"
        for row, mark in zip(rows, marks, strict=True)
    )
    footnotes = "".join(f"<li value='{n}'>{html.escape(note)}</li>" for n, note in enumerate(notes, start=1))
    return (
        f'<section class="paper" id="paper-{paper}"><h2>{html.escape(render.paper_title(paper))}</h2>'
        f"<p>Reading:</p><ul>{readings}</ul><p>computed: under the reading; in parentheses: under the stated "
        "data, where that differs</p>"
        "<table><thead><tr><th>location</th><th>quantity</th><th>unit</th><th>published</th>"
        "<th>computed</th><th>status</th><th>note</th></tr></thead>"
        f"<tbody>{body}</tbody></table><ol class='notes'>{footnotes}</ol></section>"
    )


def _summary_table(rows: Sequence[LedgerRow]) -> str:
    head = "".join(f"<th>{_badge(status)}</th>" for status in STATUSES)
    body = "".join(
        f"<tr><td>{html.escape(paper)}</td>" + "".join(f"<td>{counts[s]}</td>" for s in STATUSES) + "</tr>"
        for paper, counts in summary(rows).items()
    )
    return f"<table><thead><tr><th>paper</th>{head}</tr></thead><tbody>{body}</tbody></table>"


def _frame_table(frame: pd.DataFrame) -> str:
    columns = [c for c in ("model", "check", "verdict", "expected", "found", "tolerance") if c in frame.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(record[c]))}</td>" for c in columns) + "</tr>"
        for record in frame[columns].to_dict("records")
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(caption: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


_STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 1100px; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
.badge { color: white; border-radius: 4px; padding: 1px 6px; white-space: nowrap; font-size: 0.9em; }
.notes { font-size: 0.8em; color: #444; }
figure { display: inline-block; margin: 0.5em; } img { max-width: 520px; }
"""


def page(rows: Sequence[LedgerRow], verdicts: pd.DataFrame, images: Mapping[str, bytes]) -> str:
    """The whole page: ledger per paper, summary, verification verdicts of every family, figures."""
    papers = list(dict.fromkeys(row.paper for row in rows))
    sections = "".join(_paper_section(paper, [row for row in rows if row.paper == paper]) for paper in papers)
    legend = "".join(f"<li>{_badge(status)} {html.escape(text)}</li>" for status, text in STATUSES.items())
    gallery = "".join(_figure(caption, png) for caption, png in images.items())
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>evgames report</title>"
        f"<style>{_STYLE}</style></head><body><h1>evgames: published versus computed</h1>"
        f"<p>{html.escape(TOLERANCE_RULE)}.</p><ul>{legend}</ul>"
        f"<section id='summary'><h2>Summary by paper and status</h2>{_summary_table(rows)}</section>"
        f"{sections}<section id='verification'><h2>Verification verdicts of every model family</h2>"
        f"{_frame_table(verdicts)}</section><section id='figures'><h2>Figures</h2>{gallery}</section>"
        "</body></html>"
    )
