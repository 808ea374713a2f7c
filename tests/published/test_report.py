"""``evgames report``: a self-contained HTML page, written whole, that renders in headless Chromium."""

import base64
import re
import shutil
import subprocess

import pandas as pd
import pytest

from evgames.cli import main
from evgames.papers import report, reproduce

PAPERS = ("000", "001", "002", "003", "004")
PNG = b"\x89PNG\r\n\x1a\n"
IMAGE = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]*)\"")


def images(page):
    return IMAGE.findall(page)


def test_page_has_every_paper_badges_verdicts_and_embedded_figures():
    verdict = {"model": "m", "check": "c", "verdict": "agree", "expected": 1, "found": 1, "tolerance": 0}
    verdicts = pd.DataFrame([verdict])
    page = report.page(reproduce(), verdicts, {"a figure": PNG + b"rest"})
    assert all(f'id="paper-{paper}"' in page for paper in PAPERS)
    assert all(colour in page for colour in report.BADGE_COLOURS.values())
    assert "<td>agree</td>" in page and not re.search(r"(src|href)=\"?(https?:)?//", page)  # nothing to fetch
    assert [base64.b64decode(src.split(",", 1)[1])[:8] for src in images(page)] == [PNG]


def test_report_refuses_an_existing_file_without_force(capsys, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("keep me")
    assert main(["report", "--out", str(target)]) == 2
    assert "add --force" in capsys.readouterr().err and target.read_text() == "keep me"


def chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package, which this test needs")
    return found


@pytest.mark.slow
def test_report_renders_in_headless_chromium(tmp_path, capsys):
    target = tmp_path / "report.html"
    target.write_text("an old report")
    assert main(["report", "--out", str(target), "--force"]) == 0
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]  # no partial file left behind
    command = [
        chromium(),
        *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
        *("--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"),
    ]
    shot = tmp_path / "shot.png"
    url = target.as_uri()
    subprocess.run([*command, f"--screenshot={shot}", "--window-size=1200,3000", url], check=True, timeout=180)
    assert shot.read_bytes()[:8] == PNG
    dom = subprocess.run([*command, "--dump-dom", url], check=True, timeout=180, capture_output=True, text=True).stdout
    assert all(f'id="paper-{paper}"' in dom for paper in PAPERS)
    assert 'id="verification"' in dom and 'id="figures"' in dom
    sources = images(dom)
    assert len(sources) >= 7  # loads, SSE curve, segments, four sweeps
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1])[:8] == PNG
