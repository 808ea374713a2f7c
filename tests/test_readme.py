"""Every Python snippet in the README runs and asserts its own numbers; the two commands open it."""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_opens_with_the_two_commands():
    first_block = re.search(r"```bash\n(.*?)```", README.read_text(), flags=re.S).group(1).strip().splitlines()
    assert first_block == ['pip install ".[test]" && evgames reproduce', "python -m pytest"]


#: The seed 003 snippet verifies a whole bilevel case (seconds): in the full suite, not in the fast tier.
SLOW = [pytest.mark.slow]


@pytest.mark.parametrize(
    "snippet",
    [
        pytest.param(snippet, id=f"snippet{i}", marks=SLOW if "subsidy_pricing" in snippet else [])
        for i, snippet in enumerate(SNIPPETS)
    ],
)
def test_snippet_runs(snippet):
    exec(compile(snippet, str(README), "exec"), {})
