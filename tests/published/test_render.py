"""The ledger as people and programs read it: terminal tables, JSON summary, exit status."""

import dataclasses
import json
import unicodedata

import pytest

from evgames import api
from evgames.cli import main
from evgames.papers import render, reproduce
from evgames.verification.ledger import STATUSES


@pytest.fixture(scope="module")
def rows():
    return reproduce()


def width(line):
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def test_text_fits_100_columns_with_one_table_per_paper_and_a_summary(rows):
    text = render.text(rows)
    assert max(width(line) for line in text.splitlines()) <= render.WIDTH
    for paper in ("000", "001", "002", "003", "004"):
        assert f"== Seed {paper}: " in text
    assert "doi:10.1108/MSCRA-01-2023-0007" in text and "reading of paper: rounded-CRF" in text
    summary = text.split("== summary")[1].splitlines()
    assert summary[2].startswith("000") and summary[-1].startswith("total")


def test_footnotes_say_each_sentence_once_per_paper(rows):
    for paper in ("000", "001", "002", "003", "004"):
        text = render.text([row for row in rows if row.paper == paper])
        notes = [line.split("] ", 1)[1] for line in text.splitlines() if line.startswith("[")]
        assert len(notes) == len(set(notes))
    # the 13 inputs of seed 000-002 share one footnote per paper
    assert render.text(rows).count("typed into the case file from the paper and read back") == 3


def test_json_keeps_the_rows_and_adds_the_summary(rows):
    record = render.json_record(rows)
    assert len(record["rows"]) == len(rows) and record["changed"] == []
    assert record["summary"]["total"]["input"] == 13 and set(record["statuses"]) == set(STATUSES)
    assert sum(record["summary"]["total"].values()) == len(rows)
    assert "half a unit" in record["tolerance"] and "yuan/day" in record["units"]
    assert record["papers"]["001"]["readings"][0]["reading"].startswith("v(I)=13570")
    json.dumps(record)  # JSON-ready


def test_reproduce_exits_1_when_a_status_changes(capsys, monkeypatch):
    rows = reproduce("004")
    changed = [dataclasses.replace(rows[0], expected="contradicted"), *rows[1:]]
    monkeypatch.setattr(api, "reproduce", lambda paper: changed)
    assert main(["reproduce", "--paper", "004"]) == 1
    assert "1 row(s) changed status" in capsys.readouterr().out


def test_reproduce_help_lists_the_statuses(capsys):
    with pytest.raises(SystemExit):
        main(["reproduce", "--help"])
    out = capsys.readouterr().out
    assert all(status in out for status in STATUSES)
